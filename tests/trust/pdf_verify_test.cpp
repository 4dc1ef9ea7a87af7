// verify_pdf on sealed receipts: valid and trusted, untrusted under another root,
// tampering anywhere in the signed bytes, unsealed, garbage and truncated files.
#include "core/random.hpp"
#include "receipt/render.hpp"
#include "trust/pades.hpp"
#include "trust/pdf_verify.hpp"
#include "trust_samples.hpp"

#include <gtest/gtest.h>
#include <openssl/x509.h>

#include <cctype>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>

using namespace idara;
using namespace idara::trust;

namespace {

std::int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

receipt::ReceiptContent content() { return trust::samples::receipt_content("IDR1.test"); }

// The byte ranges of the (first) signature, read from the file.
struct Ranges {
    std::size_t b = 0, c = 0, d = 0;
};
Ranges ranges(const std::string& pdf) {
    Ranges r;
    std::istringstream in(pdf.substr(pdf.find('[', pdf.find("/ByteRange")) + 1));
    std::size_t a = 0;
    in >> a >> r.b >> r.c >> r.d;
    return r;
}

class PdfVerify : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        auto pki = make_dev_pki("Ministere de l'Economie et des Finances", "MEF electronic seal");
        ASSERT_TRUE(pki);
        anchor_ = to_pem(pki->root_cert.get());
        unsigned char md[32];
        unsigned int len = 0;
        X509_digest(pki->seal.cert.get(), EVP_sha256(), md, &len);
        cert_sha256_.clear();
        for (unsigned i = 0; i < len; ++i) {
            char h[3];
            std::snprintf(h, sizeof h, "%02x", md[i]);
            cert_sha256_ += h;
        }
        auto pdf = receipt::render_pdf(content());
        ASSERT_TRUE(pdf);
        unsealed_ = *pdf;
        // OpenSSL takes signingTime from time(), the kernel's coarse clock, which may still be in the
        // previous second when system_clock has passed into the next: read the same clock here.
        before_ms_ = static_cast<std::int64_t>(std::time(nullptr)) * 1000;
        auto sealed = seal_pdf(*pdf, pki->seal, {.reason = "Deposit receipt", .location = "Rabat"});
        after_ms_ = now_ms();
        ASSERT_TRUE(sealed) << sealed.error().detail;
        sealed_ = *sealed;
        auto other = make_dev_pki("Other", "Other seal");
        ASSERT_TRUE(other);
        other_anchor_ = to_pem(other->root_cert.get());
    }

    // Every signature found, and none intact.
    static void expect_tampered(const std::string& pdf, const std::string& what) {
        auto r = verify_pdf(pdf, {anchor_});
        ASSERT_TRUE(r) << what;
        ASSERT_FALSE(r->signatures.empty()) << what << ": tampering read as \"not sealed\"";
        for (const auto& s : r->signatures) EXPECT_FALSE(s.integrity) << what;
    }

    static inline std::string anchor_, other_anchor_, cert_sha256_, unsealed_, sealed_;
    static inline std::int64_t before_ms_ = 0, after_ms_ = 0;
};

TEST_F(PdfVerify, ASealedReceiptIsValidTrustedAndWhole) {
    auto r = verify_pdf(sealed_, {anchor_});
    ASSERT_TRUE(r) << r.error().detail;
    EXPECT_EQ(r->sha256, random::sha256_hex(sealed_));
    ASSERT_EQ(r->signatures.size(), 1u);
    const auto& s = r->signatures[0];
    EXPECT_EQ(s.field_name, "Seal");
    EXPECT_EQ(s.sub_filter, "ETSI.CAdES.detached");
    EXPECT_TRUE(s.integrity);
    EXPECT_TRUE(s.total_document);
    EXPECT_TRUE(s.chain_trusted) << s.chain_error;
    EXPECT_TRUE(s.chain_error.empty());
    EXPECT_TRUE(s.valid());
    EXPECT_EQ(s.signer_common_name, "MEF electronic seal");
    EXPECT_EQ(s.signer_organisation, "Ministere de l'Economie et des Finances");
    EXPECT_EQ(s.signer_cert_sha256, cert_sha256_);
    ASSERT_TRUE(s.signing_time_ms);
    // signingTime has whole seconds.
    EXPECT_GE(*s.signing_time_ms, before_ms_);
    EXPECT_LE(*s.signing_time_ms, after_ms_);
}

