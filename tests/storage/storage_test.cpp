// The storage contract (storage/db.hpp), run identically on SQLite and PostgreSQL.
#include "core/random.hpp"
#include "storage_fixture.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <limits>
#include <thread>

using namespace idara;
using namespace idara::storage;
using idara::storage_test::StorageTest;
namespace fs = std::filesystem;

namespace {

TEST_P(StorageTest, TypesRoundTrip) {
    const std::string arabic = "بَوَابَة مَكْتَب الضَبْطِ الرَّقْمِي — bureau d'ordre";
    const Blob blob{std::string("\0\1\2\xff binary\0", 12)};
    const auto big = std::numeric_limits<std::int64_t>::max(), small = std::numeric_limits<std::int64_t>::min();
    ASSERT_TRUE(db_->write_tx([&](Tx& tx) -> Status {
        if (auto r = tx.exec("INSERT INTO t (id, i, d, s, b) VALUES ($1, $2, $3, $4, $5)", {std::int64_t{1}, big, 2.5, arabic, blob}); !r)
            return r.error();
        if (auto r = tx.exec("INSERT INTO t (id, i, d, s, b) VALUES ($1, $2, $3, $4, $5)",
                             {std::int64_t{2}, small, nullptr, std::string(), Blob{}});
            !r)
            return r.error();
        return {};
    }));
    auto rows = db_->read<Rows>([](Tx& tx) { return tx.query("SELECT id, i, d, s, b FROM t ORDER BY id"); }).value();
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].as_int(1), big);
    EXPECT_DOUBLE_EQ(rows[0].as_double(2), 2.5);
    EXPECT_EQ(rows[0].as_text(3), arabic);
    EXPECT_EQ(rows[0].as_blob(4), blob);
    EXPECT_EQ(rows[1].as_int(1), small);
    EXPECT_TRUE(rows[1].is_null(2));
    EXPECT_FALSE(rows[1].opt_int(2));
    EXPECT_EQ(rows[1].as_text(3), "");
    EXPECT_FALSE(rows[1].is_null(4)) << "an empty blob is not NULL";
    EXPECT_EQ(rows[1].as_blob(4).bytes.size(), 0u);
    EXPECT_EQ(rows[0].opt_text(3), arabic);
    EXPECT_FALSE(rows[1].opt_text(2));
    EXPECT_THROW(rows[0].as_int(3), ErrorException) << "text is not an integer";
}

TEST_P(StorageTest, DoublesAndNullsRoundTripExactly) {
    const std::vector<double> values = {0.1 + 0.2, -1e300, 5e-324, 123456789.123456789, -0.0};
    auto got = db_->write<Rows>([&](Tx& tx) -> Result<Rows> {
        for (std::size_t i = 0; i < values.size(); ++i)
            if (auto r = tx.exec("INSERT INTO t (id, d, i, s) VALUES ($1, $2, $3, $4)",
                                 {static_cast<std::int64_t>(i), values[i], nullptr, nullptr});
                !r)
                return r.error();
        return tx.query("SELECT d, i, s FROM t ORDER BY id");
    });
    ASSERT_TRUE(got) << got.error().detail;
    ASSERT_EQ(got->size(), values.size());
    for (std::size_t i = 0; i < values.size(); ++i) {
        EXPECT_EQ((*got)[i].as_double(0), values[i]) << i;
        EXPECT_TRUE((*got)[i].is_null(1));
        EXPECT_TRUE((*got)[i].is_null(2));
    }
}

TEST_P(StorageTest, PlaceholdersMayRepeatAndComeOutOfOrder) {
    auto row = db_->read<Row>([](Tx& tx) -> Result<Row> {
        auto r = tx.query_one("SELECT CAST($3 AS TEXT), CAST($1 AS BIGINT), CAST($3 AS TEXT) || CAST($2 AS TEXT), "
                              "CAST($1 AS BIGINT) + CAST($1 AS BIGINT)", {std::int64_t{20}, std::string("b"), std::string("a")});
        if (!r) return r.error();
        if (!*r) return Error{"test", 500, "no row"};
        return std::move(**r);
    });
    ASSERT_TRUE(row) << row.error().detail;
    EXPECT_EQ(row->as_text(0), "a");
    EXPECT_EQ(row->as_int(1), 20);
    EXPECT_EQ(row->as_text(2), "ab");
    EXPECT_EQ(row->as_int(3), 40);
}

