// Attachment checks (registry/attachments.hpp) on real files made in the test:
// sniffing from content, content validation by qpdf/libjpeg/libpng, names,
// limits, and concurrent use.
#include "registry/attachments.hpp"

#include "attachment_samples.hpp"
#include "core/random.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

using namespace idara::registry;
using idara::test::make_jpeg;
using idara::test::make_pdf;
using idara::test::make_png;

namespace {

void expect_error(const idara::Result<CheckedFile>& r, std::string_view code, int status) {
    ASSERT_FALSE(r) << "accepted as " << media_type_name(r->type);
    EXPECT_EQ(r.error().code, code) << r.error().detail;
    EXPECT_EQ(r.error().status, status) << r.error().detail;
}

CheckedFile expect_ok(IncomingFile f, MediaType type) {
    const std::string bytes = f.bytes;
    auto r = check_attachment(std::move(f), {});
    EXPECT_TRUE(r) << r.error().code << ": " << r.error().detail;
    if (!r) return {};
    EXPECT_EQ(r->type, type);
    EXPECT_EQ(r->bytes, bytes);
    EXPECT_EQ(r->sha256, idara::random::sha256_hex(bytes));  // libsodium, an independent implementation
    EXPECT_EQ(r->sha256.size(), 64u);
    return *r;
}

std::string read_file(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// Encrypts a PDF with the qpdf command-line tool (AES-256).
std::string encrypt_pdf(const std::string& pdf, const std::string& user_password) {
    const auto dir = std::filesystem::temp_directory_path() / ("idara-att-" + idara::random::hex_token(8));
    std::filesystem::create_directories(dir);
    { std::ofstream(dir / "in.pdf", std::ios::binary) << pdf; }
    const std::string cmd = "qpdf --encrypt '" + user_password + "' owner 256 -- '" + (dir / "in.pdf").string() + "' '" +
                            (dir / "out.pdf").string() + "'";
    const int rc = std::system(cmd.c_str());
    std::string out = rc == 0 ? read_file(dir / "out.pdf") : std::string();
    std::filesystem::remove_all(dir);
    return out;
}

// Big-endian 32-bit store, for patching PNG headers.
void put32(std::string& s, std::size_t at, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) s[at + static_cast<std::size_t>(i)] = static_cast<char>(v >> (24 - 8 * i));
}

}  // namespace

TEST(Attachments, MediaTypeNames) {
    EXPECT_EQ(media_type_name(MediaType::pdf), "application/pdf");
    EXPECT_EQ(media_type_name(MediaType::jpeg), "image/jpeg");
    EXPECT_EQ(media_type_name(MediaType::png), "image/png");
}

TEST(Attachments, AcceptsPdf) {
    const auto one = expect_ok({"demande.pdf", make_pdf(1)}, MediaType::pdf);
    EXPECT_EQ(one.name, "demande.pdf");
    expect_ok({"trois.pdf", make_pdf(3)}, MediaType::pdf);
}

TEST(Attachments, AcceptsPdfWithDamagedButRecoverableXref) {
    // Scanners often write wrong xref offsets; qpdf recovers with warnings: accepted.
    expect_ok({"scan.pdf", make_pdf(2, 7)}, MediaType::pdf);
}

TEST(Attachments, AcceptsPng) {
    expect_ok({"a.png", make_png(40, 30)}, MediaType::png);
    expect_ok({"b.png", make_png(33, 17, true, true)}, MediaType::png);
}

TEST(Attachments, AcceptsJpeg) {
    expect_ok({"a.jpg", make_jpeg(64, 48)}, MediaType::jpeg);
    expect_ok({"b.jpg", make_jpeg(50, 70, true)}, MediaType::jpeg);
}

TEST(Attachments, TypeIsSniffedNotTakenFromTheName) {
    const std::string png = make_png(8, 8);
    EXPECT_EQ(sniff(png), MediaType::png);
    expect_ok({"really-a-png.pdf", png}, MediaType::png);
    expect_ok({"photo.png", make_jpeg(16, 16)}, MediaType::jpeg);
}

