// Detached CAdES signatures of non-PDF content: verified by `openssl cms -verify`, B-T with
// the built-in authority (token verified by `openssl ts -verify`), no signingTime attribute,
// tampered content refused, and an unreachable authority producing nothing.
#include "shell.hpp"
#include "sign_fixture.hpp"
#include "trust/cades.hpp"

#include <gtest/gtest.h>

using namespace idara;
using namespace idara::trust;

namespace {

std::string run(const std::string& cmd) { return idara::testing::run_command(cmd); }

class Cades : public ::testing::Test {
protected:
    test::TestPki pki_ = test::make_test_pki();
    test::Scratch scratch_{pki_};
    SigningIdentity signer_ = pki_.signer("Amina El Idrissi");
    std::unique_ptr<BuiltinTsa> tsa_ = make_builtin_tsa(pki_.tsa(), system_clock());

    std::string cms_verify(const std::string& p7s, const std::string& content) {
        const auto sig = scratch_.write("sig.p7s", p7s);
        const auto file = scratch_.write("content.bin", content);
        return run("openssl cms -verify -binary -inform DER -in " + sig.string() + " -content " + file.string() +
                   " -CAfile " + (scratch_.dir() / "root.pem").string() + " -purpose any -out /dev/null");
    }
};

const std::string kContent = std::string("attachment: \x00\x01\x02 binary \r\n and text\n", 36);

TEST_F(Cades, DetachedSignatureVerifiesWithOpensslAndCarriesAVerifiableTimestamp) {
    auto p7s = sign_detached(kContent, signer_, tsa_.get());
    ASSERT_TRUE(p7s) << p7s.error().detail;
    EXPECT_NE(cms_verify(*p7s, kContent).find("Verification successful"), std::string::npos);
    std::string sig_hash;
    const std::string token = test::timestamp_token(*p7s, &sig_hash);
    ASSERT_FALSE(token.empty());
    const auto t = scratch_.write("token.der", token);
    const std::string out = run("openssl ts -verify -digest " + sig_hash + " -token_in -in " + t.string() + " -CAfile " +
                                (scratch_.dir() / "root.pem").string() + " -untrusted " +
                                (scratch_.dir() / "chain.pem").string());
    EXPECT_NE(out.find("Verification: OK"), std::string::npos) << out;
    // CAdES: signing-certificate-v2 present, no signingTime; detached: no content inside.
    EXPECT_FALSE(test::has_signing_time(*p7s));
    const auto f = scratch_.write("print.p7s", *p7s);
    const std::string printed = run("openssl cms -cmsout -print -inform DER -in " + f.string());
    EXPECT_NE(printed.find("id-smime-aa-signingCertificateV2"), std::string::npos) << printed;
    EXPECT_NE(printed.find("eContent: <ABSENT>"), std::string::npos);
    // (The token itself, made by OpenSSL's TS code, has a signingTime of its own: not ours to change.)
}

TEST_F(Cades, TamperedContentFailsVerification) {
    auto p7s = sign_detached(kContent, signer_, nullptr);
    ASSERT_TRUE(p7s);
    EXPECT_TRUE(test::timestamp_token(*p7s).empty());  // B-B without an authority
    std::string tampered = kContent;
    tampered[5] ^= 0x20;
    const std::string out = cms_verify(*p7s, tampered);
    EXPECT_EQ(out.find("Verification successful"), std::string::npos) << out;
    EXPECT_NE(out.find("CMS_SignerInfo_verify_content:verification failure"), std::string::npos) << out;
    // Without a time-stamp the claimed signingTime is the only time: it is there.
    EXPECT_TRUE(test::has_signing_time(*p7s));
}

TEST_F(Cades, UnreachableAuthorityGivesNoSignature) {
    auto tsa = make_http_tsa({.url = "http://127.0.0.1:" + std::to_string(test::closed_port()) + "/"});
    auto p7s = sign_detached(kContent, signer_, tsa.get());
    ASSERT_FALSE(p7s);
    EXPECT_EQ(p7s.error().code, "trust.tsa_unavailable");
    EXPECT_EQ(p7s.error().status, 503);
}

TEST_F(Cades, IdentityWithoutKeyIsRefused) {
    SigningIdentity empty;
    auto p7s = sign_detached(kContent, empty, nullptr);
    ASSERT_FALSE(p7s);
    EXPECT_EQ(p7s.error().code, "trust.sign");
}

}  // namespace
