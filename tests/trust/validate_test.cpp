// The validator: PAdES (seal_pdf, sign_pdf incremental, B-T) and CAdES-detached signatures
// reported as ETSI EN 319 102-1 indications.
#include "pki_samples.hpp"
#include "trust/cades.hpp"
#include "trust/pades.hpp"
#include "trust/pdf_sign.hpp"
#include "trust/tsa.hpp"
#include "trust/validate.hpp"
#include "trust_samples.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

using namespace idara;
using namespace idara::trust;
using namespace idara::trust::samples;

namespace {

class ShiftedClock final : public Clock {
public:
    explicit ShiftedClock(std::chrono::seconds shift) : shift_(shift) {}
    std::chrono::system_clock::time_point now() const override { return std::chrono::system_clock::now() + shift_; }

private:
    std::chrono::seconds shift_;
};

class ValidateTest : public ::testing::Test {
protected:
    void SetUp() override {
        root_ = make_ca("Validator Root");
        issuing_ = make_ca("Validator Issuing CA", &root_);
        signer_ = make_leaf(issuing_, profile("Amina El Mansouri"));
        options_.anchors_pem = {to_pem(root_.cert.get())};
    }
    std::unique_ptr<BuiltinTsa> tsa(std::chrono::seconds shift = std::chrono::seconds(0)) {
        auto p = profile("Validator TSA", -365 * kDay, 3 * 365 * kDay);
        p.ext_key_usage = "critical,timeStamping";
        clock_ = std::make_unique<ShiftedClock>(shift);
        return make_builtin_tsa(make_leaf(issuing_, p), *clock_);
    }
    ValidationReport pdf(const std::string& bytes) {
        auto r = validate_pdf(bytes, options_);
        EXPECT_TRUE(r);
        return r ? *r : ValidationReport{};
    }
    ValidationReport detached(const std::string& content, const std::string& p7s) {
        auto r = validate_detached(content, p7s, options_);
        EXPECT_TRUE(r);
        return r ? *r : ValidationReport{};
    }
    static std::string ind(const ValidationReport& r) {
        return std::string(to_string(r.indication)) + "/" + std::string(to_string(r.sub_indication));
    }
    std::string sealed() {
        auto s = seal_pdf(minimal_pdf(), signer_);
        EXPECT_TRUE(s);
        return s ? *s : std::string();
    }