TEST(Attachments, NotOurTypesAre415) {
    EXPECT_FALSE(sniff("hello, this is text\n"));
    EXPECT_FALSE(sniff(""));
    expect_error(check_attachment({"x.pdf", "hello, this is text\n"}, {}), "deposit.attachment_type", 415);
    expect_error(check_attachment({"x.gif", std::string("GIF89a\x01\x00\x01\x00\x00\x00\x00;", 14)}, {}),
                 "deposit.attachment_type", 415);
    expect_error(check_attachment({"x.zip", std::string("PK\x03\x04\x14\x00\x00\x00", 8) + std::string(64, '\0')}, {}),
                 "deposit.attachment_type", 415);
}

TEST(Attachments, TruncatedPdfIs422) {
    const std::string pdf = make_pdf(3);
    expect_error(check_attachment({"t.pdf", pdf.substr(0, pdf.size() / 3)}, {}), "deposit.attachment_corrupt", 422);
    expect_error(check_attachment({"t.pdf", pdf.substr(0, 20)}, {}), "deposit.attachment_corrupt", 422);
}

TEST(Attachments, PdfWithoutPagesIs422) {
    expect_error(check_attachment({"empty.pdf", idara::test::make_pdf_without_pages()}, {}),
                 "deposit.attachment_corrupt", 422);
}

TEST(Attachments, EncryptedPdfNeedingAPasswordIs422) {
    const std::string locked = encrypt_pdf(make_pdf(1), "user");
    ASSERT_FALSE(locked.empty()) << "qpdf --encrypt failed";
    EXPECT_EQ(sniff(locked), MediaType::pdf);
    expect_error(check_attachment({"locked.pdf", locked}, {}), "deposit.attachment_corrupt", 422);
    // Encrypted with an empty user password (owner restrictions only): it opens, so it is accepted.
    const std::string restricted = encrypt_pdf(make_pdf(1), "");
    ASSERT_FALSE(restricted.empty());
    expect_ok({"restricted.pdf", restricted}, MediaType::pdf);
}

TEST(Attachments, TruncatedJpegIs422) {
    const std::string jpeg = make_jpeg(64, 64);
    expect_error(check_attachment({"t.jpg", jpeg.substr(0, jpeg.size() * 6 / 10)}, {}), "deposit.attachment_corrupt", 422);
    expect_error(check_attachment({"t.jpg", jpeg.substr(0, jpeg.size() - 2)}, {}), "deposit.attachment_corrupt", 422);
    expect_error(check_attachment({"t.jpg", jpeg.substr(0, 300)}, {}), "deposit.attachment_corrupt", 422);
    const std::string progressive = make_jpeg(64, 64, true);
    expect_error(check_attachment({"p.jpg", progressive.substr(0, progressive.size() / 2)}, {}),
                 "deposit.attachment_corrupt", 422);
}

TEST(Attachments, HugeJpegDimensionsAre422) {
    std::string jpeg = make_jpeg(16, 16);
    const auto sof = jpeg.find("\xFF\xC0");
    ASSERT_NE(sof, std::string::npos);
    jpeg[sof + 5] = static_cast<char>(0x75);  // height 0x7530 = 30000
    jpeg[sof + 6] = static_cast<char>(0x30);
    auto r = check_attachment({"big.jpg", jpeg}, {});
    expect_error(r, "deposit.attachment_corrupt", 422);
    if (!r) {
        EXPECT_NE(r.error().detail.find("dimensions"), std::string::npos) << r.error().detail;
    }
}

TEST(Attachments, TruncatedPngIs422) {
    const std::string png = make_png(40, 40);
    expect_error(check_attachment({"t.png", png.substr(0, png.size() / 2)}, {}), "deposit.attachment_corrupt", 422);
    expect_error(check_attachment({"t.png", png.substr(0, png.size() - 12)}, {}), "deposit.attachment_corrupt", 422);  // no IEND
}

