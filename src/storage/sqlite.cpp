// SQLite implementation of storage::Database (see db.hpp).
//
// One writer connection guarded by a mutex (BEGIN IMMEDIATE), a pool of
// read-only connections; WAL mode so readers never block the writer.
#include "storage/db.hpp"
#include "storage/tx_guard.hpp"

#include <sqlite3.h>

#include <condition_variable>
#include <map>
#include <mutex>

namespace idara::storage {

namespace {

Error sqlite_error(int rc, sqlite3* db, std::string_view what) {
    const int primary = rc & 0xff;
    std::string detail = std::string(what) + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
    switch (primary) {
        case SQLITE_CONSTRAINT: return {"storage.conflict", 409, detail};
        case SQLITE_BUSY:
        case SQLITE_LOCKED: return {"storage.busy", 503, detail};
        case SQLITE_FULL:
        case SQLITE_IOERR:
        case SQLITE_CANTOPEN:
        case SQLITE_READONLY:
        case SQLITE_CORRUPT:
        case SQLITE_NOTADB: return {"storage.unavailable", 503, detail};
        default: return {"storage.query", 500, detail};
    }
}

// "$12" → "?12", outside of single-quoted literals.
std::string rewrite_placeholders(std::string_view sql) {
    std::string out;
    out.reserve(sql.size());
    bool quoted = false;
    for (std::size_t i = 0; i < sql.size(); ++i) {
        char c = sql[i];
        if (c == '\'') quoted = !quoted;
        if (!quoted && c == '$' && i + 1 < sql.size() && sql[i + 1] >= '0' && sql[i + 1] <= '9') c = '?';
        out += c;
    }
    return out;
}

struct StmtDeleter {
    void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using StmtPtr = std::unique_ptr<sqlite3_stmt, StmtDeleter>;

class Connection {
public:
    static Result<std::unique_ptr<Connection>> open(const SqliteOptions& o, bool reader) {
        sqlite3* raw = nullptr;
        const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
        int rc = sqlite3_open_v2(o.path.c_str(), &raw, flags, nullptr);
        auto c = std::unique_ptr<Connection>(new Connection(raw));
        if (rc != SQLITE_OK) return sqlite_error(rc, raw, "open " + o.path);
        sqlite3_busy_timeout(raw, o.busy_timeout_ms);
        sqlite3_extended_result_codes(raw, 1);
        std::string pragmas = "PRAGMA foreign_keys=ON; PRAGMA journal_mode=WAL; PRAGMA synchronous=";
        pragmas += o.synchronous_full ? "FULL;" : "NORMAL;";
        if (reader) pragmas += " PRAGMA query_only=1;";
        if (auto s = c->exec_script(pragmas); !s) return s.error();
        return c;
    }
    ~Connection() {
        cache_.clear();
        sqlite3_close_v2(db_);
    }

    Status exec_script(std::string_view sql) {
        char* err = nullptr;
        const std::string s(sql);
        int rc = sqlite3_exec(db_, s.c_str(), nullptr, nullptr, &err);
        if (err != nullptr) sqlite3_free(err);
        if (rc != SQLITE_OK) return sqlite_error(rc, db_, "script");
        return {};
    }

    Result<sqlite3_stmt*> prepare(std::string_view sql) {
        auto key = rewrite_placeholders(sql);
        if (auto it = cache_.find(key); it != cache_.end()) return it->second.get();
        sqlite3_stmt* raw = nullptr;
        int rc = sqlite3_prepare_v3(db_, key.c_str(), static_cast<int>(key.size()), SQLITE_PREPARE_PERSISTENT, &raw,
                                    nullptr);
        if (rc != SQLITE_OK) return sqlite_error(rc, db_, "prepare");
        if (raw == nullptr) return Error{"storage.query", 500, "empty statement"};
        if (cache_.size() >= 256) cache_.clear();
        return cache_.emplace(std::move(key), StmtPtr(raw)).first->second.get();
    }

    sqlite3* raw() const { return db_; }

private:
    explicit Connection(sqlite3* db) : db_(db) {}
    sqlite3* db_;
    std::map<std::string, StmtPtr, std::less<>> cache_;
};

Status bind_all(sqlite3_stmt* st, const Params& params, sqlite3* db) {
    for (std::size_t i = 0; i < params.size(); ++i) {
        const int idx = static_cast<int>(i + 1);
        const Value& v = params[i];
        int rc = SQLITE_OK;
        if (std::holds_alternative<std::nullptr_t>(v)) rc = sqlite3_bind_null(st, idx);
        else if (auto p = std::get_if<std::int64_t>(&v)) rc = sqlite3_bind_int64(st, idx, *p);
        else if (auto d = std::get_if<double>(&v)) rc = sqlite3_bind_double(st, idx, *d);
        else if (auto s = std::get_if<std::string>(&v)) rc = sqlite3_bind_text64(st, idx, s->data(), s->size(), SQLITE_TRANSIENT, SQLITE_UTF8);
        else if (auto b = std::get_if<Blob>(&v)) rc = b->bytes.empty() ? sqlite3_bind_zeroblob(st, idx, 0)
                                                                       : sqlite3_bind_blob64(st, idx, b->bytes.data(), b->bytes.size(), SQLITE_TRANSIENT);
        if (rc != SQLITE_OK) return sqlite_error(rc, db, "bind");
    }
    return {};
}

Value column(sqlite3_stmt* st, int i) {
    switch (sqlite3_column_type(st, i)) {
        case SQLITE_INTEGER: return std::int64_t{sqlite3_column_int64(st, i)};
        case SQLITE_FLOAT: return sqlite3_column_double(st, i);
        case SQLITE_TEXT: {
            auto p = reinterpret_cast<const char*>(sqlite3_column_text(st, i));
            return std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(st, i)));
        }
        case SQLITE_BLOB: {
            auto p = static_cast<const char*>(sqlite3_column_blob(st, i));
            const auto n = static_cast<std::size_t>(sqlite3_column_bytes(st, i));
            return Blob{p ? std::string(p, n) : std::string()};
        }
        default: return nullptr;
    }
}

class SqliteTx final : public Tx {
public:
    explicit SqliteTx(Connection& c) : c_(c) {}
    Backend backend() const override { return Backend::sqlite; }

