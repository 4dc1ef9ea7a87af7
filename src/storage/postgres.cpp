// PostgreSQL implementation of storage::Database (see db.hpp), on libpq.
//
// A pool of connections opened lazily up to pool_size; a broken connection is
// dropped and replaced on next use. Parameters travel as text except blobs
// (binary bytea); results come back as text and are decoded by column type.
#include "storage/db.hpp"
#include "storage/tx_guard.hpp"

#include <libpq-fe.h>

#include <chrono>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <optional>

namespace idara::storage {

namespace {

constexpr Oid kBool = 16, kBytea = 17, kInt8 = 20, kInt2 = 21, kInt4 = 23, kFloat4 = 700, kFloat8 = 701, kNumeric = 1700;

struct ConnDeleter {
    void operator()(PGconn* c) const { PQfinish(c); }
};
using ConnPtr = std::unique_ptr<PGconn, ConnDeleter>;
struct ResultDeleter {
    void operator()(PGresult* r) const { PQclear(r); }
};
using ResultPtr = std::unique_ptr<PGresult, ResultDeleter>;

Error pg_error(PGconn* c, const PGresult* r, std::string_view what) {
    const char* state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
    std::string msg = r ? PQresultErrorMessage(r) : PQerrorMessage(c);
    while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
    std::string detail = std::string(what) + ": " + msg;
    const std::string s = state ? state : "";
    if (PQstatus(c) != CONNECTION_OK || s.rfind("08", 0) == 0 || s.rfind("57P", 0) == 0 || s == "53100")
        return {"storage.unavailable", 503, detail};
    if (s.rfind("23", 0) == 0) return {"storage.conflict", 409, detail};
    if (s == "40001" || s == "40P01" || s == "55P03" || s == "53300") return {"storage.busy", 503, detail};
    return {"storage.query", 500, detail};
}

Value decode(const PGresult* r, int row, int col) {
    if (PQgetisnull(r, row, col)) return nullptr;
    const char* v = PQgetvalue(r, row, col);
    const auto len = static_cast<std::size_t>(PQgetlength(r, row, col));
    switch (PQftype(r, col)) {
        case kInt2:
        case kInt4:
        case kInt8: return std::int64_t{std::strtoll(v, nullptr, 10)};
        case kFloat4:
        case kFloat8:
        case kNumeric: return std::strtod(v, nullptr);
        case kBool: return std::int64_t{v[0] == 't' ? 1 : 0};
        case kBytea: {
            std::size_t n = 0;
            unsigned char* bytes = PQunescapeBytea(reinterpret_cast<const unsigned char*>(v), &n);
            Blob b{std::string(reinterpret_cast<const char*>(bytes), n)};
            PQfreemem(bytes);
            return b;
        }
        default: return std::string(v, len);
    }
}

class PgTx final : public Tx {
public:
    explicit PgTx(PGconn* c) : c_(c) {}
    Backend backend() const override { return Backend::postgres; }

    Result<Rows> query(std::string_view sql, const Params& params) override {
        auto r = run(sql, params);
        if (!r) return r.error();
        Rows rows;
        const int n = PQntuples(r->get()), m = PQnfields(r->get());
        rows.reserve(static_cast<std::size_t>(n));
        for (int i = 0; i < n; ++i) {
            std::vector<Value> vals;
            vals.reserve(static_cast<std::size_t>(m));
            for (int j = 0; j < m; ++j) vals.push_back(decode(r->get(), i, j));
            rows.emplace_back(std::move(vals));
        }
        return rows;
    }

    Result<std::int64_t> exec(std::string_view sql, const Params& params) override {
        auto r = run(sql, params);
        if (!r) return r.error();
        const char* n = PQcmdTuples(r->get());
        return static_cast<std::int64_t>(n && *n ? std::strtoll(n, nullptr, 10) : 0);
    }

    Status exec_script(std::string_view sql) override {
        ResultPtr r(PQexec(c_, std::string(sql).c_str()));
        const auto st = PQresultStatus(r.get());
        if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) return failed(pg_error(c_, r.get(), "script"));
        return {};
    }

    // After a failed statement PostgreSQL aborts the whole transaction, and a COMMIT
    // then silently rolls back: the error that aborted it, if the callback ignored it.
    std::optional<Error> aborted_by() const {
        if (PQtransactionStatus(c_) != PQTRANS_INERROR) return std::nullopt;
        Error e = first_error_.value_or(Error{"storage.query", 500, "transaction aborted"});
        e.detail = "transaction aborted by an earlier failed statement: " + e.detail;
        return e;
    }

