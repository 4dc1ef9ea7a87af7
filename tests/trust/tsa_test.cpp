// RFC 3161 time-stamping: the built-in authority's tokens checked by `openssl ts`, its
// respond() for whole requests, the HTTP client against a loopback server (working,
// unreachable, refusing, replaying), and an identity that may not time-stamp.
#include "shell.hpp"
#include "sign_fixture.hpp"
#include "trust/tsa.hpp"

#include <openssl/evp.h>
#include <openssl/ts.h>

#include <gtest/gtest.h>

#include <array>
#include <set>

using namespace idara;
using namespace idara::trust;
using test::LoopbackHttp;

namespace {

std::string run(const std::string& cmd) { return idara::testing::run_command(cmd); }

std::array<unsigned char, 32> digest_of(const std::string& s) {
    std::array<unsigned char, 32> d{};
    EVP_Digest(s.data(), s.size(), d.data(), nullptr, EVP_sha256(), nullptr);
    return d;
}

// A DER TimeStampReq as `openssl ts -query` writes it, for the data in `file`.
std::string openssl_query(const test::Scratch& s, const std::string& data, const std::string& extra = "") {
    const auto in = s.write("data.bin", data);
    run("openssl ts -query -sha256 -cert " + extra + " -data " + in.string() + " -out " + (s.dir() / "q.tsq").string());
    return test::read_file(s.dir() / "q.tsq");
}

class Tsa : public ::testing::Test {
protected:
    test::TestPki pki_ = test::make_test_pki();
    test::Scratch scratch_{pki_};
    // 2026-03-01T10:00:00Z: the genTime of every token must be this, from the given clock.
    test::SetClock clock_{std::chrono::system_clock::time_point(std::chrono::seconds(1772359200))};
    std::unique_ptr<BuiltinTsa> tsa_ = make_builtin_tsa(pki_.tsa(), clock_);

    std::string verify_token(const std::string& token, const std::string& data_hex) {
        const auto f = scratch_.write("token.der", token);
        return run("openssl ts -verify -digest " + data_hex + " -token_in -in " + f.string() + " -CAfile " +
                   (scratch_.dir() / "root.pem").string() + " -untrusted " + (scratch_.dir() / "chain.pem").string());
    }
};

TEST_F(Tsa, BuiltinTokenVerifiesWithOpensslAndCarriesPolicyTimeAndAccuracy) {
    const auto d = digest_of("hello");
    auto token = tsa_->timestamp(d);
    ASSERT_TRUE(token) << token.error().detail;
    EXPECT_NE(verify_token(*token, test::sha256_hex("hello")).find("Verification: OK"), std::string::npos);
    // Another imprint does not verify against it.
    EXPECT_EQ(verify_token(*token, test::sha256_hex("other")).find("Verification: OK"), std::string::npos);
    const auto f = scratch_.write("t.der", *token);
    const std::string text = run("openssl ts -reply -token_in -in " + f.string() + " -token_out -text");
    EXPECT_NE(text.find("Policy OID: 1.3.6.1.4.1.99999.1"), std::string::npos) << text;
    EXPECT_NE(text.find("Time stamp: Mar  1 10:00:00 2026 GMT"), std::string::npos) << text;
    EXPECT_NE(text.find("Accuracy: 0x01 seconds"), std::string::npos) << text;
    EXPECT_NE(text.find("Hash Algorithm: sha256"), std::string::npos) << text;
    EXPECT_NE(text.find("Nonce: 0x"), std::string::npos) << text;
}

TEST_F(Tsa, SerialNumbersAreUnique) {
    const auto d = digest_of("same");
    std::set<std::string> serials;
    for (int i = 0; i < 8; ++i) {
        auto token = tsa_->timestamp(d);
        ASSERT_TRUE(token);
        const auto f = scratch_.write("t.der", *token);
        const std::string text = run("openssl ts -reply -token_in -in " + f.string() + " -token_out -text");
        const auto at = text.find("Serial number: ");
        ASSERT_NE(at, std::string::npos);
        serials.insert(text.substr(at, text.find('\n', at) - at));
    }
    EXPECT_EQ(serials.size(), 8u);
}

TEST_F(Tsa, RespondAnswersAnOpensslQueryWithAReplyOpensslVerifies) {
    const std::string q = openssl_query(scratch_, "document bytes");
    ASSERT_FALSE(q.empty());
    auto resp = tsa_->respond(q);
    ASSERT_TRUE(resp) << resp.error().detail;
    const auto r = scratch_.write("r.tsr", *resp);
    const std::string out = run("openssl ts -verify -queryfile " + (scratch_.dir() / "q.tsq").string() + " -in " +
                                r.string() + " -CAfile " + (scratch_.dir() / "root.pem").string() + " -untrusted " +
                                (scratch_.dir() / "chain.pem").string());
    EXPECT_NE(out.find("Verification: OK"), std::string::npos) << out;
    EXPECT_NE(run("openssl ts -reply -in " + r.string() + " -text").find("Status: Granted."), std::string::npos);
}

TEST_F(Tsa, RespondRejectsWhatIsNotARequest) {
    auto r = tsa_->respond("GET / HTTP/1.1\r\n\r\n");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "trust.tsa_request");
    EXPECT_EQ(r.error().status, 400);
    auto empty = tsa_->respond("");
    ASSERT_FALSE(empty);
    EXPECT_EQ(empty.error().code, "trust.tsa_request");
}