    Ca root_, issuing_;
    SigningIdentity signer_;
    ValidationOptions options_;
    std::unique_ptr<ShiftedClock> clock_;
};

TEST_F(ValidateTest, ASealedPdfPasses) {
    auto r = pdf(sealed());
    EXPECT_EQ(r.format, "pdf");
    ASSERT_EQ(r.signatures.size(), 1u);
    const auto& s = r.signatures[0];
    EXPECT_EQ(ind(r), "TOTAL_PASSED/") << s.chain_error;
    EXPECT_TRUE(s.integrity);
    EXPECT_TRUE(s.chain_trusted);
    EXPECT_TRUE(s.total_document);
    EXPECT_EQ(s.signer_common_name, "Amina El Mansouri");
    EXPECT_EQ(s.signer_organisation, "Test");
    EXPECT_EQ(s.signer_cert_sha256, cert_sha256_hex(signer_.cert.get()));
    EXPECT_FALSE(s.timestamp.present);
    EXPECT_EQ(reason_key(r.indication, r.sub_indication), "trust.indication.passed");
}

TEST_F(ValidateTest, AFlippedByteIsHashFailure) {
    std::string bytes = sealed();
    const auto at = bytes.find("0 0 1 rg");
    ASSERT_NE(at, std::string::npos);
    bytes[at + 4] = '0';
    auto r = pdf(bytes);
    ASSERT_EQ(r.signatures.size(), 1u);
    EXPECT_EQ(ind(r), "TOTAL_FAILED/HASH_FAILURE");
    EXPECT_EQ(reason_key(r.indication, r.sub_indication), "trust.indication.hash_failure");
}

TEST_F(ValidateTest, RevokedSignerIsTotalFailed) {
    options_.crls_der = {make_crl(issuing_, {signer_.cert.get()})};
    auto r = pdf(sealed());
    EXPECT_EQ(ind(r), "TOTAL_FAILED/REVOKED");
    ASSERT_EQ(r.signatures.size(), 1u);
    EXPECT_EQ(r.signatures[0].revocation, "revoked");
    options_.crls_der = {make_crl(issuing_, {})};
    auto good = pdf(sealed());
    EXPECT_EQ(ind(good), "TOTAL_PASSED/");
    EXPECT_EQ(good.signatures[0].revocation, "good");
}

TEST_F(ValidateTest, AnotherAnchorIsNoCertificateChainFound) {
    Ca other = make_ca("Someone else");
    options_.anchors_pem = {to_pem(other.cert.get())};
    auto r = pdf(sealed());
    EXPECT_EQ(ind(r), "INDETERMINATE/NO_CERTIFICATE_CHAIN_FOUND");
    EXPECT_TRUE(r.signatures[0].integrity);
    EXPECT_FALSE(r.signatures[0].chain_trusted);
}

TEST_F(ValidateTest, NotAPdfIsFormatFailureAndAnUnsignedPdfHasNoSignedData) {
    auto r = pdf("hello, this is plain text");
    EXPECT_EQ(ind(r), "INDETERMINATE/FORMAT_FAILURE");
    ASSERT_EQ(r.signatures.size(), 1u);
    auto u = pdf(minimal_pdf());
    EXPECT_TRUE(u.signatures.empty());
    EXPECT_EQ(ind(u), "INDETERMINATE/SIGNED_DATA_NOT_FOUND");
    auto e = validate_pdf("", options_);
    ASSERT_TRUE(e);
    EXPECT_EQ(ind(*e), "INDETERMINATE/FORMAT_FAILURE");
}

TEST_F(ValidateTest, DetachedCadesIntegrityAndFormat) {
    const std::string content = "bonjour — مرحبا";
    auto p7s = sign_detached(content, signer_, nullptr);
    ASSERT_TRUE(p7s) << p7s.error().code;
    auto ok = detached(content, *p7s);
    EXPECT_EQ(ok.format, "cades");
    EXPECT_EQ(ind(ok), "TOTAL_PASSED/") << ok.signatures[0].chain_error;
    EXPECT_EQ(ind(detached(content + "!", *p7s)), "TOTAL_FAILED/HASH_FAILURE");
    EXPECT_EQ(ind(detached("", *p7s)), "INDETERMINATE/SIGNED_DATA_NOT_FOUND");
    EXPECT_EQ(ind(detached(content, "not a signature")), "INDETERMINATE/FORMAT_FAILURE");
    // A damaged signature value: the digest matches, the signature does not.
    std::string broken = *p7s;
    ASSERT_GT(broken.size(), 40u);
    // The ECDSA signature value is near the end of the SignerInfo (no unsigned attributes in B-B).
    broken[broken.size() - 5] ^= 0x01;
    const auto b = detached(content, broken);
    EXPECT_EQ(b.indication, Indication::total_failed);
    EXPECT_TRUE(b.sub_indication == SubIndication::sig_crypto_failure ||
                b.sub_indication == SubIndication::format_failure || b.sub_indication == SubIndication::hash_failure)
        << ind(b);
}

TEST_F(ValidateTest, ExpiredSignerWithEarlierTimestampPassesWithoutItNoPoe) {
    // Valid from 30 days ago to 2 days ago; the time-stamp says 10 days ago.
    SigningIdentity old = make_leaf(issuing_, profile("Former signer", -30 * kDay, 28 * kDay));
    auto authority = tsa(std::chrono::seconds(-10 * kDay));
    const std::string content = "minutes of the meeting";
    auto bt = sign_detached(content, old, authority.get());
    ASSERT_TRUE(bt) << bt.error().code << " " << bt.error().detail;
    auto r = detached(content, *bt);
    EXPECT_EQ(ind(r), "TOTAL_PASSED/") << r.signatures[0].chain_error << " / " << r.signatures[0].timestamp.error;
    const auto& ts = r.signatures[0].timestamp;
    EXPECT_TRUE(ts.present);
    EXPECT_TRUE(ts.valid) << ts.error;
    EXPECT_EQ(ts.tsa_name, "Validator TSA");
    const double ten_days_ago = static_cast<double>(std::time(nullptr) - 10 * kDay) * 1000;
    EXPECT_NEAR(static_cast<double>(ts.gen_time_ms), ten_days_ago, 120000.0);

    auto bb = sign_detached(content, old, nullptr);
    ASSERT_TRUE(bb);
    EXPECT_EQ(ind(detached(content, *bb)), "INDETERMINATE/OUT_OF_BOUNDS_NO_POE");
    // A time-stamp after the expiry proves nothing useful.
    auto late = tsa(std::chrono::seconds(0));
    auto lt = sign_detached(content, old, late.get());
    ASSERT_TRUE(lt);
    EXPECT_EQ(ind(detached(content, *lt)), "INDETERMINATE/OUT_OF_BOUNDS_NOT_REVOKED");
    // A time-stamp from an authority outside the anchors is not a proof either.
    Ca stranger = make_ca("Stranger TSA root");
    auto sp = profile("Stranger TSA");
    sp.ext_key_usage = "critical,timeStamping";
    ShiftedClock past(std::chrono::seconds(-10 * kDay));
    auto foreign = make_builtin_tsa(make_leaf(stranger, sp), past);
    auto ft = sign_detached(content, old, foreign.get());
    ASSERT_TRUE(ft);
    const auto fr = detached(content, *ft);
    EXPECT_EQ(ind(fr), "INDETERMINATE/OUT_OF_BOUNDS_NO_POE");
    EXPECT_TRUE(fr.signatures[0].timestamp.present);
    EXPECT_FALSE(fr.signatures[0].timestamp.valid);
}

TEST_F(ValidateTest, IncrementalPdfSignaturesAreEachReported) {
    auto authority = tsa();
    PdfSignRequest req;
    req.field_name = "Sig2-signature";
    auto two = sign_pdf(sealed(), signer_, authority.get(), req);
    ASSERT_TRUE(two) << two.error().code << " " << two.error().detail;
    auto r = pdf(*two);
    ASSERT_EQ(r.signatures.size(), 2u);
    EXPECT_EQ(ind(r), "TOTAL_PASSED/");
    int total = 0, stamped = 0;
    for (const auto& s : r.signatures) {
        EXPECT_EQ(s.indication, Indication::total_passed) << s.field_name << " " << s.chain_error;
        total += s.total_document;
        stamped += s.timestamp.valid;
    }
    EXPECT_EQ(total, 1);    // only the last signature covers the whole file
    EXPECT_EQ(stamped, 1);  // the B-T one
    // Expired signer: B-T with an earlier time-stamp passes, B-B does not.
    SigningIdentity old = make_leaf(issuing_, profile("Former signer", -30 * kDay, 28 * kDay));
    auto past = tsa(std::chrono::seconds(-10 * kDay));
    auto bt = sign_pdf(minimal_pdf(), old, past.get(), req);
    ASSERT_TRUE(bt);
    EXPECT_EQ(ind(pdf(*bt)), "TOTAL_PASSED/");
    auto bb = sign_pdf(minimal_pdf(), old, nullptr, req);
    ASSERT_TRUE(bb);
    EXPECT_EQ(ind(pdf(*bb)), "INDETERMINATE/OUT_OF_BOUNDS_NO_POE");
}

TEST_F(ValidateTest, RevokedByOcspThroughTheValidator) {
    auto probe = make_leaf(issuing_, profile("OCSP signer"));
    OcspResponder responder(issuing_, {}, {probe.cert.get()});
    ASSERT_GT(responder.port(), 0);
    auto p = profile("OCSP signer");
    p.ocsp_url = responder.url();
    SigningIdentity id;
    id.cert = issue_certificate(probe.key.get(), issuing_.key.get(), issuing_.cert.get(), p);
    X509_set_serialNumber(id.cert.get(), X509_get_serialNumber(probe.cert.get()));
    X509_sign(id.cert.get(), issuing_.key.get(), EVP_sha256());
    EVP_PKEY_up_ref(probe.key.get());
    id.key.reset(probe.key.get());
    X509_up_ref(issuing_.cert.get());
    id.chain.emplace_back(issuing_.cert.get());
    auto p7s = sign_detached("x", id, nullptr);
    ASSERT_TRUE(p7s);
    EXPECT_EQ(ind(detached("x", *p7s)), "TOTAL_PASSED/");  // OCSP off
    options_.ocsp = true;
    EXPECT_EQ(ind(detached("x", *p7s)), "TOTAL_FAILED/REVOKED");
}

TEST(IndicationNames, EveryReasonKeyIsInTheCatalogues) {
    for (auto s : {SubIndication::hash_failure, SubIndication::sig_crypto_failure, SubIndication::revoked,
                   SubIndication::no_certificate_chain_found, SubIndication::out_of_bounds_no_poe,
                   SubIndication::out_of_bounds_not_revoked, SubIndication::no_poe, SubIndication::try_later,
                   SubIndication::signed_data_not_found, SubIndication::format_failure}) {
        const std::string key = reason_key(Indication::indeterminate, s);
        for (const char* lang : {"ar", "fr"}) {
            std::ifstream f(std::string(IDARA_TEST_SOURCE_DIR) + "/web/i18n/" + lang + "/trust.json");
            std::stringstream ss;
            ss << f.rdbuf();
            EXPECT_NE(ss.str().find("\"" + key + "\""), std::string::npos) << key << " in " << lang;
        }
    }
}

}  // namespace
