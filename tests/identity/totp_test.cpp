// identity::TotpService on both backends: RFC 6238 codes, enrolment, the ±1 step window,
// replay, throttling, re-authentication's generic error, disabling, encryption at rest.
#include "identity/totp.hpp"
#include "service_fixture.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>

using namespace idara;
using namespace idara::identity;
using namespace std::chrono_literals;

namespace {

const SecretKey kMaster = [] {
    SecretKey k{};
    for (std::size_t i = 0; i < k.size(); ++i) k[i] = static_cast<unsigned char>(i * 7 + 1);
    return k;
}();

std::vector<unsigned char> bytes_of(std::string_view s) { return {s.begin(), s.end()}; }

// RFC 6238 Appendix B, SHA-1 rows (the 20-byte ASCII key "12345678901234567890").
TEST(Totp, Rfc6238AppendixBVectors) {
    const auto key = bytes_of("12345678901234567890");
    const std::pair<std::int64_t, std::string> rows[] = {
        {59, "94287082"},         {1111111109, "07081804"}, {1111111111, "14050471"},
        {1234567890, "89005924"}, {2000000000, "69279037"}, {20000000000, "65353130"},
    };
    for (const auto& [t, code8] : rows) {
        EXPECT_EQ(totp_code(key, t, 8), code8) << t;
        EXPECT_EQ(totp_code(key, t), code8.substr(2)) << "six digits are the last six of eight, t=" << t;
    }
    EXPECT_EQ(totp_code(key, 59), totp_code(key, 30)) << "one 30-second step";
    EXPECT_NE(totp_code(key, 59), totp_code(key, 60));
}

TEST(Totp, Base32RoundTripAndErrors) {
    const auto key = bytes_of("12345678901234567890");
    EXPECT_EQ(base32_encode(key), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
    EXPECT_EQ(base32_decode("gezdgnbvgy3tqojq GEZDGNBVGY3TQOJQ").value(), key);
    EXPECT_EQ(base32_encode(bytes_of("f")), "MY");
    EXPECT_EQ(base32_decode("MY======").value(), bytes_of("f"));
    EXPECT_EQ(base32_decode("MZXW6YQ=").value(), bytes_of("foob"));
    EXPECT_EQ(base32_decode("AB1").error().code, "request.invalid");
    EXPECT_EQ(base32_decode("MY==A").error().code, "request.invalid");
}

TEST(Totp, OtpauthUriEscapesLabelAndIssuer) {
    EXPECT_EQ(otpauth_uri("idara MEF", "a.b@mef.gov.ma", "ABC"),
              "otpauth://totp/idara%20MEF:a.b@mef.gov.ma?secret=ABC&issuer=idara%20MEF&algorithm=SHA1&digits=6&period=30");
}

class TotpTest : public idara::testing::ServiceTest {
protected:
    void SetUp() override {
        ServiceTest::SetUp();
        totp_ = std::make_unique<TotpService>(*db_, *svc_, kMaster, TotpOptions{}, clock_);
    }
    std::int64_t now_s() const { return clock_.now_ms() / 1000; }
    // Enrols staff_a_ and returns its secret; the clock then moves two steps on.
    std::vector<unsigned char> enrol() {
        auto e = totp_->begin_enrolment(staff_a_);
        EXPECT_TRUE(e) << e.error().code;
        auto secret = base32_decode(e->secret_base32).value();
        EXPECT_TRUE(totp_->confirm_enrolment(staff_a_, totp_code(secret, now_s()), "10.1.1.1"));
        clock_.advance(60s);  // the confirming step and the next are behind the window's start
        return secret;
    }
    std::string sealed_column(std::int64_t account) {
        return db_->read<std::string>([&](storage::Tx& tx) -> Result<std::string> {
                      auto r = tx.query_one("SELECT secret_sealed FROM totp_secrets WHERE account_id = $1", {account});
                      if (!r) return r.error();
                      return (*r)->as_blob(0).bytes;
                  })
            .value();
    }
    std::unique_ptr<TotpService> totp_;
};

TEST_P(TotpTest, EnrolmentNeedsAFirstValidCode) {
    EXPECT_FALSE(totp_->state(staff_a_).value().active);
    auto e = totp_->begin_enrolment(staff_a_);
    ASSERT_TRUE(e) << e.error().code;
    EXPECT_EQ(e->secret_base32.size(), 32u) << "20 random bytes";
    EXPECT_NE(e->otpauth_uri.find("otpauth://totp/idara:admin@a.ma?secret=" + e->secret_base32), std::string::npos);
    const auto st = totp_->state(staff_a_).value();
    EXPECT_TRUE(st.pending);
    EXPECT_FALSE(st.active);
    EXPECT_EQ(totp_->reauthenticate(staff_a_, kPassword, "123456", "").error().code, "identity.totp_not_enrolled")
        << "a pending secret is not a second factor yet";

    const auto secret = base32_decode(e->secret_base32).value();
    const std::string good = totp_code(secret, now_s());
    const std::string bad = good == "000000" ? "111111" : "000000";
    auto wrong = totp_->confirm_enrolment(staff_a_, bad, "");
    ASSERT_FALSE(wrong);
    EXPECT_EQ(wrong.error().code, "identity.totp_invalid_code");
    EXPECT_EQ(wrong.error().status, 400);
    ASSERT_TRUE(totp_->confirm_enrolment(staff_a_, good, ""));
    EXPECT_TRUE(totp_->state(staff_a_).value().active);
    EXPECT_EQ(totp_->confirm_enrolment(staff_a_, good, "").error().code, "identity.totp_not_enrolled")
        << "nothing left to confirm";
    auto again = totp_->begin_enrolment(staff_a_);
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().code, "identity.totp_already_enrolled");
    EXPECT_EQ(again.error().status, 409);

    // A second begin_enrolment before confirming replaces the pending secret.
    auto p1 = totp_->begin_enrolment(staff_b_).value();
    auto p2 = totp_->begin_enrolment(staff_b_).value();
    EXPECT_NE(p1.secret_base32, p2.secret_base32);
    EXPECT_FALSE(totp_->confirm_enrolment(staff_b_, totp_code(base32_decode(p1.secret_base32).value(), now_s()), ""));
    EXPECT_TRUE(totp_->confirm_enrolment(staff_b_, totp_code(base32_decode(p2.secret_base32).value(), now_s()), ""));
}

TEST_P(TotpTest, ReauthenticateAcceptsOneStepEitherSide) {
    const auto secret = enrol();
    ASSERT_TRUE(totp_->reauthenticate(staff_a_, kPassword, totp_code(secret, now_s() - 30), ""));
    clock_.advance(30s);
    ASSERT_TRUE(totp_->reauthenticate(staff_a_, kPassword, totp_code(secret, now_s()), ""));
    clock_.advance(30s);
    ASSERT_TRUE(totp_->reauthenticate(staff_a_, kPassword, totp_code(secret, now_s() + 30), ""))
        << "the next step (a phone clock ahead)";
    clock_.advance(90s);
    EXPECT_EQ(totp_->reauthenticate(staff_a_, kPassword, totp_code(secret, now_s() - 60), "").error().code,
              "identity.reauth_failed")
        << "two steps old";
    EXPECT_EQ(totp_->reauthenticate(staff_a_, kPassword, totp_code(secret, now_s() + 60), "").error().code,
              "identity.reauth_failed")
        << "two steps ahead";
    EXPECT_TRUE(totp_->reauthenticate(staff_a_, kPassword, " " + totp_code(secret, now_s()).insert(3, " "), ""))
        << "spaces as apps show them";
}

TEST_P(TotpTest, ACodeIsUsedOnce) {
    const auto secret = enrol();
    const std::string code = totp_code(secret, now_s());
    ASSERT_TRUE(totp_->reauthenticate(staff_a_, kPassword, code, ""));
    auto replay = totp_->reauthenticate(staff_a_, kPassword, code, "");
    ASSERT_FALSE(replay);
    EXPECT_EQ(replay.error().code, "identity.reauth_failed");
    // After a newer code, an older one (still in the window) is refused too.
    clock_.advance(30s);
    ASSERT_TRUE(totp_->reauthenticate(staff_a_, kPassword, totp_code(secret, now_s() + 30), ""));
    EXPECT_FALSE(totp_->reauthenticate(staff_a_, kPassword, totp_code(secret, now_s()), ""));
    // The code that confirmed the enrolment cannot be replayed either.
    auto e = totp_->begin_enrolment(staff_b_).value();
    const auto sb = base32_decode(e.secret_base32).value();
    const std::string first = totp_code(sb, now_s());
    ASSERT_TRUE(totp_->confirm_enrolment(staff_b_, first, ""));
    EXPECT_FALSE(totp_->reauthenticate(staff_b_, kPassword, first, ""));
}

TEST_P(TotpTest, TheErrorDoesNotSayWhichFactorFailed) {
    const auto secret = enrol();
    const std::string code = totp_code(secret, now_s());
    const std::string bad = code == "000000" ? "111111" : "000000";
    auto wrong_password = totp_->reauthenticate(staff_a_, "not-the-password", code, "");
    auto wrong_code = totp_->reauthenticate(staff_a_, kPassword, bad, "");
    auto malformed = totp_->reauthenticate(staff_a_, kPassword, "12a456", "");
    ASSERT_FALSE(wrong_password);
    ASSERT_FALSE(wrong_code);
    ASSERT_FALSE(malformed);
    EXPECT_EQ(wrong_password.error().code, "identity.reauth_failed");
    EXPECT_EQ(wrong_password.error().status, 401);
    EXPECT_EQ(wrong_code.error().code, wrong_password.error().code);
    EXPECT_EQ(wrong_code.error().status, wrong_password.error().status);
    EXPECT_EQ(malformed.error().code, wrong_password.error().code);
    EXPECT_TRUE(totp_->reauthenticate(staff_a_, kPassword, code, ""))
        << "a code refused with a wrong password is not consumed";
}

TEST_P(TotpTest, WrongCodesAreThrottled) {
    const auto secret = enrol();
    const std::string code = totp_code(secret, now_s());
    const std::string bad = code == "000000" ? "111111" : "000000";
    for (int i = 0; i < 5; ++i) EXPECT_EQ(totp_->reauthenticate(staff_a_, kPassword, bad, "10.9.9.9").error().code,
                                          "identity.reauth_failed");
    auto t = totp_->reauthenticate(staff_a_, kPassword, code, "10.9.9.9");
    ASSERT_FALSE(t);
    EXPECT_EQ(t.error().code, "identity.throttled");
    EXPECT_EQ(t.error().status, 429);
    EXPECT_EQ(totp_->disable(staff_a_, kPassword, "").error().code, "identity.throttled");
    clock_.advance(16min);
    EXPECT_TRUE(totp_->reauthenticate(staff_a_, kPassword, totp_code(secret, now_s()), "10.9.9.9"));
    // Wrong codes while confirming an enrolment count too.
    auto e = totp_->begin_enrolment(staff_b_).value();
    for (int i = 0; i < 5; ++i) EXPECT_FALSE(totp_->confirm_enrolment(staff_b_, "12345", ""));
    const auto sb = base32_decode(e.secret_base32).value();
    EXPECT_EQ(totp_->confirm_enrolment(staff_b_, totp_code(sb, now_s()), "").error().code, "identity.throttled");
}

TEST_P(TotpTest, DisableNeedsThePassword) {
    EXPECT_EQ(totp_->disable(staff_a_, kPassword, "").error().code, "identity.totp_not_enrolled");
    const auto secret = enrol();
    auto wrong = totp_->disable(staff_a_, "not-the-password", "");
    ASSERT_FALSE(wrong);
    EXPECT_EQ(wrong.error().code, "identity.reauth_failed");
    EXPECT_TRUE(totp_->state(staff_a_).value().active);
    ASSERT_TRUE(totp_->disable(staff_a_, kPassword, ""));
    EXPECT_FALSE(totp_->state(staff_a_).value().active);
    EXPECT_EQ(totp_->reauthenticate(staff_a_, kPassword, totp_code(secret, now_s()), "").error().code,
              "identity.totp_not_enrolled");
    EXPECT_TRUE(totp_->begin_enrolment(staff_a_)) << "a new enrolment may start";
}

TEST_P(TotpTest, SecretsAreEncryptedAtRest) {
    auto e = totp_->begin_enrolment(staff_a_).value();
    const auto secret = base32_decode(e.secret_base32).value();
    const std::string column = sealed_column(staff_a_);
    EXPECT_EQ(column.size(), 24u + 16u + 20u) << "nonce, MAC, 20-byte secret";
    const std::string raw(secret.begin(), secret.end());
    EXPECT_EQ(column.find(raw), std::string::npos);
    EXPECT_EQ(column.find(e.secret_base32), std::string::npos);
    // The same database under another master key opens nothing.
    SecretKey other = kMaster;
    other[0] ^= 1;
    TotpService wrong_key(*db_, *svc_, other, TotpOptions{}, clock_);
    auto r = wrong_key.confirm_enrolment(staff_a_, totp_code(secret, now_s()), "");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "identity.totp_key");
    EXPECT_TRUE(totp_->confirm_enrolment(staff_a_, totp_code(secret, now_s()), ""));
}

TEST_P(TotpTest, ATrustedSecretIsActiveAtOnce) {
    const auto key = bytes_of("12345678901234567890");
    ASSERT_TRUE(totp_->set_active_secret(staff_b_, key));
    EXPECT_TRUE(totp_->state(staff_b_).value().active);
    EXPECT_TRUE(totp_->reauthenticate(staff_b_, kPassword, totp_code(key, now_s()), ""));
    EXPECT_EQ(sealed_column(staff_b_).find("12345678901234567890"), std::string::npos);
}

}  // namespace

INSTANTIATE_TEST_SUITE_P(Backends, TotpTest, ::testing::ValuesIn(idara::testing::all_backends()),
                         idara::testing::backend_param_name);