TEST(Attachments, PngWithAFlippedCrcByteIs422) {
    const std::string png = make_png(20, 20, true);
    for (const char* chunk : {"IHDR", "IDAT", "tEXt", "IEND"}) {
        const auto at = idara::test::png_chunk_crc_offset(png, chunk);
        ASSERT_NE(at, std::string::npos) << chunk;
        std::string bad = png;
        bad[at + 3] = static_cast<char>(bad[at + 3] ^ 0x01);
        expect_error(check_attachment({"crc.png", bad}, {}), "deposit.attachment_corrupt", 422);
    }
}

TEST(Attachments, HugePngDimensionsAreRefusedBeforeAllocating) {
    // 30000 wide: libpng refuses the IHDR under our user limit (its own default is 1000000).
    for (const auto& [w, h] : {std::pair<std::uint32_t, std::uint32_t>{30000, 1}, {10001, 10000}}) {
        std::string png = make_png(1, 1);
        put32(png, 16, w);
        put32(png, 20, h);
        const auto crc = static_cast<std::uint32_t>(
            crc32(0, reinterpret_cast<const Bytef*>(png.data() + 12), 17));  // type + data of IHDR
        put32(png, 29, crc);
        auto r = check_attachment({"huge.png", png}, {});
        expect_error(r, "deposit.attachment_corrupt", 422);
        if (!r) {
            EXPECT_NE(r.error().detail.find(w > 20000 ? "IHDR" : "megapixels"), std::string::npos) << r.error().detail;
        }
    }
}

TEST(Attachments, EmptyIs400) {
    expect_error(check_attachment({"a.pdf", ""}, {}), "deposit.attachment_empty", 400);
}

TEST(Attachments, OverMaxBytesIs413) {
    const std::string pdf = make_pdf(1);
    AttachmentLimits limits;
    limits.max_bytes = pdf.size();
    EXPECT_TRUE(check_attachment({"a.pdf", pdf}, limits));
    limits.max_bytes = pdf.size() - 1;
    expect_error(check_attachment({"a.pdf", pdf}, limits), "deposit.attachment_too_large", 413);
}

TEST(Attachments, BadNamesAre400) {
    const std::string pdf = make_pdf(1);
    for (const std::string& name : {std::string(""), std::string("   "), std::string("dir/"), std::string("C:\\dir\\"),
                                    std::string("a\x01.pdf"), std::string("a\tb.pdf"), std::string("a\x7F.pdf"),
                                    std::string("\xC3\x28.pdf"), std::string("\xC2\x85.pdf"), std::string("\xED\xA0\x80.pdf"),
                                    std::string("\xF8\x88\x80\x80\x80.pdf"), std::string(197, 'n') + ".pdf",
                                    std::string(5000, 'n')}) {
        auto r = check_attachment({name, pdf}, {});
        expect_error(r, "deposit.attachment_name", 400);
    }
}

TEST(Attachments, NamesAreCleaned) {
    const std::string pdf = make_pdf(1);
    struct Case { std::string in, out; };
    for (const auto& c : {Case{"C:\\x\\a.pdf", "a.pdf"}, Case{"/tmp/../b.pdf", "b.pdf"}, Case{"  a b.pdf  ", "a b.pdf"},
                          Case{"e\xCC\x81t\xC3\xA9.pdf", "\xC3\xA9t\xC3\xA9.pdf"},  // NFC: e + U+0301 -> é
                          Case{std::string(196, 'n') + ".pdf", std::string(196, 'n') + ".pdf"},  // 200 bytes
                          Case{"طلب.pdf", "طلب.pdf"}}) {
        auto r = check_attachment({c.in, pdf}, {});
        ASSERT_TRUE(r) << c.in << ": " << r.error().detail;
        EXPECT_EQ(r->name, c.out);
    }
    // 100 Arabic letters are 200 bytes: accepted; one more letter is too long.
    std::string arabic;
    for (int i = 0; i < 100; ++i) arabic += "ب";
    EXPECT_TRUE(check_attachment({arabic, pdf}, {}));
    expect_error(check_attachment({arabic + "ب", pdf}, {}), "deposit.attachment_name", 400);
}

