// The sealed receipt, checked by the tools people would use: poppler's pdfsig (with the
// development root trusted in an NSS database) and `openssl cms -verify` over the byte ranges.
#include "trust_samples.hpp"
#include "shell.hpp"
#include "receipt/render.hpp"
#include "trust/pades.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

using namespace idara;
namespace fs = std::filesystem;

namespace {

std::string run(const std::string& cmd) { return idara::testing::run_command(cmd); }

void write(const fs::path& p, const std::string& data) { idara::testing::write_file(p, data); }

receipt::ReceiptContent content() { return trust::samples::receipt_content("idara:v1:MEF-2026-000123"); }

class Sealed : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() / ("idara-pades-" + std::to_string(::getpid()));
        fs::create_directories(dir_);
        auto pki = trust::make_dev_pki("Ministere de l'Economie et des Finances", "MEF electronic seal");
        ASSERT_TRUE(pki) << pki.error().detail;
        pki_ = std::move(*pki);
        write(dir_ / "ca.pem", trust::to_pem(pki_.root_cert.get()));
        auto pdf = receipt::render_pdf(content());
        ASSERT_TRUE(pdf);
        auto sealed = trust::seal_pdf(*pdf, pki_.seal, {.reason = "Deposit receipt", .location = "Rabat"});
        ASSERT_TRUE(sealed) << sealed.error().detail;
        sealed_ = *sealed;
        write(dir_ / "sealed.pdf", sealed_);
        // An NSS database that trusts the development root, for pdfsig.
        fs::create_directories(dir_ / "nss");
        run("certutil -N -d sql:" + (dir_ / "nss").string() + " --empty-password");
        run("certutil -A -d sql:" + (dir_ / "nss").string() + " -n idara-dev-root -t C,C,C -i " + (dir_ / "ca.pem").string());
    }
    void TearDown() override { fs::remove_all(dir_); }

    std::string pdfsig(const fs::path& file) { return run("pdfsig -nssdir sql:" + (dir_ / "nss").string() + " " + file.string()); }

    fs::path dir_;
    trust::DevPki pki_;
    std::string sealed_;
};

TEST_F(Sealed, PdfsigReportsAValidTrustedSignatureOverTheWholeDocument) {
    const std::string out = pdfsig(dir_ / "sealed.pdf");
    EXPECT_NE(out.find("Signature is Valid"), std::string::npos) << out;
    EXPECT_NE(out.find("Certificate is Trusted"), std::string::npos) << out;
    EXPECT_NE(out.find("Total document signed"), std::string::npos) << out;
    EXPECT_NE(out.find("ETSI.CAdES.detached"), std::string::npos) << out;
    EXPECT_NE(out.find("MEF electronic seal"), std::string::npos) << out;
}

TEST_F(Sealed, OpensslVerifiesTheCmsOverTheByteRanges) {
    // Read /ByteRange and /Contents back from the file, as any verifier would.
    const auto br = sealed_.find("/ByteRange");
    ASSERT_NE(br, std::string::npos);
    std::istringstream in(sealed_.substr(sealed_.find('[', br) + 1));
    std::size_t a = 0, b = 0, c = 0, d = 0;
    in >> a >> b >> c >> d;
    ASSERT_EQ(a, 0u);
    ASSERT_EQ(c + d, sealed_.size());
    const std::string hex = sealed_.substr(b + 1, c - b - 2);
    std::string der;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2) der += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
    write(dir_ / "sig.der", der);
    write(dir_ / "content.bin", sealed_.substr(0, b) + sealed_.substr(c, d));
    const std::string verify = "openssl cms -verify -binary -inform DER -in " + (dir_ / "sig.der").string() +
                               " -CAfile " + (dir_ / "ca.pem").string() + " -purpose any -out /dev/null -content ";
    EXPECT_NE(run(verify + (dir_ / "content.bin").string()).find("Verification successful"), std::string::npos);
    // One changed byte in the signed content and the digest no longer matches.
    std::string tampered = sealed_.substr(0, b) + sealed_.substr(c, d);
    tampered[tampered.size() / 2] ^= 0x01;
    write(dir_ / "tampered.bin", tampered);
    const std::string bad = run(verify + (dir_ / "tampered.bin").string());
    EXPECT_EQ(bad.find("Verification successful"), std::string::npos) << bad;
}

TEST_F(Sealed, AFlippedByteInvalidatesTheSeal) {
    std::string tampered = sealed_;
    const auto pos = tampered.find("/MediaBox");
    ASSERT_NE(pos, std::string::npos);
    tampered[pos + 12] = tampered[pos + 12] == '1' ? '2' : '1';
    write(dir_ / "tampered.pdf", tampered);
    const std::string out = pdfsig(dir_ / "tampered.pdf");
    EXPECT_EQ(out.find("Signature is Valid"), std::string::npos) << out;
}

TEST(Seal, NonPdfInputIsRefused) {
    auto pki = trust::make_dev_pki("Org", "CN");
    ASSERT_TRUE(pki);
    auto r = trust::seal_pdf("this is not a PDF", pki->seal);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "trust.seal");
}

}  // namespace
