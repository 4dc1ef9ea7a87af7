// What only the PostgreSQL backend does: retrying deadlock victims, replacing
// connections the server closed, bytea and lock timeouts.
#include "storage_fixture.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <latch>
#include <thread>

using namespace idara;
using namespace idara::storage;
using idara::storage_test::scalar_text;

namespace {

Status exec(Tx& tx, const std::string& sql, const Params& p = {}) {
    auto r = tx.exec(sql, p);
    if (!r) return r.error();
    return {};
}

// A connection to the test server's maintenance database, to act on other sessions.
std::unique_ptr<Database> admin() {
    auto db = open_postgres({.dsn = idara::testing::postgres_dsn(), .pool_size = 1});
    if (!db) throw ErrorException(db.error());
    return std::move(*db);
}

// Terminates the sessions of `db` other than the caller's, and waits until they are gone.
void kill_sessions(Database& db) {
    const std::string name = scalar_text(db, "SELECT current_database()");
    auto a = admin();
    ASSERT_TRUE(a->write_tx([&](Tx& tx) {
        return exec(tx, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", {name});
    }));
    for (int i = 0; i < 100; ++i) {
        if (scalar_text(*a, "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = $1", {name}) == "0") return;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    FAIL() << "sessions of " << name << " still alive";
}

TEST(Postgres, DeadlockVictimsAreRetried) {
    auto db = idara::testing::fresh_database(Backend::postgres);
    ASSERT_TRUE(db->write_tx([](Tx& tx) {
        return tx.exec_script("CREATE TABLE d (id BIGINT PRIMARY KEY, v BIGINT NOT NULL); INSERT INTO d VALUES (1, 0), (2, 0)");
    }));
    std::atomic<int> runs{0};
    std::latch both_hold_a_row(2);
    auto crosswise = [&](std::int64_t first, std::int64_t second) {
        return db->write_tx([&, first, second](Tx& tx) -> Status {
            const int run = ++runs;
            if (auto s = exec(tx, "UPDATE d SET v = v + 1 WHERE id = $1", {first}); !s) return s;
            if (run <= 2) both_hold_a_row.arrive_and_wait();  // the first attempts deadlock
            return exec(tx, "UPDATE d SET v = v + 1 WHERE id = $1", {second});
        });
    };
    Status a, b;
    std::thread ta([&] { a = crosswise(1, 2); });
    std::thread tb([&] { b = crosswise(2, 1); });
    ta.join();
    tb.join();
    EXPECT_TRUE(a) << a.error().code << ": " << a.error().detail;
    EXPECT_TRUE(b) << b.error().code << ": " << b.error().detail;
    EXPECT_EQ(runs.load(), 3) << "the deadlock victim ran once more";
    EXPECT_EQ(scalar_text(*db, "SELECT SUM(v) FROM d"), "4") << "both transactions committed, each once";
}

TEST(Postgres, OtherFailuresAreNotRetried) {
    auto db = idara::testing::fresh_database(Backend::postgres);
    int runs = 0;
    auto own = db->write_tx([&](Tx&) -> Status {
        ++runs;
        return Error{"storage.busy", 503, "the callback's own verdict"};
    });
    EXPECT_FALSE(own);
    auto conflict = db->write_tx([&](Tx& tx) -> Status {
        ++runs;
        if (auto s = exec(tx, "INSERT INTO blobs (digest, size, created_at) VALUES ('x', 0, 0)"); !s) return s;
        return exec(tx, "INSERT INTO blobs (digest, size, created_at) VALUES ('x', 0, 0)");
    });
    ASSERT_FALSE(conflict);
    EXPECT_EQ(conflict.error().code, "storage.conflict");
    EXPECT_EQ(runs, 2) << "each callback ran once";
}

TEST(Postgres, ConnectionsClosedByTheServerAreReplaced) {
    auto db = idara::testing::fresh_database(Backend::postgres);
    // Three connections in the pool.
    ASSERT_TRUE(db->read_tx([&](Tx&) {
        return db->read_tx([&](Tx&) { return db->read_tx([](Tx&) -> Status { return {}; }); });
    }));
    ASSERT_EQ(db->pool_stats().size, 3);
    kill_sessions(*db);
    EXPECT_EQ(scalar_text(*db, "SELECT 1"), "1") << "the dead pooled connections were replaced, not reported";
    EXPECT_TRUE(db->write_tx([](Tx& tx) { return exec(tx, "INSERT INTO blobs (digest, size, created_at) VALUES ('y', 0, 0)"); }));
    EXPECT_LE(db->pool_stats().size, 3);
    EXPECT_EQ(db->pool_stats().in_use, 0);
}

TEST(Postgres, AConnectionLostMidTransactionIsUnavailableThenReplaced) {
    auto db = idara::testing::fresh_database(Backend::postgres);
    int undone = 0;
    auto s = db->write_tx([&](Tx& tx) -> Status {
        tx.on_rollback([&] { ++undone; });
        kill_sessions(*db);
        return exec(tx, "INSERT INTO blobs (digest, size, created_at) VALUES ('z', 0, 0)");
    });
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().code, "storage.unavailable") << s.error().detail;
    EXPECT_EQ(undone, 1);
    EXPECT_EQ(db->pool_stats().size, 1) << "the broken connection was dropped (the other one is not known dead yet)";
    EXPECT_EQ(scalar_text(*db, "SELECT COUNT(*) FROM blobs"), "0");
}

TEST(Postgres, ByteaTravelsAsBinaryBothWays) {
    auto db = idara::testing::fresh_database(Backend::postgres);
    std::string all;
    for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
    EXPECT_EQ(scalar_text(*db, "SELECT length($1::bytea)::text", {Blob{all}}), "256") << "sent as binary, not escaped text";
    auto back = db->read<Blob>([&](Tx& tx) -> Result<Blob> {
        auto r = tx.query_one("SELECT $1::bytea", {Blob{all}});
        if (!r) return r.error();
        return (*r)->as_blob(0);
    });
    ASSERT_TRUE(back);
    EXPECT_EQ(back->bytes, all);
}

}  // namespace
