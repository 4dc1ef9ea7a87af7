// The finer points of the storage contract (storage/db.hpp), on both backends:
// what a callback may and may not do, bounded waits, value decoding.
#include "storage/migrations.hpp"
#include "storage_fixture.hpp"

#include <gtest/gtest.h>

#include <thread>

using namespace idara;
using namespace idara::storage;
using idara::storage_test::scalar_text;
using idara::storage_test::StorageTest;

namespace {

class ContractTest : public StorageTest {
protected:
    Status insert(Tx& tx, std::int64_t id) {
        auto r = tx.exec("INSERT INTO t (id) VALUES ($1)", {id});
        if (!r) return r.error();
        return {};
    }
};

TEST_P(ContractTest, SeveralStatementsInOneCallAreRefused) {
    auto s = db_->write_tx([](Tx& tx) -> Status {
        auto r = tx.exec("INSERT INTO t (id) VALUES (1); INSERT INTO t (id) VALUES (2)");
        if (!r) return r.error();
        return {};
    });
    ASSERT_FALSE(s) << "one statement per call; scripts go through exec_script";
    EXPECT_EQ(s.error().code, "storage.query");
    EXPECT_EQ(count(), 0);
    EXPECT_TRUE(db_->write_tx([](Tx& tx) -> Status {
        auto r = tx.exec("INSERT INTO t (id) VALUES (3); -- a trailing semicolon and comment are fine\n");
        if (!r) return r.error();
        return {};
    }));
    EXPECT_EQ(count(), 1);
}

TEST_P(ContractTest, TextWithANulByteIsRefused) {
    auto s = db_->write_tx([](Tx& tx) -> Status {
        auto r = tx.exec("INSERT INTO t (id, s) VALUES (1, $1)", {std::string("abc\0def", 7)});
        if (!r) return r.error();
        return {};
    });
    ASSERT_FALSE(s) << "PostgreSQL text cannot hold it; SQLite must not silently accept what PostgreSQL refuses";
    EXPECT_EQ(s.error().code, "storage.query");
    EXPECT_EQ(count(), 0);
}

TEST_P(ContractTest, ACallbackThatEndsTheTransactionCannotCommitBehindItsBack) {
    int undone = 0;
    auto s = db_->write_tx([&](Tx& tx) -> Status {
        tx.on_rollback([&] { ++undone; });
        if (auto r = insert(tx, 1); !r) return r;
        (void)tx.exec("ROLLBACK");
        EXPECT_FALSE(insert(tx, 2)) << "this insert would autocommit";
        return {};  // and it pretends all went well
    });
    ASSERT_FALSE(s) << "nothing was committed, so success must not be reported";
    EXPECT_EQ(undone, 1);
    EXPECT_EQ(count(), 0) << "neither insert is kept";
}

TEST_P(ContractTest, SavepointsRecoverFromAFailedStatement) {
    auto s = db_->write_tx([&](Tx& tx) -> Status {
        if (auto r = insert(tx, 1); !r) return r;
        if (auto r = tx.exec_script("SAVEPOINT maybe"); !r) return r;
        auto dup = insert(tx, 1);
        EXPECT_FALSE(dup);
        if (auto r = tx.exec_script("ROLLBACK TO SAVEPOINT maybe"); !r) return r;
        return insert(tx, 2);
    });
    ASSERT_TRUE(s) << s.error().code << ": " << s.error().detail;
    EXPECT_EQ(count(), 2);
}

TEST_P(ContractTest, AnyExceptionRollsBack) {
    auto s = db_->write_tx([&](Tx& tx) -> Status {
        (void)insert(tx, 1);
        throw 42;  // not even a std::exception
    });
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().code, "internal");
    auto carried = db_->write_tx([&](Tx& tx) -> Status {
        (void)insert(tx, 2);
        throw ErrorException(errors::forbidden("thrown"));
    });
    ASSERT_FALSE(carried);
    EXPECT_EQ(carried.error().code, "auth.forbidden") << "an ErrorException keeps its error";
    EXPECT_EQ(count(), 0);
    EXPECT_TRUE(db_->write_tx([&](Tx& tx) { return insert(tx, 3); })) << "the connection is still usable";
}

