// The receipt PDF, checked with poppler (text extraction, rasterising) and zbar (QR decoding).
#include "shell.hpp"
#include "receipt/render.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

using namespace idara::receipt;
namespace fs = std::filesystem;

namespace {

ReceiptContent sample() {
    ReceiptContent c;
    c.register_number = "MEF-2026-000123";
    c.registered_at = {"14 ماي 2026، 10:42", "14 mai 2026 à 10:42"};
    c.administration = {"وزارة الاقتصاد والمالية", "Ministère de l'Économie et des Finances"};
    c.unit = {"مكتب الضبط", "Bureau d'ordre"};
    c.contact = "bureau.ordre@mef.gov.ma";
    c.depositor = "أمينة المنصوري";
    c.subject = "طلب شهادة إدارية <b>&amp;</b>";
    c.type = {"طلب", "Demande"};
    c.attachments = {{"demande.pdf", std::string(64, 'a')}, {"cnie.png", std::string(64, 'b')}};
    c.deadline = {"60 يومًا", "60 jours"};
    c.silence_regime = {"السكوت بمثابة موافقة", "Le silence vaut accord"};
    c.appeal = {"تظلم إداري ثم طعن أمام المحكمة الإدارية", "Recours gracieux puis tribunal administratif"};
    c.qr_payload = "idara:v1:MEF-2026-000123:1778755320:Zm9vYmFy";
    return c;
}

std::string run(const std::string& cmd) { return idara::testing::run_command(cmd, true); }

class ReceiptPdf : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() / ("idara-receipt-" + std::to_string(::getpid()));
        fs::create_directories(dir_);
        auto pdf = render_pdf(sample());
        ASSERT_TRUE(pdf) << pdf.error().detail;
        pdf_ = *pdf;
        std::ofstream(dir_ / "r.pdf", std::ios::binary) << pdf_;
        // Kept for people to look at: <build>/tests/receipt/sample-receipt.pdf
        std::ofstream(fs::path(IDARA_TEST_BINARY_DIR) / "tests" / "receipt" / "sample-receipt.pdf", std::ios::binary) << pdf_;
    }
    void TearDown() override { fs::remove_all(dir_); }
    fs::path dir_;
    std::string pdf_;
};

TEST_F(ReceiptPdf, IsASinglePagePdf) {
    EXPECT_EQ(pdf_.rfind("%PDF-", 0), 0u);
    const std::string info = run("pdfinfo " + (dir_ / "r.pdf").string());
    EXPECT_NE(info.find("Pages:"), std::string::npos) << info;
    EXPECT_EQ(info.substr(info.find("Pages:") + 6, info.find('\n', info.find("Pages:")) - info.find("Pages:") - 6)
                  .find_first_not_of(' '),
              info.substr(info.find("Pages:") + 6).find('1')) << "one page: " << info;
    EXPECT_NE(info.find("595.28 x 841.89"), std::string::npos) << "A4: " << info;
}

// Text extracted from a PDF loses Arabic word boundaries around joined forms and ligatures
// (pdftotext inserts spaces and splits lines), so Arabic is compared without whitespace and
// bidi controls; Latin text, the register number and digests are compared exactly.
std::string squeeze(const std::string& s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const unsigned char c = static_cast<unsigned char>(s[i]);
        if (c == ' ' || c == '\n' || c == '\t' || c == '\f') continue;
        // U+200E/F, U+202A..U+202E, U+2066..U+2069 are E2 80 8E/8F, E2 80 AA..AE, E2 81 A6..A9.
        if (c == 0xE2 && i + 2 < s.size()) {
            const unsigned char b = static_cast<unsigned char>(s[i + 1]), d = static_cast<unsigned char>(s[i + 2]);
            if ((b == 0x80 && (d == 0x8E || d == 0x8F || (d >= 0xAA && d <= 0xAE))) || (b == 0x81 && d >= 0xA6 && d <= 0xA9)) {
                i += 2;
                continue;
            }
        }
        out += s[i];
    }
    return out;
}

