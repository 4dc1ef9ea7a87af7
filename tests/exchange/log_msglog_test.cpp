// The message log: group-committed appends from several threads, body modes, stamping with a
// real built-in RFC 3161 authority, the grace period with a failing authority, operational data.
#include "log_fixture.hpp"

#include "exchange/msglog.hpp"

#include <boost/json.hpp>
#include <sodium.h>

#include <thread>
#include <vector>

using namespace idara;
using namespace idara::exchange;
using namespace idara::test_log;

namespace {

class MsgLog : public ::testing::Test {
protected:
    ScratchDir dir_;
    FakeClock clock_;
    TestTsa tsa_ = TestTsa::make();

    std::unique_ptr<MessageLog> open(BodyMode mode = BodyMode::keep, const std::string& pk = "") {
        auto tsa = tsa_.tsa;
        auto log = open_message_log(config(dir_.str(), mode, pk), [tsa] { return tsa; }, clock_);
        EXPECT_TRUE(log) << (log ? "" : log.error().code + ": " + log.error().detail);
        return log ? std::move(*log) : nullptr;
    }
};

TEST_F(MsgLog, AppendsFromSeveralThreadsThenStampVerifies) {
    auto log = open();
    ASSERT_TRUE(log);
    constexpr int kThreads = 8, kEach = 50;
    std::vector<std::thread> threads;
    std::atomic<int> failures{0};
    for (int t = 0; t < kThreads; ++t)
        threads.emplace_back([&, t] {
            for (int i = 0; i < kEach; ++i) {
                const int n = t * kEach + i;
                if (!log->append(record(n, clock_.now_ms()), op(n, clock_.now_ms()))) ++failures;
            }
        });
    for (auto& th : threads) th.join();
    EXPECT_EQ(failures.load(), 0);
    EXPECT_NE(log->health().oldest_unstamped_ms, 0);
    ASSERT_TRUE(log->stamp_pending());
    const auto h = log->health();
    EXPECT_EQ(h.oldest_unstamped_ms, 0);
    EXPECT_EQ(h.last_stamp_ms, clock_.now_ms());
    EXPECT_TRUE(h.accepting);
    EXPECT_EQ(h.last_error, "");

    auto rep = verify_message_log(dir_.str(), {tsa_.root_pem});
    EXPECT_TRUE(rep.ok) << rep.first_problem;
    EXPECT_EQ(rep.records, kThreads * kEach);
    EXPECT_EQ(rep.batches, 1);
    EXPECT_EQ(rep.unstamped, 0);
    EXPECT_TRUE(rep.chain_checked);

    // More records after the stamp: reported as un-stamped, not as a problem.
    ASSERT_TRUE(log->append(record(1000, clock_.now_ms()), op(1000, clock_.now_ms())));
    ASSERT_TRUE(log->append(record(1001, clock_.now_ms()), op(1001, clock_.now_ms())));
    rep = verify_message_log(dir_.str(), {});
    EXPECT_TRUE(rep.ok) << rep.first_problem;
    EXPECT_EQ(rep.records, kThreads * kEach + 2);
    EXPECT_EQ(rep.unstamped, 2);
    EXPECT_FALSE(rep.chain_checked);

    // A second batch; ids stay consecutive and both batches verify.
    ASSERT_TRUE(log->stamp_pending());
    rep = verify_message_log(dir_.str(), {tsa_.root_pem});
    EXPECT_TRUE(rep.ok) << rep.first_problem;
    EXPECT_EQ(rep.batches, 2);
    EXPECT_EQ(rep.unstamped, 0);
}

TEST_F(MsgLog, StampWithNothingPendingIsANoOp) {
    auto log = open();
    ASSERT_TRUE(log);
    EXPECT_TRUE(log->stamp_pending());
    EXPECT_EQ(log->health().last_stamp_ms, 0);
    auto rep = verify_message_log(dir_.str(), {tsa_.root_pem});
    EXPECT_TRUE(rep.ok) << rep.first_problem;
    EXPECT_EQ(rep.records, 0);
}

std::optional<std::string> column(const std::string& dir, const std::string& col, std::int64_t id) {
    auto db = open_db(dir);
    auto v = db->read<std::optional<std::string>>([&](storage::Tx& tx) -> Result<std::optional<std::string>> {
        auto row = tx.query_one("SELECT " + col + " FROM records WHERE id = $1", {id});
        if (!row) return row.error();
        if (!*row) return Error{"test", 500, "no record"};
        if ((*row)->is_null(0)) return std::optional<std::string>();
        return std::optional<std::string>((*row)->as_blob(0).bytes);
    });
    if (!v) throw std::runtime_error(v.error().detail);
    return *v;
}

TEST_F(MsgLog, KeepStoresTheBodies) {
    auto log = open(BodyMode::keep);
    ASSERT_TRUE(log);
    auto r = record(7, clock_.now_ms());
    ASSERT_TRUE(log->append(r, op(7, clock_.now_ms())));
    EXPECT_EQ(column(dir_.str(), "response_body", 1), r.response_body);
    EXPECT_EQ(column(dir_.str(), "request_body", 1), std::string());  // empty, not absent
    EXPECT_EQ(column(dir_.str(), "body_mode", 1), std::string("keep"));
    ASSERT_TRUE(log->stamp_pending());
    auto rep = verify_message_log(dir_.str(), {tsa_.root_pem});
    EXPECT_TRUE(rep.ok) << rep.first_problem;
}

TEST_F(MsgLog, OmitStoresNoBodies) {
    auto log = open(BodyMode::omit);
    ASSERT_TRUE(log);
    ASSERT_TRUE(log->append(record(7, clock_.now_ms()), op(7, clock_.now_ms())));
    EXPECT_EQ(column(dir_.str(), "response_body", 1), std::nullopt);
    EXPECT_EQ(column(dir_.str(), "request_body", 1), std::nullopt);
    ASSERT_TRUE(log->stamp_pending());
    auto rep = verify_message_log(dir_.str(), {tsa_.root_pem});
    EXPECT_TRUE(rep.ok) << rep.first_problem;
}

TEST_F(MsgLog, EncryptSealsBodiesToTheLogKey) {
    ASSERT_GE(sodium_init(), 0);
    unsigned char pk[crypto_box_PUBLICKEYBYTES], sk[crypto_box_SECRETKEYBYTES];
    crypto_box_keypair(pk, sk);
    char b64[128];
    sodium_bin2base64(b64, sizeof b64, pk, sizeof pk, sodium_base64_VARIANT_ORIGINAL);
    auto log = open(BodyMode::encrypt, b64);
    ASSERT_TRUE(log);
    auto r = record(7, clock_.now_ms());
    ASSERT_TRUE(log->append(r, op(7, clock_.now_ms())));
    const auto sealed = column(dir_.str(), "response_body", 1);
    ASSERT_TRUE(sealed);
    EXPECT_EQ(sealed->size(), r.response_body.size() + crypto_box_SEALBYTES);
    EXPECT_EQ(sealed->find("mention"), std::string::npos);
    std::string plain(sealed->size() - crypto_box_SEALBYTES, '\0');
    ASSERT_EQ(crypto_box_seal_open(reinterpret_cast<unsigned char*>(plain.data()),
                                   reinterpret_cast<const unsigned char*>(sealed->data()), sealed->size(), pk, sk),
              0);
    EXPECT_EQ(plain, r.response_body);
    ASSERT_TRUE(log->stamp_pending());
    auto rep = verify_message_log(dir_.str(), {tsa_.root_pem});
    EXPECT_TRUE(rep.ok) << rep.first_problem;
}

TEST_F(MsgLog, EncryptWithoutAValidKeyIsRefusedAtOpen) {
    for (const std::string key : {"", "not base64!", "AAAA"}) {
        auto log = open_message_log(config(dir_.str(), BodyMode::encrypt, key), [] { return nullptr; }, clock_);
        ASSERT_FALSE(log) << key;
        EXPECT_EQ(log.error().code, "exchange.bad_gateway_config");
        EXPECT_EQ(log.error().status, 400);
    }
}

TEST_F(MsgLog, RecordWithInvalidUtf8IsRefusedWithoutAPartialRow) {
    auto log = open();
    ASSERT_TRUE(log);
    auto r = record(1, clock_.now_ms());
    r.request_canonical = "bad \xff byte";
    auto s = log->append(r, op(1, clock_.now_ms()));
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().code, "exchange.log_unavailable");
    EXPECT_EQ(s.error().status, 503);
    auto ops = log->opdata_json(0, 10);
    ASSERT_TRUE(ops);
    EXPECT_EQ(*ops, "[]");
}