TEST_P(StorageTest, ReturningPlaceholdersAndQueryOne) {
    auto id = db_->write<std::int64_t>([](Tx& tx) -> Result<std::int64_t> {
        auto r = tx.query_one("INSERT INTO t (id, s, i) VALUES ($2, $1, $2) RETURNING id", {std::string("x"), std::int64_t{7}});
        if (!r) return r.error();
        return (*r)->as_int(0);
    });
    ASSERT_TRUE(id);
    EXPECT_EQ(*id, 7);
    auto none = db_->read<bool>([](Tx& tx) -> Result<bool> {
        auto r = tx.query_one("SELECT id FROM t WHERE id = $1", {std::int64_t{999}});
        if (!r) return r.error();
        return r->has_value();
    });
    EXPECT_FALSE(none.value());
    auto literal = db_->read<std::string>([](Tx& tx) -> Result<std::string> {
        auto r = tx.query_one("SELECT '$1 stays' || $1", {std::string("!")});
        if (!r) return r.error();
        return (*r)->as_text(0);
    });
    EXPECT_EQ(literal.value(), "$1 stays!");
}

TEST_P(StorageTest, ErrorRollsBackAndRunsUndoHooksOnce) {
    int undone = 0;
    auto s = db_->write_tx([&](Tx& tx) -> Status {
        tx.on_rollback([&] { ++undone; });
        if (auto r = tx.exec("INSERT INTO t (id) VALUES (1)"); !r) return r.error();
        return errors::conflict("caller changed its mind");
    });
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().code, "resource.conflict");
    EXPECT_EQ(undone, 1);
    EXPECT_EQ(count(), 0);
}

TEST_P(StorageTest, ExceptionRollsBack) {
    int undone = 0;
    auto s = db_->write_tx([&](Tx& tx) -> Status {
        tx.on_rollback([&] { ++undone; });
        (void)tx.exec("INSERT INTO t (id) VALUES (1)");
        throw std::runtime_error("boom");
    });
    ASSERT_FALSE(s);
    EXPECT_EQ(undone, 1);
    EXPECT_EQ(count(), 0);
}

TEST_P(StorageTest, EachRolledBackTransactionRunsItsOwnHooksOnce) {
    int first = 0, second = 0;
    for (int* counter : {&first, &second}) {
        auto s = db_->write_tx([&](Tx& tx) -> Status {
            tx.on_rollback([counter] { ++*counter; });
            return errors::internal("no");
        });
        ASSERT_FALSE(s);
    }
    EXPECT_EQ(first, 1);
    EXPECT_EQ(second, 1);
    int in_read = 0;
    EXPECT_FALSE(db_->read_tx([&](Tx& tx) -> Status {
        tx.on_rollback([&] { ++in_read; });
        throw std::logic_error("reader failed");
    }));
    EXPECT_EQ(in_read, 1);
}

// A callback that ignores a failed statement and returns success: the caller is told
// the truth. SQLite keeps the rest of the transaction; PostgreSQL aborts it, and then
// write_tx must report the error (and run the hooks), never "committed" with nothing saved.
TEST_P(StorageTest, AnIgnoredStatementErrorNeverReportsALostCommit) {
    int undone = 0;
    auto s = db_->write_tx([&](Tx& tx) -> Status {
        tx.on_rollback([&] { ++undone; });
        if (auto r = tx.exec("INSERT INTO t (id) VALUES (1)"); !r) return r.error();
        auto dup = tx.exec("INSERT INTO t (id) VALUES (1)");
        EXPECT_FALSE(dup);
        if (!dup) {
            EXPECT_EQ(dup.error().code, "storage.conflict");
        }
        return {};  // ignores the failure
    });
    if (s) {
        EXPECT_EQ(count(), 1) << "success was reported, so the first insert must be committed";
        EXPECT_EQ(undone, 0);
    } else {
        EXPECT_EQ(s.error().code, "storage.conflict") << s.error().detail;
        EXPECT_EQ(count(), 0);
        EXPECT_EQ(undone, 1);
    }
    if (GetParam() == Backend::sqlite) {
        EXPECT_TRUE(s) << "SQLite rolls back only the failed statement";
    }
}

TEST_P(StorageTest, CommitNeverRunsUndoHooks) {
    int undone = 0;
    ASSERT_TRUE(db_->write_tx([&](Tx& tx) -> Status {
        tx.on_rollback([&] { ++undone; });
        auto r = tx.exec("INSERT INTO t (id) VALUES (1)");
        if (!r) return r.error();
        EXPECT_EQ(*r, 1);
        return {};
    }));
    EXPECT_EQ(undone, 0);
    EXPECT_EQ(count(), 1);
}

