#include "test_db.hpp"

#include "core/random.hpp"
#include "storage/migrations.hpp"

#include <libpq-fe.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <stdexcept>

namespace fs = std::filesystem;

namespace idara::testing {

namespace {

// Owns what a test database lives in (SQLite: its temporary directory; PostgreSQL: the
// database on the test server) and removes it after the database has closed.
class OwningDatabase final : public storage::Database {
public:
    using Opener = std::function<Result<std::unique_ptr<storage::Database>>()>;
    OwningDatabase(std::unique_ptr<storage::Database> inner, Opener reopen, std::function<void()> cleanup)
        : inner_(std::move(inner)), reopen_(std::move(reopen)), cleanup_(std::move(cleanup)) {}
    OwningDatabase(const OwningDatabase&) = delete;
    OwningDatabase& operator=(const OwningDatabase&) = delete;
    ~OwningDatabase() override {
        inner_.reset();
        if (cleanup_) cleanup_();
    }
    storage::Backend backend() const override { return inner_->backend(); }
    Status read_tx(const std::function<Status(storage::Tx&)>& fn) override { return inner_->read_tx(fn); }
    Status write_tx(const std::function<Status(storage::Tx&)>& fn) override { return inner_->write_tx(fn); }
    storage::PoolStats pool_stats() const override { return inner_->pool_stats(); }
    Result<std::unique_ptr<storage::Database>> reopen() const { return reopen_(); }

private:
    std::unique_ptr<storage::Database> inner_;
    Opener reopen_;
    std::function<void()> cleanup_;
};

// Runs one statement on the test server's maintenance database; returns libpq's message on failure.
std::string admin_exec(const std::string& dsn, const std::string& sql) {
    PGconn* admin = PQconnectdb(dsn.c_str());
    if (PQstatus(admin) != CONNECTION_OK) {
        std::string msg = PQerrorMessage(admin);
        PQfinish(admin);
        return "cannot reach the test PostgreSQL server (" + dsn + "): " + msg;
    }
    PGresult* r = PQexec(admin, sql.c_str());
    const bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    std::string msg = ok ? std::string() : sql + ": " + PQerrorMessage(admin);
    PQclear(r);
    PQfinish(admin);
    return msg;
}

std::string new_postgres_database(const std::string& dsn) {
    const std::string name = "idara_t_" + random::hex_token(8);
    if (auto err = admin_exec(dsn, "CREATE DATABASE " + name); !err.empty()) throw std::runtime_error(err);
    return name;
}

std::unique_ptr<storage::Database> open_fresh(storage::Backend b, int connections, int wait_ms) {
    OwningDatabase::Opener opener;
    std::function<void()> cleanup;
    if (b == storage::Backend::sqlite) {
        std::string templ = (fs::temp_directory_path() / "idara-test-XXXXXX").string();
        if (mkdtemp(templ.data()) == nullptr) throw std::runtime_error("mkdtemp failed for " + templ);
        cleanup = [dir = fs::path(templ)] {
            std::error_code ec;
            fs::remove_all(dir, ec);
        };
        storage::SqliteOptions o{.path = templ + "/test.db", .readers = connections > 0 ? connections : 4};
        if (wait_ms > 0) o.busy_timeout_ms = wait_ms;
        opener = [o] { return storage::open_sqlite(o); };
    } else {
        const std::string dsn = postgres_dsn();
        const std::string name = new_postgres_database(dsn);
        cleanup = [dsn, name] {
            if (auto err = admin_exec(dsn, "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"); !err.empty())
                std::fprintf(stderr, "test_db: %s\n", err.c_str());
        };
        storage::PostgresOptions o{.dsn = dsn + " dbname=" + name, .pool_size = connections > 0 ? connections : 8};
        if (wait_ms > 0) o.acquire_timeout_ms = o.lock_timeout_ms = wait_ms;
        opener = [o] { return storage::open_postgres(o); };
    }
    auto db = opener();
    if (!db) {
        cleanup();
        throw std::runtime_error("opening a test database: " + db.error().code + ": " + db.error().detail);
    }
    return std::make_unique<OwningDatabase>(std::move(*db), std::move(opener), std::move(cleanup));
}

}  // namespace

std::vector<storage::Backend> all_backends() { return {storage::Backend::sqlite, storage::Backend::postgres}; }

std::string backend_param_name(const ::testing::TestParamInfo<storage::Backend>& info) {
    return std::string(storage::backend_name(info.param));
}

std::string postgres_dsn() {
    const char* file = std::getenv("IDARA_TEST_PG_DSN_FILE");
    if (file == nullptr || *file == '\0')
        throw std::runtime_error("IDARA_TEST_PG_DSN_FILE is not set: run PostgreSQL tests through ctest (fixture 'postgres')");
    std::ifstream in(file);
    if (!in)
        throw std::runtime_error(std::string("cannot read the PostgreSQL DSN file ") + file +
                                 ": is the CTest fixture 'postgres' (scripts/pg-test.sh start) running?");
    std::string dsn;
    std::getline(in, dsn);
    if (dsn.empty())
        throw std::runtime_error(std::string("no PostgreSQL DSN in ") + file + ": is the 'postgres' fixture running?");
    return dsn;
}

std::string fresh_postgres_dsn() {
    const std::string dsn = postgres_dsn();
    return dsn + " dbname=" + new_postgres_database(dsn);
}

std::unique_ptr<storage::Database> fresh_unmigrated_database(storage::Backend b, int connections, int wait_ms) {
    return open_fresh(b, connections, wait_ms);
}

std::unique_ptr<storage::Database> open_same(const storage::Database& db) {
    const auto* owner = dynamic_cast<const OwningDatabase*>(&db);
    if (owner == nullptr) throw std::logic_error("open_same: the database does not come from fresh_*database()");
    auto again = owner->reopen();
    if (!again) throw std::runtime_error("open_same: " + again.error().code + ": " + again.error().detail);
    return std::move(*again);
}

std::unique_ptr<storage::Database> fresh_database(storage::Backend b) {
    auto db = open_fresh(b, 0, 0);
    auto v = storage::migrate(*db);
    if (!v) throw std::runtime_error("migrate: " + v.error().code + ": " + v.error().detail);
    return db;
}

}  // namespace idara::testing