TEST_F(MsgLog, TimestampingOutageStopsAcceptingPastTheGraceAndRecovers) {
    SwitchableTsa sw(std::make_shared<FailingTsa>());
    auto opened = open_message_log(config(dir_.str()), sw.provider(), clock_);
    ASSERT_TRUE(opened);
    auto& log = *opened;
    const std::int64_t t0 = clock_.now_ms();
    ASSERT_TRUE(log->append(record(1, t0), op(1, t0)));
    auto s = log->stamp_pending();
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().code, "trust.tsa_unavailable");
    auto h = log->health();
    EXPECT_TRUE(h.accepting);  // within the grace period
    EXPECT_EQ(h.oldest_unstamped_ms, t0);
    EXPECT_NE(h.last_error.find("authority down"), std::string::npos) << h.last_error;

    clock_.advance(std::chrono::seconds(60));
    EXPECT_TRUE(log->health().accepting);  // exactly at the limit
    clock_.advance(std::chrono::seconds(1));
    EXPECT_FALSE(log->stamp_pending());
    EXPECT_FALSE(log->health().accepting);

    sw.set(tsa_.tsa);
    ASSERT_TRUE(log->stamp_pending());
    h = log->health();
    EXPECT_TRUE(h.accepting);
    EXPECT_EQ(h.oldest_unstamped_ms, 0);
    EXPECT_EQ(h.last_error, "");
    EXPECT_EQ(h.last_stamp_ms, clock_.now_ms());
}

