// extract_pdf_text (index.hpp) with poppler-cpp.
#include "search/index.hpp"

#include <poppler/cpp/poppler-document.h>
#include <poppler/cpp/poppler-global.h>
#include <poppler/cpp/poppler-page.h>

#include <climits>
#include <memory>
#include <mutex>

namespace idara::search {
namespace {

void silence(const std::string&, void*) {}

// Keeps at most `max_chars` code points of `in` (valid UTF-8 from poppler), control
// characters other than line breaks turned into spaces. Returns the code points added.
std::size_t append_clean(std::string& out, const poppler::byte_array& in, std::size_t max_chars) {
    std::size_t n = 0;
    for (std::size_t i = 0; i < in.size(); ++i) {
        const auto c = static_cast<unsigned char>(in[i]);
        const bool starts = (c & 0xC0) != 0x80;
        if (starts && n == max_chars) break;
        n += starts;
        out += (c < 0x20 && c != '\n') || c == 0x7F ? ' ' : static_cast<char>(c);
    }
    return n;
}

}  // namespace

std::string extract_pdf_text(std::string_view pdf_bytes, std::size_t max_chars) {
    static std::once_flag quiet;
    std::call_once(quiet, [] { poppler::set_debug_error_function(&silence, nullptr); });
    if (pdf_bytes.empty() || pdf_bytes.size() > INT_MAX || max_chars == 0) return {};
    try {
        std::unique_ptr<poppler::document> doc(
            poppler::document::load_from_raw_data(pdf_bytes.data(), static_cast<int>(pdf_bytes.size())));
        if (!doc || doc->is_locked()) return {};
        std::string out;
        std::size_t left = max_chars;
        for (int i = 0; i < doc->pages() && left > 0; ++i) {
            std::unique_ptr<poppler::page> page(doc->create_page(i));
            if (!page) continue;
            const poppler::byte_array utf8 = page->text().to_utf8();
            if (utf8.empty()) continue;
            if (!out.empty()) {
                out += '\n';
                if (--left == 0) break;
            }
            left -= append_clean(out, utf8, left);
        }
        return out;
    } catch (...) {
        return {};  // allocation failure or a poppler exception: nothing to index
    }
}

}  // namespace idara::search