TEST_P(ContractTest, PlaceholdersAreNotRewrittenInCommentsOrQuotedNames) {
    // Out of order on purpose: SQLite reads an unrewritten "$2" as a parameter named
    // "$2", numbered by first appearance, which would swap the values.
    ASSERT_TRUE(db_->write_tx([](Tx& tx) { return tx.exec_script("CREATE TABLE \"$2x\" (x BIGINT)"); }));
    EXPECT_EQ(scalar_text(*db_, "SELECT COUNT(*) FROM \"$2x\" WHERE x IS NULL OR x = $1", {std::int64_t{1}}), "0");
    EXPECT_EQ(scalar_text(*db_, "/* it's a comment, $9 */ SELECT CAST($2 AS TEXT) || CAST($1 AS TEXT) -- or $3\n", {std::string("a"), std::string("b")}),
              "ba");
    EXPECT_EQ(scalar_text(*db_, "SELECT 'it''s $1' || $1", {std::string("!")}), "it's $1!");
}

TEST_P(ContractTest, AggregatesAndBooleansDecodeAsIntegers) {
    ASSERT_TRUE(db_->write_tx([](Tx& tx) {
        return tx.exec_script("INSERT INTO t (id, i) VALUES (1, 1); INSERT INTO t (id, i) VALUES (2, 2)");
    }));
    EXPECT_EQ(scalar_text(*db_, "SELECT SUM(i) FROM t"), "3") << "PostgreSQL's SUM(BIGINT) is NUMERIC";
    EXPECT_EQ(scalar_text(*db_, "SELECT COUNT(*) FROM t WHERE i > $1", {std::int64_t{1}}), "1");
    EXPECT_EQ(scalar_text(*db_, "SELECT 1 = 1"), "1") << "booleans are 0/1";
    EXPECT_EQ(scalar_text(*db_, "SELECT 1 = 2"), "0");
}

TEST_P(ContractTest, WaitingForAConnectionIsBoundedAndBusy) {
    auto db = idara::testing::fresh_unmigrated_database(GetParam(), 1, 200);
    auto nested = db->read_tx([&](Tx&) -> Status {
        EXPECT_EQ(db->pool_stats().in_use, 1);
        return db->read_tx([](Tx&) -> Status { return {}; });  // the only reader is taken
    });
    ASSERT_FALSE(nested);
    EXPECT_EQ(nested.error().code, "storage.busy");
    EXPECT_EQ(nested.error().status, 503);
    EXPECT_EQ(db->pool_stats().in_use, 0);
    EXPECT_EQ(db->pool_stats().waiting, 0);
    EXPECT_TRUE(db->read_tx([](Tx&) -> Status { return {}; })) << "and the pool recovers";
}

TEST_P(ContractTest, AWriterWaitsForAnotherWriterWithinTheTimeout) {
    auto db = idara::testing::fresh_unmigrated_database(GetParam(), 2, 200);
    ASSERT_TRUE(db->write_tx([](Tx& tx) { return tx.exec_script("CREATE TABLE w (x BIGINT PRIMARY KEY)"); }));
    Status second;
    auto first = db->write_tx([&](Tx& tx) -> Status {
        if (auto r = tx.exec("INSERT INTO w VALUES (1)"); !r) return r.error();
        std::thread other([&] {
            second = db->write_tx([](Tx& t) -> Status {
                auto r = t.exec("INSERT INTO w VALUES (1)");
                if (!r) return r.error();
                return {};
            });
        });
        other.join();  // holds the first transaction open past the timeout
        return {};
    });
    ASSERT_TRUE(first);
    ASSERT_FALSE(second);
    EXPECT_EQ(second.error().code, "storage.busy") << second.error().detail;
    EXPECT_EQ(scalar_text(*db, "SELECT COUNT(*) FROM w"), "1");
}

TEST_P(ContractTest, TwoInstancesMigratingAtOnceBothSucceed) {
    auto db = idara::testing::fresh_unmigrated_database(GetParam());
    auto other = idara::testing::open_same(*db);
    Result<int> a = 0, b = 0;
    std::thread ta([&] { a = migrate(*db); });
    std::thread tb([&] { b = migrate(*other); });
    ta.join();
    tb.join();
    ASSERT_TRUE(a) << a.error().code << ": " << a.error().detail;
    ASSERT_TRUE(b) << b.error().code << ": " << b.error().detail;
    EXPECT_EQ(*a, latest_version(GetParam()));
    EXPECT_EQ(*b, latest_version(GetParam()));
    EXPECT_EQ(scalar_text(*db, "SELECT COUNT(*) FROM schema_migrations"), std::to_string(latest_version(GetParam())));
    other.reset();
}

INSTANTIATE_TEST_SUITE_P(Backends, ContractTest, ::testing::ValuesIn(idara::testing::all_backends()),
                         idara::testing::backend_param_name);

}  // namespace
