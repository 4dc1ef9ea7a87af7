// PostgreSQL implementation of storage::Database (see db.hpp), on libpq.
//
// A pool of connections opened lazily up to pool_size; a connection found
// broken is dropped (and, when that happens at BEGIN on a pooled connection,
// transparently replaced). Parameters travel as text except blobs (binary
// bytea); results come back as text and are decoded by column type.
// write_tx retries a transaction that lost a serialization conflict or was a
// deadlock victim (SQLSTATE 40001 / 40P01) a few times, running fn again.
#include "storage/db.hpp"
#include "storage/tx_guard.hpp"

#include <libpq-fe.h>

#include <cctype>
#include <charconv>
#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <random>
#include <thread>

namespace idara::storage {

namespace {

constexpr Oid kBool = 16, kBytea = 17, kInt8 = 20, kInt2 = 21, kInt4 = 23, kFloat4 = 700, kFloat8 = 701, kNumeric = 1700;
constexpr int kWriteAttempts = 4;

struct ConnDeleter {
    void operator()(PGconn* c) const { PQfinish(c); }
};
using ConnPtr = std::unique_ptr<PGconn, ConnDeleter>;
struct ResultDeleter {
    void operator()(PGresult* r) const { PQclear(r); }
};
using ResultPtr = std::unique_ptr<PGresult, ResultDeleter>;

std::string_view sqlstate(const PGresult* r) {
    const char* s = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
    return s ? s : "";
}

bool retryable(std::string_view state) { return state == "40001" || state == "40P01"; }

Error pg_error(PGconn* c, const PGresult* r, std::string_view what) {
    const std::string_view s = sqlstate(r);
    std::string msg = r ? PQresultErrorMessage(r) : PQerrorMessage(c);
    while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
    std::string detail = std::string(what) + ": " + msg;
    if (PQstatus(c) != CONNECTION_OK || s.starts_with("08") || s.starts_with("57P") || s == "53100")
        return {"storage.unavailable", 503, std::move(detail)};
    if (s.starts_with("23")) return {"storage.conflict", 409, std::move(detail)};
    if (retryable(s) || s == "55P03" || s == "53300") return {"storage.busy", 503, std::move(detail)};
    return {"storage.query", 500, std::move(detail)};
}

// NUMERIC (SUM of BIGINT, for one) stays an integer when it is one.
Value decode_numeric(const char* v, std::size_t len) {
    std::int64_t i = 0;
    auto [ptr, ec] = std::from_chars(v, v + len, i);
    if (ec == std::errc{} && ptr == v + len) return i;
    return std::strtod(v, nullptr);
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
        case kFloat8: return std::strtod(v, nullptr);
        case kNumeric: return decode_numeric(v, len);
        case kBool: return std::int64_t{v[0] == 't' ? 1 : 0};
        case kBytea: {
            std::size_t n = 0;
            std::unique_ptr<unsigned char, decltype(&PQfreemem)> bytes(
                PQunescapeBytea(reinterpret_cast<const unsigned char*>(v), &n), &PQfreemem);
            if (!bytes) throw std::bad_alloc();
            return Blob{std::string(reinterpret_cast<const char*>(bytes.get()), n)};
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
        const int n = PQntuples(r->get()), m = PQnfields(r->get());
        Rows rows;
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
        if (auto e = refused(sql)) return *e;
        return script(sql);
    }

    // Runs a script without the "transaction still open" check (BEGIN, COMMIT, ROLLBACK).
    Status script(std::string_view sql) {
        sql_.assign(sql);
        ResultPtr r(PQexec(c_, sql_.c_str()));
        const auto st = PQresultStatus(r.get());
        if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) return failed(r.get(), "script");
        return {};
    }

    // Why the transaction can no longer commit, if it cannot: PostgreSQL aborts the
    // whole transaction after a failed statement (a COMMIT then silently rolls back),
    // and a callback may have ended it itself (statements would then autocommit).
    std::optional<Error> ended() const {
        const auto ts = PQtransactionStatus(c_);
        if (ts == PQTRANS_INTRANS || ts == PQTRANS_ACTIVE) return std::nullopt;
        Error e = first_error_.value_or(Error{"storage.query", 500, "the transaction was ended inside the callback"});
        e.detail = "transaction no longer open: " + e.detail;
        return e;
    }

