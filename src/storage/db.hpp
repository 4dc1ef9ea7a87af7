// Storage: one interface, two implementations (SQLite embedded, PostgreSQL).
//
// Callers write portable SQL with numbered placeholders $1, $2, ... (the
// SQLite implementation rewrites them to ?1, ?2). Portable types only:
// INTEGER/BIGINT (int64), TEXT, BLOB/BYTEA (Blob), NULL; booleans are stored
// as integers 0/1, times as BIGINT milliseconds since the Unix epoch (UTC).
// Both backends support INSERT ... RETURNING and ON CONFLICT.
//
// All work happens inside a transaction obtained from Database::read() or
// Database::write(). A write transaction commits when the callback returns a
// value and rolls back when it returns an error or throws; nothing partial is
// ever committed. SQLite allows one writer at a time (BEGIN IMMEDIATE, busy
// timeout); PostgreSQL uses a connection pool.
//
// The callback:
//  - runs one statement per query()/exec() call (several → "storage.query";
//    use exec_script() for scripts); text parameters must be valid UTF-8 without
//    NUL bytes (bytes go in a Blob);
//  - must not run BEGIN/COMMIT/ROLLBACK itself (savepoints are fine). Once the
//    transaction is no longer open (the callback ended it, or PostgreSQL aborted
//    it after a failed statement) further statements are refused with the first
//    error, and write_tx reports that error instead of a commit;
//  - on PostgreSQL, write_tx runs it again (up to 4 times in all) when the
//    transaction lost a serialization conflict or was chosen as a deadlock victim,
//    so it must have no effect outside the transaction other than through
//    on_rollback hooks (which run after each failed attempt).
// Waiting for a connection is bounded (SQLite busy_timeout_ms, PostgreSQL
// acquire_timeout_ms) and then fails with "storage.busy".
//
// Errors: storage failures come back as Error with codes
//   "storage.conflict"    (409) unique or foreign-key constraint violated
//   "storage.busy"        (503) lock/pool timeout, serialization failure
//   "storage.unavailable" (503) connection lost, disk full, I/O error
//   "storage.query"       (500) malformed SQL, type mismatch, a write in a read
//                               transaction (a defect)
// An exception escaping the callback rolls back and comes back as "internal"
// (or as the Error an ErrorException carries).
//
// Thread-safety: Database is thread-safe; a Tx belongs to the thread that runs
// the callback and must not escape it.
#pragma once

#include "core/error.hpp"

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace idara::storage {

enum class Backend { sqlite, postgres };
// "sqlite" / "postgres" (also the migrations folder name).
std::string_view backend_name(Backend b);

struct Blob {
    std::string bytes;
    bool operator==(const Blob&) const = default;
};

// A parameter or column value.
using Value = std::variant<std::nullptr_t, std::int64_t, double, std::string, Blob>;

// One result row. Accessors convert where it is lossless (an integer column
// read as text gives its decimal form); they throw ErrorException with
// "storage.query" on a real type mismatch, which is a programming error.
class Row {
public:
    explicit Row(std::vector<Value> v) : values_(std::move(v)) {}
    std::size_t size() const { return values_.size(); }
    bool is_null(std::size_t i) const;
    std::int64_t as_int(std::size_t i) const;
    double as_double(std::size_t i) const;
    std::string as_text(std::size_t i) const;
    Blob as_blob(std::size_t i) const;
    std::optional<std::int64_t> opt_int(std::size_t i) const;
    std::optional<std::string> opt_text(std::size_t i) const;
    const Value& at(std::size_t i) const { return values_.at(i); }

private:
    std::vector<Value> values_;
};

using Rows = std::vector<Row>;
using Params = std::vector<Value>;

// A transaction in progress.
class Tx {
public:
    virtual ~Tx() = default;
    virtual Backend backend() const = 0;
    // Runs a statement that returns rows.
    virtual Result<Rows> query(std::string_view sql, const Params& params = {}) = 0;
    // Runs a statement; returns the number of rows changed.
    virtual Result<std::int64_t> exec(std::string_view sql, const Params& params = {}) = 0;
    // Convenience: the first row, or nullopt when there is none.
    Result<std::optional<Row>> query_one(std::string_view sql, const Params& params = {});
    // Runs a script of several statements without parameters (migrations).
    virtual Status exec_script(std::string_view sql) = 0;
    // Registers an action to run after a rollback (e.g. removing a file written
    // during the transaction). Runs at most once; never after a commit.
    virtual void on_rollback(std::function<void()> undo) = 0;
};

// SQLite: size counts the writer and the readers; PostgreSQL: connections open.
struct PoolStats {
    int size = 0;      // connections open
    int in_use = 0;    // connections lent out (a transaction running on them)
    int waiting = 0;   // callers waiting for a connection
};

class Database {
public:
    virtual ~Database() = default;
    virtual Backend backend() const = 0;

    template <class T>
    using TxFn = std::function<Result<T>(Tx&)>;

    // Runs fn in a read-only transaction.
    virtual Status read_tx(const std::function<Status(Tx&)>& fn) = 0;
    // Runs fn in a read-write transaction; commits on success, rolls back otherwise.
    virtual Status write_tx(const std::function<Status(Tx&)>& fn) = 0;

    // Typed helpers over read_tx/write_tx.
    template <class T>
    Result<T> read(const TxFn<T>& fn) { return run<T>(fn, false); }
    template <class T>
    Result<T> write(const TxFn<T>& fn) { return run<T>(fn, true); }

    virtual PoolStats pool_stats() const = 0;

private:
    template <class T>
    Result<T> run(const TxFn<T>& fn, bool write) {
        std::optional<T> out;
        auto body = [&](Tx& tx) -> Status {
            auto r = fn(tx);
            if (!r) return r.error();
            out.emplace(std::move(*r));
            return {};
        };
        Status s = write ? write_tx(body) : read_tx(body);
        if (!s) return s.error();
        return std::move(*out);
    }
};

struct SqliteOptions {
    std::string path;           // database file; ":memory:" is refused (readers need the same db)
    int busy_timeout_ms = 5000;
    int readers = 4;            // read connections in the pool
    bool synchronous_full = true;  // durable commits (PRAGMA synchronous=FULL)
};

struct PostgresOptions {
    std::string dsn;            // libpq connection string
    int pool_size = 8;
    int acquire_timeout_ms = 5000;  // waiting for a free connection
    int lock_timeout_ms = 5000;     // waiting for a row or table lock (0: forever); then "storage.busy"
};

// Opens (creating if needed) a SQLite database in WAL mode.
Result<std::unique_ptr<Database>> open_sqlite(const SqliteOptions& o);
// Connects to PostgreSQL (connections are opened lazily up to pool_size).
Result<std::unique_ptr<Database>> open_postgres(const PostgresOptions& o);

}  // namespace idara::storage
