// The test support library itself (tests/support/test_db.hpp): fresh databases are
// empty, independent, migrated or not as asked, and cleaned up; without the
// PostgreSQL fixture the helpers fail loudly instead of skipping.
#include "storage/migrations.hpp"
#include "test_db.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <optional>

using namespace idara;
using namespace idara::storage;
namespace fs = std::filesystem;

namespace {

std::string text_of(Database& db, const std::string& sql, std::size_t col = 0) {
    return db.read<std::string>([&](Tx& tx) -> Result<std::string> {
                 auto r = tx.query_one(sql);
                 if (!r) return r.error();
                 if (!*r) return Error{"test", 500, "no row"};
                 return (*r)->as_text(col);
             })
        .value();
}

bool postgres_database_exists(const std::string& name) {
    auto admin = open_postgres({.dsn = idara::testing::postgres_dsn(), .pool_size = 1});
    if (!admin) throw ErrorException(admin.error());
    return (*admin)
        ->read<bool>([&](Tx& tx) -> Result<bool> {
            auto r = tx.query_one("SELECT 1 FROM pg_database WHERE datname = $1", {name});
            if (!r) return r.error();
            return r->has_value();
        })
        .value();
}

// Sets an environment variable for the scope of one test and restores it.
class ScopedEnv {
public:
    ScopedEnv(const char* name, const char* value) : name_(name) {
        if (const char* old = std::getenv(name)) old_ = old;
        if (value) setenv(name, value, 1);
        else unsetenv(name);
    }
    ~ScopedEnv() {
        if (old_) setenv(name_, old_->c_str(), 1);
        else unsetenv(name_);
    }

private:
    const char* name_;
    std::optional<std::string> old_;
};

class TestDb : public ::testing::TestWithParam<Backend> {};

TEST_P(TestDb, FreshDatabasesAreMigratedEmptyAndIndependent) {
    auto a = idara::testing::fresh_database(GetParam());
    auto b = idara::testing::fresh_database(GetParam());
    EXPECT_EQ(a->backend(), GetParam());
    EXPECT_EQ(schema_version(*a).value(), latest_version(GetParam()));
    ASSERT_TRUE(a->write_tx([](Tx& tx) { return tx.exec_script("CREATE TABLE only_in_a (x BIGINT)"); }));
    auto in_b = b->read_tx([](Tx& tx) -> Status {
        auto r = tx.query("SELECT * FROM only_in_a");
        if (!r) return r.error();
        return {};
    });
    EXPECT_FALSE(in_b) << "two fresh databases share nothing";
    EXPECT_EQ(text_of(*b, "SELECT COUNT(*) FROM blobs"), "0");
}

TEST_P(TestDb, UnmigratedDatabasesHaveNoSchema) {
    auto db = idara::testing::fresh_unmigrated_database(GetParam());
    auto s = db->read_tx([](Tx& tx) -> Status {
        auto r = tx.query("SELECT * FROM blobs");
        if (!r) return r.error();
        return {};
    });
    EXPECT_FALSE(s) << "no table from the migrations";
}

TEST_P(TestDb, DestroyingTheDatabaseRemovesIt) {
    auto db = idara::testing::fresh_database(GetParam());
    if (GetParam() == Backend::sqlite) {
        const fs::path file = text_of(*db, "PRAGMA database_list", 2);
        ASSERT_FALSE(file.empty());
        const fs::path dir = file.parent_path();
        ASSERT_TRUE(fs::exists(file));
        db.reset();
        EXPECT_FALSE(fs::exists(dir)) << dir;
    } else {
        const std::string name = text_of(*db, "SELECT current_database()");
        EXPECT_EQ(name.rfind("idara_t_", 0), 0u) << name;
        EXPECT_TRUE(postgres_database_exists(name));
        db.reset();
        EXPECT_FALSE(postgres_database_exists(name)) << name;
    }
}

INSTANTIATE_TEST_SUITE_P(Backends, TestDb, ::testing::ValuesIn(idara::testing::all_backends()),
                         idara::testing::backend_param_name);

TEST(TestDbSupport, BothBackendsAreListedAndNamed) {
    const auto all = idara::testing::all_backends();
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[0], Backend::sqlite);
    EXPECT_EQ(all[1], Backend::postgres);
    EXPECT_EQ(idara::testing::backend_param_name(::testing::TestParamInfo<Backend>(Backend::sqlite, 0)), "sqlite");
    EXPECT_EQ(idara::testing::backend_param_name(::testing::TestParamInfo<Backend>(Backend::postgres, 1)), "postgres");
}

TEST(TestDbSupport, WithoutTheFixturePostgresFailsLoudly) {
    {
        ScopedEnv unset("IDARA_TEST_PG_DSN_FILE", nullptr);
        EXPECT_THROW(idara::testing::fresh_database(Backend::postgres), std::runtime_error);
        EXPECT_THROW(idara::testing::fresh_unmigrated_database(Backend::postgres), std::runtime_error);
        try {
            idara::testing::postgres_dsn();
            ADD_FAILURE() << "no exception";
        } catch (const std::runtime_error& e) {
            EXPECT_NE(std::string(e.what()).find("IDARA_TEST_PG_DSN_FILE"), std::string::npos) << e.what();
        }
    }
    {
        ScopedEnv missing("IDARA_TEST_PG_DSN_FILE", "/nonexistent/idara/dsn");
        EXPECT_THROW(idara::testing::fresh_database(Backend::postgres), std::runtime_error);
    }
    EXPECT_NO_THROW(idara::testing::fresh_database(Backend::sqlite)) << "SQLite needs no server";
}

}  // namespace