    Result<Rows> query(std::string_view sql, const Params& params) override {
        Rows rows;
        auto s = run(sql, params, &rows);
        if (!s) return s.error();
        return rows;
    }
    Result<std::int64_t> exec(std::string_view sql, const Params& params) override {
        auto s = run(sql, params, nullptr);
        if (!s) return s.error();
        return static_cast<std::int64_t>(sqlite3_changes64(c_.raw()));
    }
    Status exec_script(std::string_view sql) override { return c_.exec_script(sql); }
    void on_rollback(std::function<void()> undo) override { undo_.push_back(std::move(undo)); }
    void rolled_back() {
        for (auto it = undo_.rbegin(); it != undo_.rend(); ++it) (*it)();
        undo_.clear();
    }

private:
    Status run(std::string_view sql, const Params& params, Rows* out) {
        auto st = c_.prepare(sql);
        if (!st) return st.error();
        sqlite3_stmt* s = *st;
        struct Reset {
            sqlite3_stmt* s;
            ~Reset() { sqlite3_reset(s); sqlite3_clear_bindings(s); }
        } reset{s};
        if (static_cast<int>(params.size()) != sqlite3_bind_parameter_count(s))
            return Error{"storage.query", 500, "parameter count mismatch"};
        if (auto b = bind_all(s, params, c_.raw()); !b) return b.error();
        const int ncol = sqlite3_column_count(s);
        for (;;) {
            int rc = sqlite3_step(s);
            if (rc == SQLITE_DONE) return {};
            if (rc != SQLITE_ROW) return sqlite_error(rc, c_.raw(), "step");
            if (out == nullptr) continue;
            std::vector<Value> vals;
            vals.reserve(static_cast<std::size_t>(ncol));
            for (int i = 0; i < ncol; ++i) vals.push_back(column(s, i));
            out->emplace_back(std::move(vals));
        }
    }
    Connection& c_;
    std::vector<std::function<void()>> undo_;
};

// Runs fn inside BEGIN/COMMIT on c; rolls back on error or exception.
Status in_transaction(Connection& c, const char* begin, const std::function<Status(Tx&)>& fn) {
    if (auto s = c.exec_script(begin); !s) return s.error();
    SqliteTx tx(c);
    Status result = detail::run_guarded(fn, tx);
    if (result) {
        if (auto s = c.exec_script("COMMIT"); s) return {};
        else result = s.error();
    }
    (void)c.exec_script("ROLLBACK");
    tx.rolled_back();
    return result;
}

class SqliteDatabase final : public Database {
public:
    static Result<std::unique_ptr<Database>> open(const SqliteOptions& o) {
        if (o.path.empty() || o.path == ":memory:" || o.path.rfind("file::memory:", 0) == 0)
            return Error{"storage.query", 500, "SQLite needs a database file (readers share it)"};
        auto db = std::unique_ptr<SqliteDatabase>(new SqliteDatabase());
        auto w = Connection::open(o, false);
        if (!w) return w.error();
        db->writer_ = std::move(*w);
        for (int i = 0; i < std::max(1, o.readers); ++i) {
            auto r = Connection::open(o, true);
            if (!r) return r.error();
            db->free_.push_back(r->get());
            db->readers_.push_back(std::move(*r));
        }
        return std::unique_ptr<Database>(std::move(db));
    }

    Backend backend() const override { return Backend::sqlite; }

    Status write_tx(const std::function<Status(Tx&)>& fn) override {
        std::unique_lock lk(write_mu_);
        return in_transaction(*writer_, "BEGIN IMMEDIATE", fn);
    }

    Status read_tx(const std::function<Status(Tx&)>& fn) override {
        Connection* c = nullptr;
        {
            std::unique_lock lk(pool_mu_);
            ++waiting_;
            pool_cv_.wait(lk, [&] { return !free_.empty(); });
            --waiting_;
            c = free_.back();
            free_.pop_back();
        }
        Status s = in_transaction(*c, "BEGIN", fn);
        {
            std::lock_guard lk(pool_mu_);
            free_.push_back(c);
        }
        pool_cv_.notify_one();
        return s;
    }

    PoolStats pool_stats() const override {
        std::lock_guard lk(pool_mu_);
        const int total = static_cast<int>(readers_.size()) + 1;
        return {total, static_cast<int>(readers_.size() - free_.size()), waiting_};
    }

private:
    SqliteDatabase() = default;
    std::unique_ptr<Connection> writer_;
    std::mutex write_mu_;
    std::vector<std::unique_ptr<Connection>> readers_;
    std::vector<Connection*> free_;
    mutable std::mutex pool_mu_;
    std::condition_variable pool_cv_;
    int waiting_ = 0;
};

}  // namespace

Result<std::unique_ptr<Database>> open_sqlite(const SqliteOptions& o) { return SqliteDatabase::open(o); }

}  // namespace idara::storage