TEST_F(ReceiptPdf, CarriesEveryFieldInBothLanguages) {
    const std::string text = run("pdftotext -enc UTF-8 " + (dir_ / "r.pdf").string() + " -");
    for (const char* s : {"MEF-2026-000123", "Récépissé de dépôt", "Ministère de l'Économie et des Finances",
                          "Bureau d'ordre", "bureau.ordre@mef.gov.ma", "Le silence vaut accord", "demande.pdf", "cnie.png",
                          "Recours gracieux puis tribunal administratif"})
        // Columns wrap long values, so compare without whitespace.
        EXPECT_NE(squeeze(text).find(squeeze(s)), std::string::npos) << "missing: " << s << "\n" << text;
    const std::string flat = squeeze(text);
    for (const char* s : {"وصلإيداع", "مكتبالضبط", "أمينةالمنصوري", "رقمالتسجيل", "المرفقات"})
        EXPECT_NE(flat.find(s), std::string::npos) << "missing Arabic: " << s << "\n" << text;
    EXPECT_NE(text.find(std::string(64, 'a')), std::string::npos) << "attachment digest";
    EXPECT_NE(text.find(std::string(64, 'b')), std::string::npos) << "attachment digest";
    // Content is text, never markup: the subject's tags and entity appear literally.
    EXPECT_NE(text.find("&amp;</b>"), std::string::npos) << text;
}

TEST_F(ReceiptPdf, TheQrCodeDecodesToThePayload) {
    const auto png = dir_ / "page";
    run("pdftoppm -r 150 -png -singlefile " + (dir_ / "r.pdf").string() + " " + png.string());
    ASSERT_TRUE(fs::exists(png.string() + ".png"));
    std::string decoded = run("zbarimg --raw -q " + png.string() + ".png");
    while (!decoded.empty() && decoded.back() == '\n') decoded.pop_back();
    EXPECT_EQ(decoded, sample().qr_payload);
}

// A real receipt's QR holds a verification URL of about 250 characters (a dense code): it
// must scan from a screen-sized rendering as well as from a print-quality one.
TEST(Receipt, ADenseQrCodeScansAtScreenAndPrintResolutions) {
    auto c = sample();
    c.qr_payload = "https://idara.example.ma/verify?q=IDR1." + std::string(130, 'A') + "." + std::string(86, 'b');
    auto pdf = render_pdf(c);
    ASSERT_TRUE(pdf);
    const fs::path dir = fs::temp_directory_path() / ("idara-qr-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    std::ofstream(dir / "r.pdf", std::ios::binary) << *pdf;
    for (const char* dpi : {"110", "150", "300"}) {
        run(std::string("pdftoppm -r ") + dpi + " -png -singlefile " + (dir / "r.pdf").string() + " " + (dir / "p").string());
        std::string decoded = run("zbarimg --raw -q " + (dir / "p.png").string());
        while (!decoded.empty() && decoded.back() == '\n') decoded.pop_back();
        EXPECT_EQ(decoded, c.qr_payload) << dpi << " dpi";
    }
    fs::remove_all(dir);
}

TEST(Receipt, LongContentContinuesOnANewPageInsteadOfBeingCutOff) {
    auto c = sample();
    for (int i = 0; i < 40; ++i) c.attachments.push_back({"annexe-" + std::to_string(i) + ".pdf", std::string(64, 'c')});
    auto pdf = render_pdf(c);
    ASSERT_TRUE(pdf) << pdf.error().detail;
    const fs::path file = fs::temp_directory_path() / ("idara-long-" + std::to_string(::getpid()) + ".pdf");
    std::ofstream(file, std::ios::binary) << *pdf;
    const std::string info = run("pdfinfo " + file.string());
    const auto pages = std::stoi(info.substr(info.find("Pages:") + 6));
    EXPECT_GE(pages, 2) << info;
    // Every attachment is listed; the first page holds the start of the list, the last page its end.
    const std::string first = run("pdftotext -f 1 -l 1 " + file.string() + " -");
    const std::string last = run("pdftotext -f " + std::to_string(pages) + " -l " + std::to_string(pages) + " " +
                                 file.string() + " -");
    EXPECT_NE(first.find("annexe-0.pdf"), std::string::npos) << first;
    EXPECT_NE(last.find("annexe-39.pdf"), std::string::npos) << last;
    const std::string all = run("pdftotext " + file.string() + " -");
    for (int i = 0; i < 40; ++i)
        EXPECT_NE(all.find("annexe-" + std::to_string(i) + ".pdf\n"), std::string::npos) << i;
    fs::remove(file);
}

TEST(Receipt, LtrTokensAreIsolated) {
    EXPECT_EQ(isolate_ltr("MEF-2026-000123"), "\u2066MEF-2026-000123\u2069");
}

}  // namespace
