// OCSP against a real responder: `openssl ocsp` on a loopback port with one good and one
// revoked certificate; an unreachable responder gives trust.revocation_unknown.
#include "pki_samples.hpp"
#include "trust/cert_check.hpp"
#include "trust/revocation.hpp"

#include <gtest/gtest.h>

using namespace idara;
using namespace idara::trust;
using namespace idara::trust::samples;

namespace {

std::int64_t now_ms() { return static_cast<std::int64_t>(std::time(nullptr)) * 1000; }

class OcspTest : public ::testing::Test {
protected:
    void SetUp() override {
        root_ = make_ca("OCSP Test Root");
        issuing_ = make_ca("OCSP Test Issuing CA", &root_);
        port_ = closed_port();
        ASSERT_GT(port_, 0);
    }
    SigningIdentity leaf(const std::string& cn, const std::string& url) {
        auto p = profile(cn);
        p.ocsp_url = url;
        return make_leaf(issuing_, p);
    }
    Status check(const SigningIdentity& id, bool ocsp = true, long timeout_ms = 3000) {
        CertCheckOptions o;
        o.anchors_pem = {to_pem(root_.cert.get())};
        o.ocsp = ocsp;
        o.ocsp_timeout_ms = timeout_ms;
        std::vector<X509*> chain;
        for (const auto& c : id.chain) chain.push_back(c.get());
        return check_certificate(id.cert.get(), chain, CertPurpose::signing, now_ms(), o);
    }

    Ca root_, issuing_;
    int port_ = 0;
};

TEST_F(OcspTest, RealResponderSaysGoodAndRevoked) {
    // The responder's URL is known only once it listens: its index holds the serials of two
    // probe certificates, which are then re-issued (same key, same serial) naming the responder.
    auto probe_good = leaf("Good", "http://127.0.0.1:1/");
    auto probe_bad = leaf("Revoked", "http://127.0.0.1:1/");
    OcspResponder responder(issuing_, {probe_good.cert.get()}, {probe_bad.cert.get()});
    ASSERT_GT(responder.port(), 0) << "openssl ocsp did not start";
    // Same keys and serials, now pointing at the responder.
    auto reissue = [&](const SigningIdentity& id, const std::string& cn) {
        auto p = profile(cn);
        p.ocsp_url = responder.url();
        SigningIdentity out;
        out.cert = issue_certificate(id.key.get(), issuing_.key.get(), issuing_.cert.get(), p);
        X509_set_serialNumber(out.cert.get(), X509_get_serialNumber(id.cert.get()));
        X509_sign(out.cert.get(), issuing_.key.get(), EVP_sha256());
        X509_up_ref(issuing_.cert.get());
        out.chain.emplace_back(issuing_.cert.get());
        return out;
    };
    auto good = reissue(probe_good, "Good");
    auto bad = reissue(probe_bad, "Revoked");
    EXPECT_EQ(ocsp_url(good.cert.get()), responder.url());

    auto r = check_ocsp(good.cert.get(), issuing_.cert.get(), 3000);
    EXPECT_EQ(r.state, RevocationState::good) << r.detail;
    auto rb = check_ocsp(bad.cert.get(), issuing_.cert.get(), 3000);
    EXPECT_EQ(rb.state, RevocationState::revoked) << rb.detail;
    EXPECT_GT(rb.revoked_at_ms, 0);

    EXPECT_TRUE(check(good));
    auto s = check(bad);
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().code, "trust.cert_revoked");
    // OCSP off: the responder is not asked.
    EXPECT_TRUE(check(bad, false));
}

TEST_F(OcspTest, UnreachableResponderIsRevocationUnknown) {
    auto id = leaf("Nobody answers", "http://127.0.0.1:" + std::to_string(port_) + "/");
    // Connecting is retried until the timeout: keep it short.
    auto r = check_ocsp(id.cert.get(), issuing_.cert.get(), 1000);
    EXPECT_EQ(r.state, RevocationState::unknown);
    auto s = check(id, true, 1000);
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().code, "trust.revocation_unknown");
    EXPECT_EQ(s.error().status, 503);
}

TEST_F(OcspTest, NoResponderNamedIsNotChecked) {
    auto id = leaf("No AIA", "");
    EXPECT_EQ(ocsp_url(id.cert.get()), "");
    EXPECT_EQ(check_ocsp(id.cert.get(), issuing_.cert.get(), 1000).state, RevocationState::not_checked);
    EXPECT_TRUE(check(id));
}

}  // namespace
