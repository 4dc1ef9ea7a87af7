#include "core/utf8.hpp"

#include <cstdint>

namespace idara::utf8 {
namespace {

// Decodes the code point at s[i]; returns its length in bytes, 0 when malformed.
std::size_t decode(std::string_view s, std::size_t i, std::uint32_t& cp) {
    static constexpr std::uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};  // smallest value per length
    const auto b = static_cast<unsigned char>(s[i]);
    const std::size_t n = b < 0x80 ? 1 : (b & 0xE0) == 0xC0 ? 2 : (b & 0xF0) == 0xE0 ? 3 : (b & 0xF8) == 0xF0 ? 4 : 0;
    if (n == 0 || i + n > s.size()) return 0;
    cp = n == 1 ? b : b & (0x7F >> n);
    for (std::size_t k = 1; k < n; ++k) {
        const auto c = static_cast<unsigned char>(s[i + k]);
        if ((c & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (c & 0x3F);
    }
    if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF) || cp == 0) return 0;
    return n;
}

}  // namespace

bool valid(std::string_view s) { return length(s).has_value(); }

std::optional<std::size_t> length(std::string_view s) {
    std::size_t count = 0;
    for (std::size_t i = 0; i < s.size(); ++count) {
        std::uint32_t cp = 0;
        const std::size_t n = decode(s, i, cp);
        if (n == 0) return std::nullopt;
        i += n;
    }
    return count;
}

bool has_controls(std::string_view s, bool allow_newlines) {
    for (std::size_t i = 0; i < s.size();) {
        std::uint32_t cp = 0;
        const std::size_t n = decode(s, i, cp);
        if (n == 0) return true;
        i += n;
        if (allow_newlines && (cp == '\n' || cp == '\r' || cp == '\t')) continue;
        if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F)) return true;
    }
    return false;
}

}  // namespace idara::utf8