TEST_P(StorageTest, ConstraintViolationIsAConflict) {
    auto insert = [&](std::int64_t id) {
        return db_->write_tx([&](Tx& tx) -> Status {
            auto r = tx.exec("INSERT INTO t (id, u) VALUES ($1, 'same')", {id});
            if (!r) return r.error();
            return {};
        });
    };
    ASSERT_TRUE(insert(1));
    auto dup = insert(2);
    ASSERT_FALSE(dup);
    EXPECT_EQ(dup.error().code, "storage.conflict");
    EXPECT_EQ(dup.error().status, 409);
    EXPECT_EQ(count(), 1);
}

TEST_P(StorageTest, MalformedSqlAndReadOnlyTransactions) {
    auto bad = db_->read<Rows>([](Tx& tx) { return tx.query("SELEC nonsense"); });
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code, "storage.query");
    auto write_in_read = db_->read_tx([](Tx& tx) -> Status {
        auto r = tx.exec("INSERT INTO t (id) VALUES (5)");
        if (!r) return r.error();
        return {};
    });
    ASSERT_FALSE(write_in_read) << "a read transaction cannot write";
    EXPECT_EQ(write_in_read.error().code, "storage.query") << "a defect, on both backends: " << write_in_read.error().detail;
    auto script_in_read = db_->read_tx([](Tx& tx) { return tx.exec_script("INSERT INTO t (id) VALUES (6)"); });
    EXPECT_FALSE(script_in_read) << "not even through a script";
    EXPECT_EQ(count(), 0);
    auto bad_exec = db_->write_tx([](Tx& tx) -> Status {
        auto r = tx.exec("INSERT INTO no_such_table VALUES (1)");
        if (!r) return r.error();
        return {};
    });
    ASSERT_FALSE(bad_exec);
    EXPECT_EQ(bad_exec.error().code, "storage.query");
    EXPECT_EQ(bad_exec.error().status, 500);
}

TEST_P(StorageTest, ConcurrentIncrementsAreExact) {
    ASSERT_TRUE(db_->write_tx([](Tx& tx) -> Status { return tx.exec_script("INSERT INTO t (id, i) VALUES (0, 0)"); }));
    std::vector<std::thread> threads;
    std::atomic<int> failures{0};
    for (int t = 0; t < 8; ++t)
        threads.emplace_back([&] {
            for (int i = 0; i < 50; ++i) {
                auto s = db_->write_tx([&](Tx& tx) -> Status {
                    auto u = tx.exec("UPDATE t SET i = i + 1 WHERE id = 0");
                    if (!u) return u.error();
                    if (*u != 1) return Error{"test", 500, "updated " + std::to_string(*u) + " rows"};
                    return {};
                });
                if (!s) ++failures;
            }
        });
    for (auto& th : threads) th.join();
    EXPECT_EQ(failures.load(), 0);
    auto total = db_->read<std::int64_t>([](Tx& tx) -> Result<std::int64_t> {
        auto r = tx.query_one("SELECT i FROM t WHERE id = 0");
        if (!r) return r.error();
        return (*r)->as_int(0);
    });
    EXPECT_EQ(total.value(), 400);
}

TEST_P(StorageTest, ConcurrentInsertsAreAllKept) {
    std::vector<std::thread> threads;
    std::atomic<int> failures{0};
    for (int t = 0; t < 8; ++t)
        threads.emplace_back([&, t] {
            for (int i = 0; i < 50; ++i) {
                auto id = db_->write<std::int64_t>([&](Tx& tx) -> Result<std::int64_t> {
                    auto r = tx.query_one("INSERT INTO t (id, s) VALUES ($1, $2) RETURNING id",
                                          {std::int64_t{1 + t * 1000 + i}, "thread " + std::to_string(t)});
                    if (!r) return r.error();
                    return (*r)->as_int(0);
                });
                if (!id || *id != 1 + t * 1000 + i) ++failures;
            }
        });
    for (auto& th : threads) th.join();
    EXPECT_EQ(failures.load(), 0);
    EXPECT_EQ(count(), 400);
}

