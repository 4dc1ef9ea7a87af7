#include "test_db.hpp"

#include "core/random.hpp"
#include "storage/migrations.hpp"

#include <libpq-fe.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace fs = std::filesystem;

namespace idara::testing {

namespace {

// Owns the temporary directory of a SQLite test database; removes it after the database closes.
class OwningDatabase final : public storage::Database {
public:
    OwningDatabase(std::unique_ptr<storage::Database> inner, fs::path dir) : inner_(std::move(inner)), dir_(std::move(dir)) {}
    ~OwningDatabase() override {
        inner_.reset();
        std::error_code ec;
        fs::remove_all(dir_, ec);
    }
    storage::Backend backend() const override { return inner_->backend(); }
    Status read_tx(const std::function<Status(storage::Tx&)>& fn) override { return inner_->read_tx(fn); }
    Status write_tx(const std::function<Status(storage::Tx&)>& fn) override { return inner_->write_tx(fn); }
    storage::PoolStats pool_stats() const override { return inner_->pool_stats(); }

private:
    std::unique_ptr<storage::Database> inner_;
    fs::path dir_;
};

std::unique_ptr<storage::Database> open_fresh(storage::Backend b) {
    if (b == storage::Backend::sqlite) {
        std::string templ = (fs::temp_directory_path() / "idara-test-XXXXXX").string();
        if (mkdtemp(templ.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
        auto db = storage::open_sqlite({.path = templ + "/test.db", .readers = 4});
        if (!db) throw std::runtime_error("open_sqlite: " + db.error().detail);
        return std::make_unique<OwningDatabase>(std::move(*db), templ);
    }
    auto db = storage::open_postgres({.dsn = fresh_postgres_dsn(), .pool_size = 8});
    if (!db) throw std::runtime_error("open_postgres: " + db.error().detail);
    return std::move(*db);
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
    std::string dsn;
    std::getline(in, dsn);
    if (dsn.empty())
        throw std::runtime_error(std::string("no PostgreSQL DSN in ") + file + ": is the 'postgres' fixture running?");
    return dsn;
}

std::string fresh_postgres_dsn() {
    const std::string dsn = postgres_dsn();
    const std::string name = "idara_t_" + random::hex_token(8);
    PGconn* admin = PQconnectdb(dsn.c_str());
    if (PQstatus(admin) != CONNECTION_OK) {
        std::string msg = PQerrorMessage(admin);
        PQfinish(admin);
        throw std::runtime_error("cannot reach the test PostgreSQL server: " + msg);
    }
    PGresult* r = PQexec(admin, ("CREATE DATABASE " + name).c_str());
    const bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    std::string msg = PQerrorMessage(admin);
    PQclear(r);
    PQfinish(admin);
    if (!ok) throw std::runtime_error("CREATE DATABASE failed: " + msg);
    return dsn + " dbname=" + name;
}

std::unique_ptr<storage::Database> fresh_unmigrated_database(storage::Backend b) { return open_fresh(b); }

std::unique_ptr<storage::Database> fresh_database(storage::Backend b) {
    auto db = open_fresh(b);
    auto v = storage::migrate(*db);
    if (!v) throw std::runtime_error("migrate: " + v.error().detail);
    return db;
}

}  // namespace idara::testing
