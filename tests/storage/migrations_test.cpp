// Schema migrations (storage/migrations.hpp) on both backends.
#include "core/random.hpp"
#include "storage_fixture.hpp"

#include <gtest/gtest.h>
#include "storage/migrations.hpp"

#include <cstdlib>
#include <filesystem>

using namespace idara;
using namespace idara::storage;
using idara::storage_test::StorageTest;
namespace fs = std::filesystem;

namespace {

class MigrationTest : public StorageTest {};

TEST_P(MigrationTest, MigrationsAreAtLatestAndRerunIsANoOp) {
    const int latest = latest_version(GetParam());
    EXPECT_GE(latest, 1);
    EXPECT_EQ(schema_version(*db_).value(), latest);
    auto recorded = [&] { return count("schema_migrations"); };
    EXPECT_EQ(recorded(), latest);
    EXPECT_EQ(migrate(*db_).value(), latest);
    EXPECT_EQ(migrate(*db_).value(), latest);
    EXPECT_EQ(recorded(), latest) << "a re-run applies nothing";
    EXPECT_EQ(schema_version(*db_).value(), latest);
}

TEST_P(MigrationTest, AnUnmigratedDatabaseIsAtVersionZero) {
    auto db = idara::testing::fresh_unmigrated_database(GetParam());
    EXPECT_EQ(schema_version(*db).value(), 0);
    EXPECT_EQ(migrate(*db).value(), latest_version(GetParam()));
    EXPECT_EQ(schema_version(*db).value(), latest_version(GetParam()));
}

TEST_P(MigrationTest, EmbeddedMigrationsAreGapFreeOnBothBackends) {
    auto list = embedded_migrations(GetParam());
    ASSERT_FALSE(list.empty());
    for (std::size_t i = 0; i < list.size(); ++i) {
        EXPECT_EQ(list[i].version, static_cast<int>(i + 1)) << list[i].name;
        EXPECT_FALSE(list[i].sql.empty()) << list[i].name;
        EXPECT_EQ(std::atoi(list[i].name.c_str()), list[i].version) << list[i].name;
    }
    EXPECT_EQ(latest_version(GetParam()), static_cast<int>(list.size()));
    auto other = embedded_migrations(GetParam() == Backend::sqlite ? Backend::postgres : Backend::sqlite);
    ASSERT_EQ(other.size(), list.size());
    for (std::size_t i = 0; i < list.size(); ++i) EXPECT_EQ(other[i].name, list[i].name);
}

TEST_P(MigrationTest, SyntheticMigrationsApplyInOrderAndAFailureLeavesTheOldVersion) {
    auto db = idara::testing::fresh_unmigrated_database(GetParam());
    std::vector<Migration> list = {{1, "0001_a", "CREATE TABLE a (x BIGINT)"},
                                   {2, "0002_b", "CREATE TABLE b (x BIGINT); INSERT INTO a VALUES (1)"}};
    EXPECT_EQ(migrate_with(*db, list).value(), 2);
    auto applied = db->read<Rows>([](Tx& tx) { return tx.query("SELECT version, name FROM schema_migrations ORDER BY version"); });
    ASSERT_TRUE(applied);
    ASSERT_EQ(applied->size(), 2u);
    EXPECT_EQ((*applied)[0].as_text(1), "0001_a");
    EXPECT_EQ((*applied)[1].as_text(1), "0002_b");
    auto a_rows = db->read<std::int64_t>([](Tx& tx) -> Result<std::int64_t> {
        auto r = tx.query_one("SELECT COUNT(*) FROM a");
        if (!r) return r.error();
        return (*r)->as_int(0);
    });
    EXPECT_EQ(a_rows.value(), 1) << "0002 ran after 0001, once";
    list.push_back({3, "0003_broken", "CREATE TABLE c (x BIGINT); THIS IS NOT SQL"});
    auto r = migrate_with(*db, list);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().detail.find("0003_broken"), std::string::npos);
    auto has_c = db->read<bool>([](Tx& tx) -> Result<bool> {
        auto q = tx.query("SELECT * FROM c");
        return bool(q);
    });
    EXPECT_FALSE(has_c.value()) << "the failed migration left no table behind";
    EXPECT_EQ(schema_version(*db).value(), 2) << "the previous version stays recorded";
}

TEST_P(MigrationTest, AFailedSyntheticMigrationKeepsThePreviousVersion) {
    auto db = idara::testing::fresh_unmigrated_database(GetParam());
    std::vector<Migration> list = {{1, "0001_a", "CREATE TABLE a (x BIGINT)"},
                                   {2, "0002_broken", "CREATE TABLE c (x BIGINT); INSERT INTO a VALUES (1); SELEC 1"}};
    auto r = migrate_with(*db, list);
    ASSERT_FALSE(r);
    auto state = db->read<std::string>([](Tx& tx) -> Result<std::string> {
        auto v = tx.query_one("SELECT MAX(version) FROM schema_migrations");
        if (!v) return v.error();
        auto n = tx.query_one("SELECT COUNT(*) FROM a");
        if (!n) return n.error();
        return std::to_string((*v)->as_int(0)) + "/" + std::to_string((*n)->as_int(0));
    });
    ASSERT_TRUE(state) << state.error().detail;
    EXPECT_EQ(*state, "1/0") << "version 1 recorded, nothing of version 2 kept";
    list[1].sql = "CREATE TABLE c (x BIGINT); INSERT INTO a VALUES (1)";
    EXPECT_EQ(migrate_with(*db, list).value(), 2) << "once fixed, it applies";
}

TEST_P(MigrationTest, ADatabaseNewerThanTheBinaryIsRefused) {
    ASSERT_TRUE(db_->write_tx([](Tx& tx) -> Status {
        auto r = tx.exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, 'future', 0)");
        if (!r) return r.error();
        return {};
    }));
    auto v = schema_version(*db_);
    ASSERT_FALSE(v);
    EXPECT_EQ(v.error().code, "storage.schema_too_new");
    auto m = migrate(*db_);
    ASSERT_FALSE(m);
    EXPECT_EQ(m.error().code, "storage.schema_too_new");
    auto w = migrate_with(*db_, embedded_migrations(GetParam()));
    ASSERT_FALSE(w);
    EXPECT_EQ(w.error().code, "storage.schema_too_new");
}

INSTANTIATE_TEST_SUITE_P(Backends, MigrationTest, ::testing::ValuesIn(idara::testing::all_backends()),
                         idara::testing::backend_param_name);

}  // namespace
