#include "search/query_text.hpp"

#include "core/text_normalize.hpp"

#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include <algorithm>

namespace idara::search {
namespace {

Error query_error(std::string detail) { return {"search.query", 400, std::move(detail)}; }

bool is_word_char(UChar32 c) {
    if (c < 0) return false;
    const auto mask = U_GET_GC_MASK(c);
    return (mask & (U_GC_L_MASK | U_GC_N_MASK | U_GC_CO_MASK)) != 0;
}

struct Span {
    std::size_t begin, end;  // byte offsets
};

// Word spans of `s` (at most `limit` bytes examined).
std::vector<Span> word_spans(std::string_view s, std::size_t limit = std::string_view::npos) {
    std::vector<Span> out;
    const auto n = static_cast<int32_t>(std::min(s.size(), std::min<std::size_t>(limit, INT32_MAX)));
    int32_t i = 0;
    std::size_t start = std::string_view::npos;
    while (i < n) {
        const int32_t at = i;
        UChar32 c = 0;
        U8_NEXT(s.data(), i, n, c);
        if (is_word_char(c)) {
            if (start == std::string_view::npos) start = static_cast<std::size_t>(at);
        } else if (start != std::string_view::npos) {
            out.push_back({start, static_cast<std::size_t>(at)});
            start = std::string_view::npos;
        }
    }
    if (start != std::string_view::npos) out.push_back({start, static_cast<std::size_t>(n)});
    return out;
}

std::size_t code_points(std::string_view s) {
    std::size_t n = 0;
    for (unsigned char c : s) n += (c & 0xC0) != 0x80;
    return n;
}

}  // namespace

std::vector<std::string> split_words(std::string_view normalized) {
    std::vector<std::string> out;
    for (const auto& sp : word_spans(normalized)) out.emplace_back(normalized.substr(sp.begin, sp.end - sp.begin));
    return out;
}

Result<ParsedQuery> parse_query(std::string_view text) {
    if (code_points(text) > kMaxQueryChars)
        return query_error("query over " + std::to_string(kMaxQueryChars) + " characters");
    ParsedQuery q;
    if (text::trim(text).empty()) return q;
    q.words = split_words(text::normalize_search(text, /*fold_accents=*/true));
    if (q.words.empty()) return query_error("nothing searchable in the query");
    if (q.words.size() > kMaxQueryWords) q.words.resize(kMaxQueryWords);
    q.last_is_prefix = code_points(q.words.back()) >= kMinPrefixChars;
    return q;
}

std::string fts5_match(const ParsedQuery& q) {
    std::string out;
    for (std::size_t i = 0; i < q.words.size(); ++i) {
        if (i) out += ' ';
        out += '"';
        out += q.words[i];  // words hold no '"' (not a word character)
        out += '"';
        if (i + 1 == q.words.size() && q.last_is_prefix) out += '*';
    }
    return out;
}

std::string pg_tsquery(const ParsedQuery& q) {
    std::string out;
    for (std::size_t i = 0; i < q.words.size(); ++i) {
        if (i) out += " & ";
        out += '\'';
        out += q.words[i];  // words hold no quote or backslash
        out += '\'';
        if (i + 1 == q.words.size() && q.last_is_prefix) out += ":*";
    }
    return out;
}

std::string snippet(std::string_view doc, const ParsedQuery& q, std::size_t max_words) {
    const auto spans = word_spans(doc, 64 * 1024);
    if (spans.empty() || max_words == 0) return {};
    auto matches = [&](std::string_view w) {
        for (std::size_t i = 0; i < q.words.size(); ++i) {
            const bool prefix = i + 1 == q.words.size() && q.last_is_prefix;
            if (w == q.words[i] || (prefix && w.substr(0, q.words[i].size()) == q.words[i])) return true;
        }
        return false;
    };
    std::size_t hit = 0;
    for (std::size_t i = 0; i < spans.size(); ++i)
        if (matches(doc.substr(spans[i].begin, spans[i].end - spans[i].begin))) {
            hit = i;
            break;
        }
    const std::size_t first = hit > max_words / 4 ? hit - max_words / 4 : 0;
    const std::size_t last = std::min(spans.size(), first + max_words) - 1;
    std::string out = first > 0 ? "… " : "";
    out += doc.substr(spans[first].begin, spans[last].end - spans[first].begin);
    if (last + 1 < spans.size()) out += " …";
    // Line breaks between the fields of the document read as spaces in one line.
    std::replace(out.begin(), out.end(), '\n', ' ');
    return out;
}

}  // namespace idara::search
