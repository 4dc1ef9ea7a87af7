// What people type in the search box (search/query_text.hpp) and the PDF text extractor
// (search/index.hpp) fed with arbitrary bytes.
#include "search/index.hpp"
#include "search/query_text.hpp"

#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view s(reinterpret_cast<const char*>(data), size);
    if (auto q = idara::search::parse_query(s)) {
        if (q->words.size() > idara::search::kMaxQueryWords) __builtin_trap();
        const std::string fts = idara::search::fts5_match(*q);
        const std::string ts = idara::search::pg_tsquery(*q);
        // Every word reaches FTS5 quoted: no bare query syntax.
        for (const auto& w : q->words) {
            if (w.empty()) __builtin_trap();
            for (char c : w)
                if (c == '"' || c == '*' || c == '(' || c == ')' || c == ':' || c == '\'' || c == '&' || c == '|')
                    __builtin_trap();
        }
        if (!q->empty() && (fts.empty() || ts.empty())) __builtin_trap();
        (void)idara::search::snippet(s, *q);
    }
    if (size > 4 && s.substr(0, 4) == "%PDF") {
        const std::string text = idara::search::extract_pdf_text(s, 1000);
        if (text.size() > 4000) __builtin_trap();  // 1000 characters of at most 4 bytes
    }
    return 0;
}