TEST_F(PdfVerify, AnotherRootLeavesItIntactButUntrusted) {
    for (const auto& anchors : {std::vector<std::string>{other_anchor_}, std::vector<std::string>{},
                                std::vector<std::string>{"not a certificate"}}) {
        auto r = verify_pdf(sealed_, anchors);
        ASSERT_TRUE(r);
        ASSERT_EQ(r->signatures.size(), 1u);
        const auto& s = r->signatures[0];
        EXPECT_TRUE(s.integrity);
        EXPECT_FALSE(s.chain_trusted);
        EXPECT_FALSE(s.chain_error.empty());
        EXPECT_FALSE(s.valid());
        EXPECT_EQ(s.signer_common_name, "MEF electronic seal");
    }
    // Both roots given: trusted.
    auto r = verify_pdf(sealed_, {other_anchor_, anchor_});
    ASSERT_TRUE(r);
    EXPECT_TRUE(r->signatures.at(0).valid());
}

TEST_F(PdfVerify, AByteChangedInTheContentStreamBreaksIntegrity) {
    // The page's content stream: the object named by the page's "/Contents N 0 R".
    std::size_t ref = sealed_.find("/Contents ");
    while (ref != std::string::npos && !std::isdigit(static_cast<unsigned char>(sealed_[ref + 10])))
        ref = sealed_.find("/Contents ", ref + 1);
    ASSERT_NE(ref, std::string::npos);
    const std::string obj = "\n" + sealed_.substr(ref + 10, sealed_.find(' ', ref + 10) - ref - 10) + " 0 obj";
    const std::size_t at = sealed_.find(obj);
    ASSERT_NE(at, std::string::npos) << obj;
    const std::size_t stream = sealed_.find("stream\n", at), end = sealed_.find("endstream", stream);
    ASSERT_LT(end, sealed_.size());
    ASSERT_GT(end - stream, 20u);
    const auto rg = ranges(sealed_);
    const std::size_t pos = stream + 7 + (end - stream - 7) / 2;
    ASSERT_TRUE(pos < rg.b || pos >= rg.c);  // a signed byte
    std::string t = sealed_;
    t[pos] ^= 0x01;
    expect_tampered(t, "content stream");
}

TEST_F(PdfVerify, AByteChangedInTheTrailerRegionBreaksIntegrity) {
    const auto rg = ranges(sealed_);
    for (const char* mark : {"trailer", "startxref", "%%EOF", "/Root", "/Size"}) {
        const std::size_t at = sealed_.rfind(mark);
        ASSERT_NE(at, std::string::npos) << mark;
        ASSERT_GE(at, rg.c) << mark;
        for (std::size_t off : {std::size_t{0}, std::size_t{2}}) {
            std::string t = sealed_;
            t[at + off] ^= 0x01;
            expect_tampered(t, std::string("trailer: ") + mark);
        }
    }
    // The offset after startxref, and the last byte of the file.
    std::string t = sealed_;
    t[sealed_.rfind("startxref") + 11] ^= 0x01;
    expect_tampered(t, "startxref offset");
    t = sealed_;
    t.back() ^= 0x01;
    expect_tampered(t, "last byte");
}

TEST_F(PdfVerify, AnyChangedSignedByteBreaksIntegrity) {
    const auto rg = ranges(sealed_);
    const std::size_t signed_bytes = rg.b + rg.d;
    for (std::size_t i = 0; i < 60; ++i) {
        std::size_t k = i * signed_bytes / 60 + 7;
        const std::size_t pos = k < rg.b ? k : rg.c + (k - rg.b);
        std::string t = sealed_;
        t[pos] = static_cast<char>(t[pos] ^ 0x20);
        expect_tampered(t, "byte " + std::to_string(pos));
    }
}

TEST_F(PdfVerify, TheSignatureDictionaryCannotBeAltered) {
    // Its byte range, and the keys around it, are signed too.
    const std::size_t br = sealed_.find("/ByteRange");
    for (std::size_t off : {std::size_t{1}, std::size_t{9}, std::size_t{13}, std::size_t{15}}) {
        std::string t = sealed_;
        t[br + off] ^= 0x01;
        expect_tampered(t, "/ByteRange +" + std::to_string(off));
    }
    const std::size_t sub = sealed_.find("/ETSI.CAdES.detached");
    std::string t = sealed_;
    t[sub + 3] ^= 0x01;
    expect_tampered(t, "SubFilter");
}

TEST_F(PdfVerify, ASignatureThatIsNotCmsHasNoIntegrity) {
    // Unsigned bytes (the /Contents hex) changed: the signature no longer parses or verifies.
    const auto rg = ranges(sealed_);
    std::string t = sealed_;
    for (std::size_t i = rg.b + 1; i < rg.b + 41; ++i) t[i] = 'F';
    expect_tampered(t, "contents");
}

TEST_F(PdfVerify, AppendedBytesAreNotTotalDocument) {
    auto r = verify_pdf(sealed_ + "\n% appended\n", {anchor_});
    ASSERT_TRUE(r);
    ASSERT_EQ(r->signatures.size(), 1u);
    EXPECT_TRUE(r->signatures[0].integrity);
    EXPECT_FALSE(r->signatures[0].total_document);
}