TEST(Attachments, ErrorDetailNamesTheFile) {
    auto r = check_attachment({"dossier-42.pdf", "plain text"}, {});
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().detail.find("dossier-42.pdf"), std::string::npos) << r.error().detail;
    auto bad = check_attachment({"evil\n.pdf", make_pdf(1)}, {});
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().detail.find('\n'), std::string::npos) << "control characters must be escaped in logs";
}

TEST(Attachments, CheckAllKeepsOrderAndChecksCount) {
    auto ok = check_all({{"1.pdf", make_pdf(1)}, {"2.png", make_png(4, 4)}, {"3.jpg", make_jpeg(8, 8)}}, {});
    ASSERT_TRUE(ok) << ok.error().detail;
    ASSERT_EQ(ok->size(), 3u);
    EXPECT_EQ((*ok)[0].name, "1.pdf");
    EXPECT_EQ((*ok)[1].type, MediaType::png);
    EXPECT_EQ((*ok)[2].type, MediaType::jpeg);

    AttachmentLimits limits;
    limits.max_count = 2;
    auto many = check_all({{"1.pdf", make_pdf(1)}, {"2.pdf", make_pdf(1)}, {"3.pdf", make_pdf(1)}}, limits);
    ASSERT_FALSE(many);
    EXPECT_EQ(many.error().code, "deposit.too_many_files");
    EXPECT_EQ(many.error().status, 413);
    // The count is checked before the files: an invalid file does not hide it.
    auto many_bad = check_all({{"1.pdf", ""}, {"2.pdf", ""}, {"3.pdf", ""}}, limits);
    ASSERT_FALSE(many_bad);
    EXPECT_EQ(many_bad.error().code, "deposit.too_many_files");
    EXPECT_TRUE(check_all({}, limits));
}

TEST(Attachments, CheckAllFirstFileErrorWins) {
    auto r = check_all({{"1.pdf", make_pdf(1)}, {"2.pdf", "text"}, {"3.pdf", ""}}, {});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "deposit.attachment_type");
    EXPECT_NE(r.error().detail.find("2.pdf"), std::string::npos);
}

TEST(Attachments, CheckAllTotalIs413) {
    const std::string a = make_pdf(1), b = make_png(10, 10);
    AttachmentLimits limits;
    limits.max_total_bytes = a.size() + b.size();
    EXPECT_TRUE(check_all({{"a.pdf", a}, {"b.png", b}}, limits));
    limits.max_total_bytes = a.size() + b.size() - 1;
    auto r = check_all({{"a.pdf", a}, {"b.png", b}}, limits);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "deposit.total_too_large");
    EXPECT_EQ(r.error().status, 413);
}

TEST(Attachments, ConcurrentSniffingAndChecking) {
    const std::vector<std::pair<std::string, std::optional<MediaType>>> samples = {
        {make_pdf(2), MediaType::pdf}, {make_png(16, 16), MediaType::png},
        {make_jpeg(16, 16), MediaType::jpeg}, {"just some text\n", std::nullopt}};
    std::atomic<int> wrong{0}, done{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 40; ++i) {
                const auto& [bytes, want] = samples[static_cast<std::size_t>(t + i) % samples.size()];
                if (sniff(bytes) != want) ++wrong;
                auto r = check_attachment({"f", bytes}, {});
                if (static_cast<bool>(r) != want.has_value() || (r && r->type != *want)) ++wrong;
                ++done;
            }
        });
    }
    for (auto& th : threads) th.join();
    EXPECT_EQ(done.load(), 160);
    EXPECT_EQ(wrong.load(), 0);
}
