// PDF pages rendered as PNG for the parapheur's document view (web/pdf_pages.hpp): the PDFs
// come from uploads. Rendered small so the run stays fast; the PNG must be well formed.
#include "web/pdf_pages.hpp"

#include <cstdint>
#include <string_view>

// poppler looks fonts up through fontconfig, whose process-wide cache LeakSanitizer reports.
extern "C" const char* __lsan_default_suppressions() { return "leak:libfontconfig\n"; }

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view s(reinterpret_cast<const char*>(data), size);
    idara::web::PdfPagesOptions o;
    o.width_px = 24;
    o.max_height_px = 48;
    o.max_pages = 50;
    auto count = idara::web::pdf_page_count(s, o);
    // Opening is what parses the input; rendering (the slow part) runs for one input in four.
    std::uint32_t h = 2166136261u;
    for (std::size_t i = 0; i < size; ++i) h = (h ^ data[i]) * 16777619u;
    if (h % 4 != 0) return 0;
    auto img = idara::web::render_pdf_page(s, 1, o);
    if (img) {
        if (!count || img->page_count != *count || img->width < 1 || img->height < 1 || img->height > 48 ||
            img->png.size() < 8 || img->png.compare(0, 8, std::string("\x89PNG\r\n\x1a\n", 8)) != 0)
            __builtin_trap();
    } else if (img.error().status < 400 || img.error().status > 499) {
        if (img.error().code != "internal") __builtin_trap();
    }
    return 0;
}