TEST_F(PdfVerify, TruncatedFilesAreNotIntact) {
    for (std::size_t keep : {sealed_.size() - 1, sealed_.size() - 30, sealed_.size() / 2 + 100, ranges(sealed_).c + 1}) {
        const std::string t = sealed_.substr(0, keep);
        auto r = verify_pdf(t, {anchor_});
        ASSERT_TRUE(r);
        for (const auto& s : r->signatures) {
            EXPECT_FALSE(s.integrity) << keep;
            EXPECT_FALSE(s.total_document) << keep;
        }
        if (t.find("/ByteRange") != std::string::npos) {
            EXPECT_FALSE(r->signatures.empty()) << keep;
        }
    }
    // Cut before the signature: nothing to report, no crash.
    auto r = verify_pdf(sealed_.substr(0, 200), {anchor_});
    ASSERT_TRUE(r);
    for (const auto& s : r->signatures) EXPECT_FALSE(s.integrity);
}

TEST_F(PdfVerify, AnUnsealedPdfHasNoSignature) {
    auto r = verify_pdf(unsealed_, {anchor_});
    ASSERT_TRUE(r);
    EXPECT_TRUE(r->signatures.empty());
    EXPECT_EQ(r->sha256, random::sha256_hex(unsealed_));
}

TEST(PdfVerifyInput, GarbageIsNotSealedAndEmptyIsAnError) {
    for (const std::string& junk : {std::string("hello"), std::string("%PDF-1.7\n"), std::string(1000, '\0'),
                                    std::string("%PDF-1.7\n1 0 obj << /ByteRange [0 1 2 3] >> endobj\n")}) {
        auto r = verify_pdf(junk, {});
        ASSERT_TRUE(r);
        for (const auto& s : r->signatures) EXPECT_FALSE(s.integrity);
        EXPECT_EQ(r->sha256.size(), 64u);
    }
    EXPECT_TRUE(verify_pdf("hello", {})->signatures.empty());
    auto e = verify_pdf("", {});
    ASSERT_FALSE(e);
    EXPECT_EQ(e.error().code, "trust.verify_input");
    EXPECT_EQ(e.error().status, 400);
}

TEST(PdfVerifyInput, KeywordsAreRead) {
    auto r = verify_pdf(samples::minimal_pdf("(IDR1.abc-_)"), {});
    ASSERT_TRUE(r);
    EXPECT_EQ(r->keywords, std::optional<std::string>("IDR1.abc-_"));
    // UTF-16BE with a byte-order mark comes back as UTF-8.
    r = verify_pdf(samples::minimal_pdf("<FEFF0645062F>"), {});
    ASSERT_TRUE(r);
    EXPECT_EQ(r->keywords, std::optional<std::string>("\u0645\u062F"));
    r = verify_pdf(samples::minimal_pdf(), {});
    ASSERT_TRUE(r);
    EXPECT_FALSE(r->keywords);
}

TEST(PdfVerifyInput, ASmallSealedPdfKeepsItsKeywordsAndTheFuzzSeedIsOne) {
    auto pki = make_dev_pki("idara", "IDARA electronic seal");
    ASSERT_TRUE(pki);
    auto sealed = seal_pdf(samples::minimal_pdf("(IDR1.seed)"), pki->seal);
    ASSERT_TRUE(sealed);
    EXPECT_LE(sealed->size(), 20000u);
    auto r = verify_pdf(*sealed, {to_pem(pki->root_cert.get())});
    ASSERT_TRUE(r);
    EXPECT_EQ(r->keywords, std::optional<std::string>("IDR1.seed"));
    ASSERT_EQ(r->signatures.size(), 1u);
    EXPECT_TRUE(r->signatures[0].valid());
    // A fresh seed for fuzz/corpus/pdf_verify (copied there by hand), and the committed one still verifies.
    std::ofstream(std::filesystem::path(IDARA_TEST_BINARY_DIR) / "pdf_verify_seed.pdf", std::ios::binary) << *sealed;
    std::ifstream in(std::filesystem::path(IDARA_TEST_SOURCE_DIR) / "fuzz/corpus/pdf_verify/sealed.pdf", std::ios::binary);
    ASSERT_TRUE(in) << "fuzz/corpus/pdf_verify/sealed.pdf is missing";
    std::stringstream ss;
    ss << in.rdbuf();
    auto seed = verify_pdf(ss.str(), {});
    ASSERT_TRUE(seed);
    ASSERT_EQ(seed->signatures.size(), 1u);
    EXPECT_TRUE(seed->signatures[0].integrity);
    EXPECT_TRUE(seed->signatures[0].total_document);
}

}  // namespace
