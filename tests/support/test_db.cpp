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
    OwningDatabase(std::unique_ptr<storage::Database> inner, std::function<void()> cleanup)
        : inner_(std::move(inner)), cleanup_(std::move(cleanup)) {}
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

private:
    std::unique_ptr<storage::Database> inner_;
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

std::unique_ptr<storage::Database> open_fresh(storage::Backend b) {
    if (b == storage::Backend::sqlite) {
        std::string templ = (fs::temp_directory_path() / "idara-test-XXXXXX").string();
        if (mkdtemp(templ.data()) == nullptr) throw std::runtime_error("mkdtemp failed for " + templ);
        auto remove_dir = [dir = fs::path(templ)] {
            std::error_code ec;
            fs::remove_all(dir, ec);
        };
        auto db = storage::open_sqlite({.path = templ + "/test.db", .readers = 4});
        if (!db) {
            remove_dir();
            throw std::runtime_error("open_sqlite: " + db.error().code + ": " + db.error().detail);
        }
        return std::make_unique<OwningDatabase>(std::move(*db), remove_dir);
    }
    const std::string dsn = postgres_dsn();
    const std::string name = new_postgres_database(dsn);
    auto drop = [dsn, name] {
        if (auto err = admin_exec(dsn, "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"); !err.empty())
            std::fprintf(stderr, "test_db: %s\n", err.c_str());
    };
    auto db = storage::open_postgres({.dsn = dsn + " dbname=" + name, .pool_size = 8});
    if (!db) {
        drop();
        throw std::runtime_error("open_postgres: " + db.error().code + ": " + db.error().detail);
    }
    return std::make_unique<OwningDatabase>(std::move(*db), drop);
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

std::unique_ptr<storage::Database> fresh_unmigrated_database(storage::Backend b) { return open_fresh(b); }

std::unique_ptr<storage::Database> fresh_database(storage::Backend b) {
    auto db = open_fresh(b);
    auto v = storage::migrate(*db);
    if (!v) throw std::runtime_error("migrate: " + v.error().code + ": " + v.error().detail);
    return db;
}

}  // namespace idara::testing
