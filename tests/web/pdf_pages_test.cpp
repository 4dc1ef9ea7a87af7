// PDF pages as PNG (web/pdf_pages.hpp): dimensions, content, rotation of landscape pages,
// the guards (size, page count, damaged input, page out of range), and the bounded cache.
#include "web/pdf_pages.hpp"

#include <gtest/gtest.h>

#include <png.h>

#include <cmath>
#include <string>
#include <vector>

namespace {

using idara::web::PdfPages;
using idara::web::PdfPagesOptions;

// A PDF whose pages have the given sizes (points); each page paints a black 100x100 square at
// its lower-left corner.
std::string make_pdf(const std::vector<std::pair<int, int>>& sizes) {
    std::string out = "%PDF-1.4\n";
    std::vector<std::size_t> offsets;
    auto obj = [&](const std::string& body) {
        offsets.push_back(out.size());
        out += std::to_string(offsets.size()) + " 0 obj\n" + body + "\nendobj\n";
    };
    const int n = static_cast<int>(sizes.size());
    obj("<< /Type /Catalog /Pages 2 0 R >>");
    std::string kids;
    for (int i = 0; i < n; ++i) kids += std::to_string(3 + 2 * i) + " 0 R ";
    obj("<< /Type /Pages /Kids [" + kids + "] /Count " + std::to_string(n) + " >>");
    const std::string content = "0 0 0 rg 0 0 100 100 re f";
    for (int i = 0; i < n; ++i) {
        obj("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 " + std::to_string(sizes[i].first) + " " +
            std::to_string(sizes[i].second) + "] /Contents " + std::to_string(4 + 2 * i) + " 0 R >>");
        obj("<< /Length " + std::to_string(content.size()) + " >>\nstream\n" + content + "\nendstream");
    }
    const std::size_t xref = out.size();
    out += "xref\n0 " + std::to_string(offsets.size() + 1) + "\n0000000000 65535 f \n";
    for (auto o : offsets) {
        char line[32];
        std::snprintf(line, sizeof line, "%010zu 00000 n \n", o);
        out += line;
    }
    out += "trailer\n<< /Size " + std::to_string(offsets.size() + 1) + " /Root 1 0 R >>\nstartxref\n" +
           std::to_string(xref) + "\n%%EOF\n";
    return out;
}

struct Decoded {
    int width = 0, height = 0;
    std::vector<unsigned char> rgb;
    bool dark(int x, int y) const {
        const auto* p = &rgb[(static_cast<std::size_t>(y) * width + x) * 3];
        return p[0] < 64 && p[1] < 64 && p[2] < 64;
    }
};

Decoded decode(const std::string& png) {
    png_image img{};
    img.version = PNG_IMAGE_VERSION;
    EXPECT_TRUE(png_image_begin_read_from_memory(&img, png.data(), png.size()));
    img.format = PNG_FORMAT_RGB;
    Decoded d;
    d.width = static_cast<int>(img.width);
    d.height = static_cast<int>(img.height);
    d.rgb.resize(PNG_IMAGE_SIZE(img));
    EXPECT_TRUE(png_image_finish_read(&img, nullptr, d.rgb.data(), 0, nullptr));
    return d;
}

TEST(PdfPages, RendersAPortraitPageAtScreenWidth) {
    const std::string pdf = make_pdf({{595, 842}, {842, 595}});
    auto img = idara::web::render_pdf_page(pdf, 1, {});
    ASSERT_TRUE(img) << img.error().code;
    EXPECT_EQ(img->page_count, 2);
    EXPECT_EQ(img->png.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
    EXPECT_EQ(img->width, 1000);
    EXPECT_NEAR(img->height, 1415, 1);
    const Decoded d = decode(img->png);
    EXPECT_EQ(d.width, img->width);
    EXPECT_EQ(d.height, img->height);
    // The black square is at the lower-left corner (168 px at this scale); the rest is white paper.
    EXPECT_TRUE(d.dark(5, d.height - 5));
    EXPECT_TRUE(d.dark(150, d.height - 150));
    EXPECT_FALSE(d.dark(200, d.height - 5));
    EXPECT_FALSE(d.dark(d.width - 5, 5));
}

TEST(PdfPages, LandscapePagesAreAsWideAndLessTall) {
    const std::string pdf = make_pdf({{595, 842}, {842, 595}});
    auto img = idara::web::render_pdf_page(pdf, 2, {});
    ASSERT_TRUE(img) << img.error().code;
    EXPECT_EQ(img->width, 1000);
    EXPECT_NEAR(img->height, 707, 1);
}

TEST(PdfPages, VeryTallPagesAreRenderedNarrower) {
    PdfPagesOptions o;
    o.max_height_px = 1000;
    auto img = idara::web::render_pdf_page(make_pdf({{200, 2000}}), 1, o);
    ASSERT_TRUE(img);
    EXPECT_NEAR(img->height, 1000, 1);
    EXPECT_NEAR(img->width, 100, 1);
}

TEST(PdfPages, Guards) {
    const std::string pdf = make_pdf({{595, 842}, {595, 842}, {595, 842}});
    PdfPagesOptions small;
    small.max_pdf_bytes = 100;
    EXPECT_EQ(idara::web::render_pdf_page(pdf, 1, small).error().code, "pdf_pages.too_large");
    EXPECT_EQ(idara::web::render_pdf_page(pdf, 1, small).error().status, 413);
    PdfPagesOptions few;
    few.max_pages = 2;
    EXPECT_EQ(idara::web::render_pdf_page(pdf, 1, few).error().code, "pdf_pages.too_many_pages");
    EXPECT_EQ(idara::web::pdf_page_count(pdf, few).error().code, "pdf_pages.too_many_pages");
    EXPECT_EQ(idara::web::pdf_page_count(pdf, {}).value(), 3);
    EXPECT_EQ(idara::web::render_pdf_page(pdf, 4, {}).error().code, "resource.not_found");
    EXPECT_EQ(idara::web::render_pdf_page(pdf, 0, {}).error().code, "resource.not_found");
    EXPECT_EQ(idara::web::render_pdf_page("not a pdf at all", 1, {}).error().code, "pdf_pages.unreadable");
    EXPECT_EQ(idara::web::render_pdf_page("%PDF-1.4\ngarbage", 1, {}).error().code, "pdf_pages.unreadable");
    EXPECT_EQ(idara::web::render_pdf_page(pdf.substr(0, pdf.size() / 3), 1, {}).error().status / 100, 4)
        << "a truncated PDF is a client error, never a crash";
}

TEST(PdfPages, CachesByDigestAndPageAndStaysBounded) {
    const std::string pdf = make_pdf({{595, 842}, {595, 842}, {595, 842}});
    int loads = 0;
    auto loader = [&]() -> idara::Result<std::string> {
        ++loads;
        return pdf;
    };
    PdfPagesOptions o;
    o.width_px = 300;
    PdfPages pages(o);
    EXPECT_EQ(pages.page_count("d1", loader).value(), 3);
    auto first = pages.page("d1", 1, loader);
    ASSERT_TRUE(first);
    const int after_first = loads;
    auto again = pages.page("d1", 1, loader);
    ASSERT_TRUE(again);
    EXPECT_EQ(loads, after_first) << "a cached page does not read the PDF again";
    EXPECT_EQ(again->get(), first->get());
    EXPECT_EQ(pages.page_count("d1", loader).value(), 3);
    EXPECT_EQ(loads, after_first);
    // A bound of about two pages: the least recently used goes.
    const std::size_t one = (*first)->png.size();
    PdfPagesOptions bounded = o;
    bounded.cache_bytes = one * 2 + one / 2;
    PdfPages small(bounded);
    for (int n = 1; n <= 3; ++n) ASSERT_TRUE(small.page("d2", n, loader));
    EXPECT_LE(small.cached_bytes(), bounded.cache_bytes);
    const int before = loads;
    ASSERT_TRUE(small.page("d2", 3, loader));
    EXPECT_EQ(loads, before) << "the most recent page stays";
    ASSERT_TRUE(small.page("d2", 1, loader));
    EXPECT_EQ(loads, before + 1) << "the oldest page was evicted";
    // Errors are not cached and come back as they are.
    auto failing = [&]() -> idara::Result<std::string> { return idara::Error{"storage.unavailable", 503}; };
    EXPECT_EQ(small.page("d3", 1, failing).error().code, "storage.unavailable");
}

}  // namespace
