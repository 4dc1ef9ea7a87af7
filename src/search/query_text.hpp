// What the search box sends, made safe for the index: normalization, words, the
// FTS5 / tsquery expressions built from them, and a snippet of a matching document.
//
// parse_query(text):
//   - refuses text over kMaxQueryChars code points (search.query, 400);
//   - normalizes it with text::normalize_search(text, /*fold_accents=*/true) — the same
//     function the index uses, so vowelled and plain Arabic, hamza/alef, alef maqsura/ya,
//     ta marbuta/ha, French accents and case all meet;
//   - keeps only words: maximal runs of letters, digits and private-use characters
//     (Unicode L*, N*, Co: what SQLite's unicode61 tokenizer keeps). Everything else —
//     quotes, *, -, :, parentheses, ^, + — separates words and never reaches the
//     query language, so FTS5 keywords such as NEAR/AND/OR/NOT are searched as words;
//   - refuses text with no word at all (search.query, 400);
//   - keeps at most kMaxQueryWords words; the last word is matched as a prefix when it has
//     at least kMinPrefixChars code points (the word being typed).
// An empty or blank text is not an error: parse_query returns no words (filters only).
//
// Thread-safety: pure functions.
#pragma once

#include "core/error.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace idara::search {

inline constexpr std::size_t kMaxQueryChars = 200;
inline constexpr std::size_t kMaxQueryWords = 16;
inline constexpr std::size_t kMinPrefixChars = 3;

struct ParsedQuery {
    std::vector<std::string> words;  // normalized; empty: no text given
    bool last_is_prefix = false;
    bool empty() const { return words.empty(); }
};

Result<ParsedQuery> parse_query(std::string_view text);

// The words of already normalized text, in order (the splitting rule above).
std::vector<std::string> split_words(std::string_view normalized);

// SQLite FTS5 MATCH expression: every word an FTS5 string ("..."), implicit AND,
// the last one followed by * when it is a prefix.
std::string fts5_match(const ParsedQuery& q);
// PostgreSQL to_tsquery('simple', ...) input: 'w1' & 'w2':* .
std::string pg_tsquery(const ParsedQuery& q);

// A window of about `max_words` words of `doc` (normalized text) around the first word
// that matches the query, with "…" where text was cut; the document's start when
// nothing matches. Looks at the first 64 KiB of the document only.
std::string snippet(std::string_view doc, const ParsedQuery& q, std::size_t max_words = 16);

}  // namespace idara::search