TEST_F(MsgLog, NoAuthorityConfiguredFailsTheStamp) {
    auto log = open_message_log(config(dir_.str()), [] { return nullptr; }, clock_);
    ASSERT_TRUE(log);
    ASSERT_TRUE((*log)->append(record(1, clock_.now_ms()), op(1, clock_.now_ms())));
    auto s = (*log)->stamp_pending();
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().code, "trust.tsa_unavailable");
    EXPECT_NE((*log)->health().last_error, "");
}

TEST_F(MsgLog, StamperThreadStampsAtItsInterval) {
    auto log = open();
    ASSERT_TRUE(log);
    log->start();
    log->start();  // idempotent
    ASSERT_TRUE(log->append(record(1, clock_.now_ms()), op(1, clock_.now_ms())));
    // Wait (bounded) for the thread's round; no timing is asserted.
    for (int i = 0; i < 200 && log->health().oldest_unstamped_ms != 0; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    log->stop();
    EXPECT_EQ(log->health().oldest_unstamped_ms, 0);
    EXPECT_NE(log->health().last_stamp_ms, 0);
    log->stop();  // twice is fine
}

TEST_F(MsgLog, RecordIdsContinueAfterArchivingAndReopening) {
    {
        auto log = open();
        ASSERT_TRUE(log);
        for (int i = 0; i < 3; ++i) ASSERT_TRUE(log->append(record(i, clock_.now_ms()), op(i, clock_.now_ms())));
        ASSERT_TRUE(log->stamp_pending());
        auto n = log->archive();
        ASSERT_TRUE(n);
        EXPECT_EQ(*n, 1);
    }
    auto log = open();
    ASSERT_TRUE(log);
    ASSERT_TRUE(log->append(record(9, clock_.now_ms()), op(9, clock_.now_ms())));
    ASSERT_TRUE(log->stamp_pending());
    auto rep = verify_message_log(dir_.str(), {tsa_.root_pem});
    EXPECT_TRUE(rep.ok) << rep.first_problem;
    EXPECT_EQ(rep.records, 4);
    EXPECT_EQ(rep.archives, 1);
    EXPECT_EQ(rep.batches, 2);
    EXPECT_TRUE(column(dir_.str(), "body_mode", 4));  // the new record got id 4
}

TEST_F(MsgLog, OpdataSinceAndLimit) {
    auto log = open();
    ASSERT_TRUE(log);
    for (int i = 0; i < 10; ++i) ASSERT_TRUE(log->append_op(op(i, 1000 + i, i % 3 != 0)));
    auto text = log->opdata_json(1005, 3);
    ASSERT_TRUE(text);
    auto v = boost::json::parse(*text).as_array();
    ASSERT_EQ(v.size(), 3u);
    EXPECT_EQ(v[0].at("end_ms").as_int64(), 1005);
    EXPECT_EQ(v[2].at("end_ms").as_int64(), 1007);
    EXPECT_EQ(v[0].at("query_id").as_string(), "q-5");
    EXPECT_EQ(v[1].at("success").as_bool(), false);  // i = 6
    EXPECT_EQ(v[1].at("error_type").as_string(), "Server.ServerProxy.ServiceFailed");
    EXPECT_EQ(v[1].at("status").as_int64(), 500);
    EXPECT_EQ(v[0].at("user_id").as_string(), "agent-1");
    EXPECT_EQ(v[0].at("peer_gateway").as_string(), "MA/GOV/MEN/gw1");
    EXPECT_EQ(v[0].at("direction").as_string(), "client");
    EXPECT_EQ(boost::json::parse(*log->opdata_json(2000, 10)).as_array().size(), 0u);
    EXPECT_EQ(boost::json::parse(*log->opdata_json(0, 10000)).as_array().size(), 10u);
    for (int bad : {0, -1, 10001}) {
        auto r = log->opdata_json(0, bad);
        ASSERT_FALSE(r) << bad;
        EXPECT_EQ(r.error().code, "exchange.bad_opdata_query");
        EXPECT_EQ(r.error().status, 400);
    }
}

}  // namespace