    // Whether a statement failed on a serialization conflict or deadlock: worth a retry.
    bool retryable_failure() const { return retryable_; }

    void on_rollback(std::function<void()> undo) override { undo_.push_back(std::move(undo)); }
    void rolled_back() { detail::run_undo(undo_); }

private:
    // A statement is not sent when the transaction has ended (it would autocommit), nor
    // after a failure other than to roll back to a savepoint (PostgreSQL would refuse it).
    std::optional<Error> refused(std::string_view sql) const {
        const auto ts = PQtransactionStatus(c_);
        if (ts == PQTRANS_INERROR && starts_with_rollback(sql)) return std::nullopt;
        return ended();
    }

    static bool starts_with_rollback(std::string_view sql) {
        const auto start = sql.find_first_not_of(" \t\r\n");
        if (start == std::string_view::npos || sql.size() - start < 8) return false;
        constexpr std::string_view kw = "rollback";
        for (std::size_t i = 0; i < kw.size(); ++i)
            if (std::tolower(static_cast<unsigned char>(sql[start + i])) != kw[i]) return false;
        return true;
    }

    Result<ResultPtr> run(std::string_view sql, const Params& params) {
        if (auto e = refused(sql)) return *e;
        if (auto bad = detail::check_params(params)) return *bad;
        const std::size_t n = params.size();
        text_.resize(n);
        values_.assign(n, nullptr);
        lengths_.assign(n, 0);
        formats_.assign(n, 0);
        for (std::size_t i = 0; i < n; ++i) {
            const Value& v = params[i];
            if (auto p = std::get_if<std::int64_t>(&v)) text_[i] = std::to_string(*p);
            else if (auto d = std::get_if<double>(&v)) {
                char buf[32];
                std::snprintf(buf, sizeof buf, "%.17g", *d);
                text_[i] = buf;
            } else if (auto s = std::get_if<std::string>(&v)) {
                values_[i] = s->c_str();  // no copy: the caller's string outlives the call
                continue;
            } else if (auto b = std::get_if<Blob>(&v)) {
                values_[i] = b->bytes.data();
                lengths_[i] = static_cast<int>(b->bytes.size());
                formats_[i] = 1;
                continue;
            } else continue;  // null
            values_[i] = text_[i].c_str();
        }
        sql_.assign(sql);
        ResultPtr r(PQexecParams(c_, sql_.c_str(), static_cast<int>(n), nullptr, values_.data(), lengths_.data(),
                                 formats_.data(), 0));
        const auto st = PQresultStatus(r.get());
        if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) return failed(r.get(), "query");
        return r;
    }

    Error failed(const PGresult* r, std::string_view what) {
        retryable_ = retryable_ || retryable(sqlstate(r));
        Error e = pg_error(c_, r, what);
        if (!first_error_) first_error_ = e;
        return e;
    }

    PGconn* c_;
    std::optional<Error> first_error_;
    bool retryable_ = false;
    std::vector<std::function<void()>> undo_;
    // Reused between statements of this transaction.
    std::string sql_;
    std::vector<std::string> text_;
    std::vector<const char*> values_;
    std::vector<int> lengths_, formats_;
};

void backoff(int attempt) {
    thread_local std::minstd_rand rng{std::random_device{}()};
    std::uniform_int_distribution<int> ms(1, 10 << attempt);
    std::this_thread::sleep_for(std::chrono::milliseconds(ms(rng)));
}

class PgDatabase final : public Database {
public:
    explicit PgDatabase(PostgresOptions o) : o_(std::move(o)) {}

    Backend backend() const override { return Backend::postgres; }

    Status read_tx(const std::function<Status(Tx&)>& fn) override {
        bool retry = false;
        return with_tx("BEGIN READ ONLY", false, fn, retry);
    }

    Status write_tx(const std::function<Status(Tx&)>& fn) override {
        for (int attempt = 1;; ++attempt) {
            bool retry = false;
            Status s = with_tx("BEGIN", true, fn, retry);
            if (s || !retry || attempt == kWriteAttempts) return s;
            backoff(attempt);
        }
    }

    PoolStats pool_stats() const override {
        std::lock_guard lk(mu_);
        return {open_, open_ - static_cast<int>(free_.size()), waiting_};
    }