TEST_P(StorageTest, CountersWithSelectForUpdateNeverLoseIncrements) {
    ASSERT_TRUE(db_->write_tx([](Tx& tx) -> Status { return tx.exec_script("INSERT INTO t (id, i) VALUES (0, 0)"); }));
    const std::string lock = GetParam() == Backend::postgres ? " FOR UPDATE" : "";
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t)
        threads.emplace_back([&] {
            for (int i = 0; i < 50; ++i)
                EXPECT_TRUE(db_->write_tx([&](Tx& tx) -> Status {
                    auto row = tx.query_one("SELECT i FROM t WHERE id = 0" + lock);
                    if (!row) return row.error();
                    auto u = tx.exec("UPDATE t SET i = $1 WHERE id = 0", {(*row)->as_int(0) + 1});
                    if (!u) return u.error();
                    return {};
                }));
        });
    for (auto& th : threads) th.join();
    auto total = db_->read<std::int64_t>([](Tx& tx) -> Result<std::int64_t> {
        auto r = tx.query_one("SELECT i FROM t WHERE id = 0");
        if (!r) return r.error();
        return (*r)->as_int(0);
    });
    EXPECT_EQ(total.value(), 400);
}

TEST_P(StorageTest, PoolStatsAreSane) {
    auto s = db_->pool_stats();
    EXPECT_GE(s.size, 1);
    EXPECT_EQ(s.in_use, 0);
    EXPECT_EQ(s.waiting, 0);
    ASSERT_TRUE(db_->read_tx([&](Tx&) -> Status {
        auto inside = db_->pool_stats();
        EXPECT_EQ(inside.in_use, 1) << "the connection of this transaction is lent out";
        EXPECT_LE(inside.in_use, inside.size);
        EXPECT_EQ(inside.waiting, 0);
        return {};
    }));
    ASSERT_TRUE(db_->write_tx([&](Tx&) -> Status {
        EXPECT_EQ(db_->pool_stats().in_use, 1) << "a write transaction holds a connection too";
        return {};
    }));
    s = db_->pool_stats();
    EXPECT_EQ(s.in_use, 0) << "and given back";
    EXPECT_GE(s.size, 1);
    EXPECT_LE(s.size, GetParam() == Backend::sqlite ? 5 : 8) << "never more than configured";
}

INSTANTIATE_TEST_SUITE_P(Backends, StorageTest, ::testing::ValuesIn(idara::testing::all_backends()),
                         idara::testing::backend_param_name);

TEST(Sqlite, InMemoryDatabasesAreRefused) {
    auto db = open_sqlite({.path = ":memory:"});
    ASSERT_FALSE(db);
    EXPECT_TRUE(db.error().code.rfind("storage.", 0) == 0) << db.error().code;
    EXPECT_FALSE(open_sqlite({.path = ""}));
    EXPECT_FALSE(open_sqlite({.path = "file::memory:?cache=shared"}));
}

TEST(Sqlite, PlaceholderRewriteLeavesQuotedDollarsAlone) {
    auto db = idara::testing::fresh_unmigrated_database(Backend::sqlite);
    auto row = db->read<Row>([](Tx& tx) -> Result<Row> {
        auto r = tx.query_one("SELECT '$1', $2, 'it''s $2', $1, '$2' || $1", {std::string("one"), std::string("two")});
        if (!r) return r.error();
        if (!*r) return Error{"test", 500, "no row"};
        return std::move(**r);
    });
    ASSERT_TRUE(row) << row.error().detail;
    EXPECT_EQ(row->as_text(0), "$1");
    EXPECT_EQ(row->as_text(1), "two");
    EXPECT_EQ(row->as_text(2), "it's $2");
    EXPECT_EQ(row->as_text(3), "one");
    EXPECT_EQ(row->as_text(4), "$2one");
}

TEST(Sqlite, UnopenableFileIsUnavailable) {
    auto db = open_sqlite({.path = "/nonexistent-dir-idara/sub/test.db"});
    ASSERT_FALSE(db);
    EXPECT_EQ(db.error().code, "storage.unavailable");
}

TEST(Postgres, UnreachableServerIsUnavailable) {
    auto db = open_postgres({.dsn = "host=127.0.0.1 port=1 user=nobody dbname=none connect_timeout=2"});
    ASSERT_FALSE(db);
    EXPECT_EQ(db.error().code, "storage.unavailable");
    EXPECT_EQ(db.error().status, 503);
    auto garbage = open_postgres({.dsn = "this is = not a dsn"});
    ASSERT_FALSE(garbage);
    EXPECT_EQ(garbage.error().code, "storage.unavailable");
    auto empty = open_postgres({.dsn = ""});
    ASSERT_FALSE(empty);
    EXPECT_EQ(empty.error().code, "storage.unavailable");
}

}  // namespace
