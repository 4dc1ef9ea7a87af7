#include "core/text_normalize.hpp"

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>

namespace idara::text {
namespace {

bool is_removed_mark(UChar32 c) { return (c >= 0x064B && c <= 0x0652) || c == 0x0670 || c == 0x0640; }

UChar32 mapped(UChar32 c) {
    switch (c) {
        case 0x0623:  // أ
        case 0x0625:  // إ
        case 0x0622:  // آ
        case 0x0671:  // ٱ
            return 0x0627;  // ا
        case 0x0649: return 0x064A;  // ى → ي
        case 0x0629: return 0x0647;  // ة → ه
        default: return c;
    }
}

icu::UnicodeString normalize(const icu::Normalizer2* n, const icu::UnicodeString& s) {
    UErrorCode ec = U_ZERO_ERROR;
    if (n == nullptr) return s;
    icu::UnicodeString out = n->normalize(s, ec);
    return U_SUCCESS(ec) ? out : s;
}

const icu::Normalizer2* instance(bool nfkc, bool decompose) {
    UErrorCode ec = U_ZERO_ERROR;
    const icu::Normalizer2* n = nfkc ? icu::Normalizer2::getNFKCInstance(ec)
                                     : (decompose ? icu::Normalizer2::getNFDInstance(ec) : icu::Normalizer2::getNFCInstance(ec));
    return U_SUCCESS(ec) ? n : nullptr;
}

}  // namespace

std::string normalize_search(std::string_view utf8, bool fold_accents) {
    icu::UnicodeString s = icu::UnicodeString::fromUTF8(icu::StringPiece(utf8.data(), static_cast<int32_t>(utf8.size())));
    s = normalize(instance(true, false), s);
    icu::UnicodeString kept;
    for (int32_t i = 0; i < s.length();) {
        const UChar32 c = s.char32At(i);
        i += U16_LENGTH(c);
        if (!is_removed_mark(c)) kept.append(mapped(c));
    }
    kept.foldCase();
    if (fold_accents) {
        const icu::UnicodeString nfd = normalize(instance(false, true), kept);
        icu::UnicodeString bare;
        for (int32_t i = 0; i < nfd.length();) {
            const UChar32 c = nfd.char32At(i);
            i += U16_LENGTH(c);
            if (u_charType(c) != U_NON_SPACING_MARK) bare.append(c);
        }
        kept = normalize(instance(false, false), bare);
    }
    std::string out;
    kept.toUTF8String(out);
    return out;
}

bool search_matches(std::string_view text, std::string_view query) {
    std::string q = normalize_search(query, true);
    const auto first = q.find_first_not_of(" \t\r\n");
    if (first == std::string::npos) return true;
    q = q.substr(first, q.find_last_not_of(" \t\r\n") - first + 1);
    return normalize_search(text, true).find(q) != std::string::npos;
}

std::string_view trim(std::string_view s) {
    const auto first = s.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) return {};
    return s.substr(first, s.find_last_not_of(" \t\r\n") - first + 1);
}

}  // namespace idara::text
