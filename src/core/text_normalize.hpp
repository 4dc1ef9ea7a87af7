// Text normalisation for search: makes the spellings people type of the same
// Arabic or French words compare equal.
//
// normalize_search(s), in this order (STACK.md, "Arabic text search"):
//   1. Unicode NFKC (presentation forms → letters, compatibility characters folded);
//   2. remove the Arabic vowel marks U+064B–U+0652 (tanwin, fatha, damma, kasra,
//      shadda, sukun), the superscript alef U+0670 and the tatweel U+0640;
//   3. map the hamza/madda/wasla alefs أ إ آ ٱ → ا, alef maqsura ى → ي,
//      teh marbuta ة → ه;
//   4. Unicode case folding (French: "ÉCONOMIE" → "économie").
// With `fold_accents`, Latin accents are removed as well ("économie" → "economie"):
// NFD, drop the combining marks (general category Mn), NFC.
//
// Invalid UTF-8 is replaced (U+FFFD) rather than refused: this is for matching,
// never for storing. `search_matches(text, query)` is a substring test of the
// two normalised strings; an empty (or blank) query matches everything.
//
// Thread-safety: pure functions (ICU normalizer instances are process-wide and immutable).
#pragma once

#include <string>
#include <string_view>

namespace idara::text {

// Removes ASCII spaces, tabs and line breaks at both ends (what people type around a
// value in a form field).
std::string_view trim(std::string_view s);

std::string normalize_search(std::string_view utf8, bool fold_accents = false);

// True when normalize_search(query, true) (trimmed) occurs in normalize_search(text, true).
bool search_matches(std::string_view text, std::string_view query);

}  // namespace idara::text