TEST_F(Tsa, RespondGivesARejectionForAnUnacceptedDigest) {
    const auto in = scratch_.write("data.bin", "x");
    run("openssl ts -query -sha1 -cert -data " + in.string() + " -out " + (scratch_.dir() / "q1.tsq").string());
    auto resp = tsa_->respond(test::read_file(scratch_.dir() / "q1.tsq"));
    ASSERT_TRUE(resp);
    const auto r = scratch_.write("r1.tsr", *resp);
    const std::string text = run("openssl ts -reply -in " + r.string() + " -text");
    EXPECT_NE(text.find("Status: Rejected"), std::string::npos) << text;
}

TEST_F(Tsa, CertificateWithoutTimeStampingUsageCannotTimeStamp) {
    auto bad = make_builtin_tsa(pki_.tsa(false), clock_);
    auto r = bad->timestamp(digest_of("x"));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "trust.tsa_unavailable");
    EXPECT_EQ(r.error().status, 503);
    // Over HTTP it answers a rejection, which the client reports the same way.
    const std::string q = openssl_query(scratch_, "x");
    auto resp = bad->respond(q);
    ASSERT_TRUE(resp);
    const auto f = scratch_.write("bad.tsr", *resp);
    EXPECT_NE(run("openssl ts -reply -in " + f.string() + " -text").find("Status: Rejected"), std::string::npos);
}

TEST_F(Tsa, HttpClientGetsATokenFromALoopbackAuthority) {
    LoopbackHttp server([this](const std::string& body, int&) {
        auto r = tsa_->respond(body);
        return r ? *r : std::string();
    });
    auto client = make_http_tsa({.url = "http://127.0.0.1:" + std::to_string(server.port()) + "/tsr"});
    const auto d = digest_of("over http");
    auto token = client->timestamp(d);
    ASSERT_TRUE(token) << token.error().detail;
    EXPECT_EQ(server.requests(), 1);
    EXPECT_NE(verify_token(*token, test::sha256_hex("over http")).find("Verification: OK"), std::string::npos);
}

TEST_F(Tsa, HttpClientReportsAnUnreachableAuthority) {
    auto client = make_http_tsa(
        {.url = "http://127.0.0.1:" + std::to_string(test::closed_port()) + "/tsr", .timeout = std::chrono::seconds(5)});
    auto r = client->timestamp(digest_of("x"));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "trust.tsa_unavailable");
    EXPECT_EQ(r.error().status, 503);
}

TEST_F(Tsa, HttpClientRefusesAnErrorStatusGarbageAndAReplayedAnswer) {
    std::string replay;
    std::atomic<int> mode{0};
    LoopbackHttp server([&](const std::string& body, int& status) -> std::string {
        if (mode == 0) {
            status = 500;
            return "oops";
        }
        if (mode == 1) return "not DER at all";
        if (replay.empty()) replay = *tsa_->respond(body);  // first answer, then served again
        return replay;
    });
    auto client = make_http_tsa({.url = "http://127.0.0.1:" + std::to_string(server.port()) + "/"});
    const auto d = digest_of("x");
    auto http500 = client->timestamp(d);
    ASSERT_FALSE(http500);
    EXPECT_EQ(http500.error().code, "trust.tsa_unavailable");
    mode = 1;
    auto garbage = client->timestamp(d);
    ASSERT_FALSE(garbage);
    EXPECT_EQ(garbage.error().code, "trust.tsa_unavailable");
    mode = 2;
    ASSERT_TRUE(client->timestamp(d));  // the genuine first answer
    auto replayed = client->timestamp(d);  // same imprint, but the nonce is the old one
    ASSERT_FALSE(replayed);
    EXPECT_EQ(replayed.error().code, "trust.tsa_unavailable");
    EXPECT_NE(replayed.error().detail.find("nonce"), std::string::npos) << replayed.error().detail;
    auto other = client->timestamp(digest_of("y"));  // another imprint than the one asked
    ASSERT_FALSE(other);
    EXPECT_NE(other.error().detail.find("imprint"), std::string::npos) << other.error().detail;
}

TEST_F(Tsa, BuiltinIsSafeFromSeveralThreads) {
    std::vector<std::thread> threads;
    std::atomic<int> ok{0};
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&] {
            for (int i = 0; i < 5; ++i)
                if (tsa_->timestamp(digest_of("t" + std::to_string(i)))) ++ok;
        });
    for (auto& th : threads) th.join();
    EXPECT_EQ(ok.load(), 20);
}

}  // namespace