    void on_rollback(std::function<void()> undo) override { undo_.push_back(std::move(undo)); }
    void rolled_back() {
        for (auto it = undo_.rbegin(); it != undo_.rend(); ++it) (*it)();
        undo_.clear();
    }

private:
    Result<ResultPtr> run(std::string_view sql, const Params& params) {
        std::vector<std::string> text(params.size());
        std::vector<const char*> values(params.size(), nullptr);
        std::vector<int> lengths(params.size(), 0), formats(params.size(), 0);
        for (std::size_t i = 0; i < params.size(); ++i) {
            const Value& v = params[i];
            if (auto p = std::get_if<std::int64_t>(&v)) text[i] = std::to_string(*p);
            else if (auto d = std::get_if<double>(&v)) {
                char buf[64];
                std::snprintf(buf, sizeof buf, "%.17g", *d);
                text[i] = buf;
            } else if (auto s = std::get_if<std::string>(&v)) text[i] = *s;
            else if (auto b = std::get_if<Blob>(&v)) {
                values[i] = b->bytes.data();
                lengths[i] = static_cast<int>(b->bytes.size());
                formats[i] = 1;
                continue;
            } else continue;  // null
            values[i] = text[i].c_str();
        }
        ResultPtr r(PQexecParams(c_, std::string(sql).c_str(), static_cast<int>(params.size()), nullptr, values.data(),
                                 lengths.data(), formats.data(), 0));
        const auto st = PQresultStatus(r.get());
        if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) return failed(pg_error(c_, r.get(), "query"));
        return r;
    }

    Error failed(Error e) {
        if (!first_error_) first_error_ = e;
        return e;
    }

    PGconn* c_;
    std::optional<Error> first_error_;
    std::vector<std::function<void()>> undo_;
};

class PgDatabase final : public Database {
public:
    explicit PgDatabase(PostgresOptions o) : o_(std::move(o)) {}

    Backend backend() const override { return Backend::postgres; }

    Status read_tx(const std::function<Status(Tx&)>& fn) override { return with_tx("BEGIN READ ONLY", false, fn); }

    Status write_tx(const std::function<Status(Tx&)>& fn) override {
        Status s;
        for (int attempt = 0; attempt < 4; ++attempt) {
            s = with_tx("BEGIN", true, fn);
            if (s || s.error().code != "storage.busy") return s;
        }
        return s;
    }

    PoolStats pool_stats() const override {
        std::lock_guard lk(mu_);
        return {open_, open_ - static_cast<int>(free_.size()), waiting_};
    }

    Status check() {
        auto c = acquire();
        if (!c) return c.error();
        release(std::move(*c));
        return {};
    }

private:
    Result<ConnPtr> acquire() {
        std::unique_lock lk(mu_);
        ++waiting_;
        const bool got = cv_.wait_for(lk, std::chrono::milliseconds(o_.acquire_timeout_ms),
                                      [&] { return !free_.empty() || open_ < o_.pool_size; });
        --waiting_;
        if (!got) return Error{"storage.busy", 503, "no database connection free"};
        if (!free_.empty()) {
            ConnPtr c = std::move(free_.back());
            free_.pop_back();
            return c;
        }
        ++open_;
        lk.unlock();
        ConnPtr c(PQconnectdb(o_.dsn.c_str()));
        if (PQstatus(c.get()) != CONNECTION_OK) {
            Error e{"storage.unavailable", 503, std::string("connect: ") + PQerrorMessage(c.get())};
            std::lock_guard relk(mu_);
            --open_;
            cv_.notify_one();
            return e;
        }
        ResultPtr(PQexec(c.get(), "SET client_min_messages = warning"));
        return c;
    }

    void release(ConnPtr c) {
        std::lock_guard lk(mu_);
        if (PQstatus(c.get()) == CONNECTION_OK && PQtransactionStatus(c.get()) == PQTRANS_IDLE) free_.push_back(std::move(c));
        else --open_;  // broken: dropped, a new one will be opened on demand
        cv_.notify_one();
    }

    Status with_tx(const char* begin, bool write, const std::function<Status(Tx&)>& fn) {
        auto conn = acquire();
        if (!conn) return conn.error();
        PgTx tx(conn->get());
        Status result = tx.exec_script(begin);
        if (result) {
            result = detail::run_guarded(fn, tx);
            if (result && write) {
                if (auto e = tx.aborted_by()) result = std::move(*e);
            }
            if (result) {
                result = tx.exec_script("COMMIT");
                if (result) {
                    release(std::move(*conn));
                    return {};
                }
            }
            (void)tx.exec_script("ROLLBACK");
            tx.rolled_back();
        }
        release(std::move(*conn));
        return result;
    }

    PostgresOptions o_;
    mutable std::mutex mu_;
    std::condition_variable cv_;
    std::vector<ConnPtr> free_;
    int open_ = 0;
    int waiting_ = 0;
};

}  // namespace

Result<std::unique_ptr<Database>> open_postgres(const PostgresOptions& o) {
    if (o.dsn.empty()) return Error{"storage.unavailable", 503, "no PostgreSQL connection string"};
    auto db = std::make_unique<PgDatabase>(o);
    if (auto s = db->check(); !s) return s.error();
    return std::unique_ptr<Database>(std::move(db));
}

}  // namespace idara::storage