    Status check() {
        auto c = acquire();
        if (!c) return c.error();
        release(std::move(c->conn));
        return {};
    }

private:
    struct Lease {
        ConnPtr conn;
        bool reused = false;  // taken from the pool rather than opened now
    };

    Result<Lease> acquire() {
        std::unique_lock lk(mu_);
        ++waiting_;
        const bool got = cv_.wait_for(lk, std::chrono::milliseconds(o_.acquire_timeout_ms),
                                      [&] { return !free_.empty() || open_ < o_.pool_size; });
        --waiting_;
        if (!got) return Error{"storage.busy", 503, "no database connection free"};
        if (!free_.empty()) {
            ConnPtr c = std::move(free_.back());
            free_.pop_back();
            return Lease{std::move(c), true};
        }
        ++open_;
        lk.unlock();
        ConnPtr c(PQconnectdb(o_.dsn.c_str()));
        if (PQstatus(c.get()) != CONNECTION_OK) {
            forget();
            return Error{"storage.unavailable", 503, std::string("connect: ") + PQerrorMessage(c.get())};
        }
        const std::string setup = "SET client_min_messages = warning; SET lock_timeout = " +
                                  std::to_string(std::max(0, o_.lock_timeout_ms));
        ResultPtr set(PQexec(c.get(), setup.c_str()));
        if (PQresultStatus(set.get()) != PGRES_COMMAND_OK) {
            forget();
            return pg_error(c.get(), set.get(), "session setup");
        }
        return Lease{std::move(c), false};
    }

    // A connection counted in open_ will not be pooled (it is closed by its owner).
    void forget() {
        std::lock_guard lk(mu_);
        --open_;
        cv_.notify_one();
    }

    void release(ConnPtr c) {
        std::lock_guard lk(mu_);
        if (PQstatus(c.get()) == CONNECTION_OK && PQtransactionStatus(c.get()) == PQTRANS_IDLE) free_.push_back(std::move(c));
        else --open_;  // broken or stuck in a transaction: dropped, a new one opens on demand
        cv_.notify_one();
    }

    // A connection whose transaction has begun (tx set on it), replacing pooled
    // connections found broken (the server restarted, an idle session was killed).
    Result<Lease> begin(std::optional<PgTx>& tx, const char* sql) {
        for (int tries = 0;; ++tries) {
            auto lease = acquire();
            if (!lease) return lease.error();
            tx.emplace(lease->conn.get());
            Status s = tx->script(sql);
            if (s) return lease;
            const bool broken = PQstatus(lease->conn.get()) != CONNECTION_OK;
            release(std::move(lease->conn));
            if (!broken || !lease->reused || tries > o_.pool_size) return s.error();
        }
    }

    Status with_tx(const char* begin_sql, bool write, const std::function<Status(Tx&)>& fn, bool& retry) {
        std::optional<PgTx> tx;
        auto lease = begin(tx, begin_sql);
        if (!lease) return lease.error();
        Status result = detail::run_guarded(fn, *tx);
        if (result && write) {
            if (auto e = tx->ended()) result = std::move(*e);
        }
        if (result) {
            result = tx->script("COMMIT");
            if (result) {
                release(std::move(lease->conn));
                return {};
            }
        }
        if (PQtransactionStatus(lease->conn.get()) != PQTRANS_IDLE) (void)tx->script("ROLLBACK");
        tx->rolled_back();
        retry = tx->retryable_failure();
        release(std::move(lease->conn));
        return result;
    }

    PostgresOptions o_;
    mutable std::mutex mu_;  // guards free_, open_, waiting_
    std::condition_variable cv_;
    std::vector<ConnPtr> free_;
    int open_ = 0;
    int waiting_ = 0;
};

}  // namespace

Result<std::unique_ptr<Database>> open_postgres(const PostgresOptions& o) {
    if (o.dsn.empty()) return Error{"storage.unavailable", 503, "no PostgreSQL connection string"};
    if (o.pool_size < 1) return Error{"storage.unavailable", 503, "PostgreSQL pool_size must be at least 1"};
    auto db = std::make_unique<PgDatabase>(o);
    if (auto s = db->check(); !s) return s.error();
    return std::unique_ptr<Database>(std::move(db));
}

}  // namespace idara::storage
