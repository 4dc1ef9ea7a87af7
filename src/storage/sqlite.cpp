// SQLite implementation of storage::Database (see db.hpp).
//
// One writer connection guarded by a mutex (BEGIN IMMEDIATE), a pool of
// read-only connections (deferred BEGIN, PRAGMA query_only); WAL mode so
// readers never block the writer. Waiting for the writer or for a reader is
// bounded by busy_timeout_ms ("storage.busy").
#include "storage/sqlite_connection.hpp"
#include "storage/tx_guard.hpp"

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>

namespace idara::storage {

namespace {

using sqlite::Connection;

class SqliteTx final : public Tx {
public:
    explicit SqliteTx(Connection& c) : c_(c) {}
    Backend backend() const override { return Backend::sqlite; }

    Result<Rows> query(std::string_view sql, const Params& params) override {
        Rows rows;
        if (auto s = run(sql, params, &rows); !s) return s.error();
        return rows;
    }
    Result<std::int64_t> exec(std::string_view sql, const Params& params) override {
        if (auto s = run(sql, params, nullptr); !s) return s.error();
        return static_cast<std::int64_t>(sqlite3_changes64(c_.raw()));
    }
    Status exec_script(std::string_view sql) override {
        if (auto e = ended()) return *e;
        return failed(c_.exec_script(sql));
    }
    void on_rollback(std::function<void()> undo) override { undo_.push_back(std::move(undo)); }
    void rolled_back() { detail::run_undo(undo_); }

    // Set when the transaction is no longer open although the callback still runs:
    // SQLite rolled it back itself (disk full, I/O error) or the callback ended it.
    // Further statements would then run unprotected in autocommit mode, so they are refused.
    std::optional<Error> ended() const {
        if (sqlite3_get_autocommit(c_.raw()) == 0) return std::nullopt;
        Error e = first_error_.value_or(Error{"storage.query", 500, "the transaction was ended inside the callback"});
        e.detail = "transaction no longer open: " + e.detail;
        return e;
    }

private:
    Status run(std::string_view sql, const Params& params, Rows* out) {
        if (auto e = ended()) return *e;
        return failed(step_all(sql, params, out));
    }

    Status step_all(std::string_view sql, const Params& params, Rows* out) {
        auto st = c_.prepare(sql);
        if (!st) return st.error();
        sqlite3_stmt* s = *st;
        struct Reset {
            sqlite3_stmt* s;
            ~Reset() {
                sqlite3_reset(s);
                sqlite3_clear_bindings(s);
            }
        } reset{s};
        if (auto b = sqlite::bind_all(s, params, c_); !b) return b.error();
        const int ncol = sqlite3_column_count(s);
        for (;;) {
            const int rc = sqlite3_step(s);
            if (rc == SQLITE_DONE) return {};
            if (rc != SQLITE_ROW) return c_.error(rc, "step");
            if (out == nullptr) continue;
            std::vector<Value> vals;
            vals.reserve(static_cast<std::size_t>(ncol));
            for (int i = 0; i < ncol; ++i) vals.push_back(sqlite::column(s, i));
            out->emplace_back(std::move(vals));
        }
    }

    Status failed(Status s) {
        if (!s && !first_error_) first_error_ = s.error();
        return s;
    }

    Connection& c_;
    std::optional<Error> first_error_;
    std::vector<std::function<void()>> undo_;
};

// Runs fn inside `begin` … COMMIT on c; rolls back on error or exception.
Status in_transaction(Connection& c, const char* begin, const std::function<Status(Tx&)>& fn) {
    if (auto s = c.exec_script(begin); !s) return s.error();
    SqliteTx tx(c);
    Status result = detail::run_guarded(fn, tx);
    if (result) {
        if (auto e = tx.ended()) result = std::move(*e);
    }
    if (result) {
        auto s = c.exec_script("COMMIT");
        if (s) return {};
        result = s.error();
    }
    if (sqlite3_get_autocommit(c.raw()) == 0) (void)c.exec_script("ROLLBACK");
    tx.rolled_back();
    return result;
}

Error busy(std::string what) { return {"storage.busy", 503, std::move(what)}; }

class SqliteDatabase final : public Database {
public:
    explicit SqliteDatabase(const SqliteOptions& o) : timeout_(o.busy_timeout_ms) {}

    Status open(const SqliteOptions& o) {
        auto w = Connection::open(o, false);
        if (!w) return w.error();
        writer_ = std::move(*w);
        for (int i = 0; i < std::max(1, o.readers); ++i) {
            auto r = Connection::open(o, true);
            if (!r) return r.error();
            free_.push_back(r->get());
            readers_.push_back(std::move(*r));
        }
        return {};
    }

    Backend backend() const override { return Backend::sqlite; }

    Status write_tx(const std::function<Status(Tx&)>& fn) override {
        change_waiting(+1);
        std::unique_lock lk(write_mu_, timeout_);
        change_waiting(-1);
        if (!lk.owns_lock()) return busy("the writer connection stayed busy");
        set_writer_busy(true);
        Status s = in_transaction(*writer_, "BEGIN IMMEDIATE", fn);
        set_writer_busy(false);
        return s;
    }

    Status read_tx(const std::function<Status(Tx&)>& fn) override {
        Connection* c = nullptr;
        {
            std::unique_lock lk(pool_mu_);
            ++waiting_;
            const bool got = pool_cv_.wait_for(lk, timeout_, [&] { return !free_.empty(); });
            --waiting_;
            if (!got) return busy("no reader connection free");
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
        const int readers = static_cast<int>(readers_.size());
        return {readers + 1, readers - static_cast<int>(free_.size()) + (writer_busy_ ? 1 : 0), waiting_};
    }

private:
    void change_waiting(int d) {
        std::lock_guard lk(pool_mu_);
        waiting_ += d;
    }
    void set_writer_busy(bool b) {
        std::lock_guard lk(pool_mu_);
        writer_busy_ = b;
    }

    const std::chrono::milliseconds timeout_;
    std::unique_ptr<Connection> writer_;
    std::timed_mutex write_mu_;  // held for a whole write transaction
    std::vector<std::unique_ptr<Connection>> readers_;
    mutable std::mutex pool_mu_;  // guards free_, waiting_, writer_busy_
    std::condition_variable pool_cv_;
    std::vector<Connection*> free_;
    int waiting_ = 0;
    bool writer_busy_ = false;
};

}  // namespace

Result<std::unique_ptr<Database>> open_sqlite(const SqliteOptions& o) {
    if (o.path.empty() || o.path == ":memory:" || o.path.rfind("file::memory:", 0) == 0 ||
        o.path.find("mode=memory") != std::string::npos)
        return Error{"storage.query", 500, "SQLite needs a database file (readers share it)"};
    auto db = std::make_unique<SqliteDatabase>(o);
    if (auto s = db->open(o); !s) return s.error();
    return std::unique_ptr<Database>(std::move(db));
}

}  // namespace idara::storage
