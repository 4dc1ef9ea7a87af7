// Certificate checks before use: validity, key usage per purpose, chain to the anchors, CRL.
#include "pki_samples.hpp"
#include "trust/cert_check.hpp"
#include "trust/revocation.hpp"

#include <gtest/gtest.h>

using namespace idara;
using namespace idara::trust;
using namespace idara::trust::samples;

namespace {

std::int64_t now_ms() { return static_cast<std::int64_t>(std::time(nullptr)) * 1000; }

class CertCheckTest : public ::testing::Test {
protected:
    void SetUp() override {
        root_ = make_ca("Test Root");
        issuing_ = make_ca("Test Issuing CA", &root_);
        options_.anchors_pem = {to_pem(root_.cert.get())};
    }
    Status check(const SigningIdentity& id, CertPurpose purpose = CertPurpose::signing, std::int64_t at = 0) {
        std::vector<X509*> chain;
        for (const auto& c : id.chain) chain.push_back(c.get());
        return check_certificate(id.cert.get(), chain, purpose, at ? at : now_ms(), options_);
    }
    static std::string code(const Status& s) { return s ? "ok" : s.error().code; }

    Ca root_, issuing_;
    CertCheckOptions options_;
};

TEST_F(CertCheckTest, AGoodSigningCertificateThroughAnIntermediatePasses) {
    auto id = make_leaf(issuing_, profile("Amina"));
    ASSERT_EQ(id.chain.size(), 1u);
    EXPECT_EQ(code(check(id)), "ok");
    EXPECT_EQ(code(check(id, CertPurpose::seal)), "ok");
}

TEST_F(CertCheckTest, ExpiredAndNotYetValidAreRefused) {
    auto expired = make_leaf(issuing_, profile("Old", -30 * kDay, 10 * kDay));
    auto future = make_leaf(issuing_, profile("Future", 5 * kDay, 10 * kDay));
    auto s = check(expired);
    EXPECT_EQ(code(s), "trust.cert_expired");
    EXPECT_EQ(s.error().status, 422);
    EXPECT_EQ(code(check(future)), "trust.cert_not_yet_valid");
    // The same certificate was fine during its validity.
    EXPECT_EQ(code(check(expired, CertPurpose::signing, now_ms() - 25 * kDay * 1000)), "ok");
}

TEST_F(CertCheckTest, KeyUsageMustFitThePurpose) {
    auto p = profile("Encrypt only");
    p.key_usage = "critical,keyEncipherment";
    EXPECT_EQ(code(check(make_leaf(issuing_, p))), "trust.cert_key_usage");
    auto server = profile("TLS server");
    server.ext_key_usage = "serverAuth";
    EXPECT_EQ(code(check(make_leaf(issuing_, server))), "trust.cert_key_usage");
    // A signing certificate is no TSA; a TSA needs the critical timeStamping EKU.
    auto signer = make_leaf(issuing_, profile("Signer"));
    EXPECT_EQ(code(check(signer, CertPurpose::tsa)), "trust.cert_key_usage");
    auto loose = profile("TSA not critical");
    loose.ext_key_usage = "timeStamping";
    EXPECT_EQ(code(check(make_leaf(issuing_, loose), CertPurpose::tsa)), "trust.cert_key_usage");
    auto tsa = profile("TSA");
    tsa.ext_key_usage = "critical,timeStamping";
    EXPECT_EQ(code(check(make_leaf(issuing_, tsa), CertPurpose::tsa)), "ok");
    auto doc = profile("Document signing");
    doc.ext_key_usage = "1.3.6.1.5.5.7.3.36";
    EXPECT_EQ(code(check(make_leaf(issuing_, doc))), "ok");
}

TEST_F(CertCheckTest, AnotherAnchorIsUntrusted) {
    Ca other = make_ca("Other Root");
    auto id = make_leaf(issuing_, profile("Amina"));
    options_.anchors_pem = {to_pem(other.cert.get())};
    EXPECT_EQ(code(check(id)), "trust.cert_untrusted");
    options_.anchors_pem = {"not a certificate"};
    EXPECT_EQ(code(check(id)), "trust.cert_untrusted");
    // Without the intermediate the chain cannot be built either.
    options_.anchors_pem = {to_pem(root_.cert.get())};
    id.chain.clear();
    EXPECT_EQ(code(check(id)), "trust.cert_untrusted");
}

TEST_F(CertCheckTest, RevokedByTheIssuersCrl) {
    auto id = make_leaf(issuing_, profile("Amina"));
    auto other = make_leaf(issuing_, profile("Karim"));
    options_.crls_der = {make_crl(issuing_, {id.cert.get()})};
    auto s = check(id);
    EXPECT_EQ(code(s), "trust.cert_revoked");
    EXPECT_EQ(s.error().status, 422);
    EXPECT_EQ(code(check(other)), "ok");
    // A CRL signed by someone else does not count.
    Ca impostor = make_ca("Test Issuing CA");
    options_.crls_der = {make_crl(impostor, {other.cert.get()})};
    EXPECT_EQ(code(check(other)), "ok");
    // An expired CRL cannot say "good".
    options_.crls_der = {make_crl(issuing_, {}, 3600, -3600)};
    auto stale = check(other);
    EXPECT_EQ(code(stale), "trust.revocation_unknown");
    EXPECT_EQ(stale.error().status, 503);
}

TEST_F(CertCheckTest, CrlStatesDirectly) {
    auto id = make_leaf(issuing_, profile("Amina"));
    EXPECT_EQ(check_crls(id.cert.get(), issuing_.cert.get(), {}, now_ms()).state, RevocationState::not_checked);
    auto r = check_crls(id.cert.get(), issuing_.cert.get(), {make_crl(issuing_, {id.cert.get()}, 7200)}, now_ms());
    EXPECT_EQ(r.state, RevocationState::revoked);
    EXPECT_NEAR(static_cast<double>(r.revoked_at_ms), static_cast<double>(now_ms() - 7200 * 1000), 5000.0);
    EXPECT_EQ(check_crls(id.cert.get(), issuing_.cert.get(), {"garbage"}, now_ms()).state, RevocationState::not_checked);
}

}  // namespace
