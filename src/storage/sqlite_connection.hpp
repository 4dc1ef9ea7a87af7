// Internal to the SQLite implementation (sqlite.cpp): one sqlite3 connection
// with its prepared-statement cache, error mapping and value conversion.
//
// A Connection is used by one thread at a time (the Database hands it out
// under a mutex); it is not thread-safe itself.
#pragma once

#include "storage/db.hpp"

#include <sqlite3.h>

#include <map>
#include <memory>
#include <string>
#include <string_view>

namespace idara::storage::sqlite {

// Maps a SQLite result code to a storage error (see db.hpp for the codes).
// A write refused on a read-only (reader) connection is a defect: "storage.query".
Error to_error(int rc, sqlite3* db, std::string_view what, bool reader = false);

// "$12" → "?12", except inside '…' literals, "…"/`…`/[…] identifiers and comments,
// and except when the '$' continues an identifier (SQLite allows "a$1" as a name).
std::string rewrite_placeholders(std::string_view sql);

struct StmtDeleter {
    void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using StmtPtr = std::unique_ptr<sqlite3_stmt, StmtDeleter>;
struct DbDeleter {
    void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using DbPtr = std::unique_ptr<sqlite3, DbDeleter>;

class Connection {
public:
    // Opens `o.path` with WAL, busy_timeout, foreign_keys=ON and the requested
    // synchronous level; a reader connection is also made read-only (query_only).
    static Result<std::unique_ptr<Connection>> open(const SqliteOptions& o, bool reader);

    // Runs a script of statements without parameters.
    Status exec_script(std::string_view sql);
    // The cached prepared statement for `sql` (written with $N placeholders).
    // A cache hit allocates nothing. Refuses SQL holding more than one statement.
    Result<sqlite3_stmt*> prepare(std::string_view sql);

    sqlite3* raw() const { return db_.get(); }
    bool reader() const { return reader_; }
    Error error(int rc, std::string_view what) const { return to_error(rc, db_.get(), what, reader_); }

private:
    struct Key {
        explicit Key() = default;
    };

public:
    Connection(Key, DbPtr db, bool reader) : db_(std::move(db)), reader_(reader) {}

private:

    static constexpr std::size_t kCacheLimit = 256;
    // Declared after db_ so statements are finalized before the connection closes.
    DbPtr db_;
    bool reader_;
    std::map<std::string, StmtPtr, std::less<>> cache_;  // keyed by the caller's SQL
};

// Binds params to ?1..?N; text must not hold NUL bytes (use Blob for bytes).
Status bind_all(sqlite3_stmt* st, const Params& params, const Connection& c);
// The value of column i of the current row.
Value column(sqlite3_stmt* st, int i);

}  // namespace idara::storage::sqlite
