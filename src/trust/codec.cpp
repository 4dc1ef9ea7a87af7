#include "trust/codec.hpp"

#include <sodium.h>

namespace idara::trust::codec {

namespace {

std::string encode(std::string_view bytes, int variant) {
    std::string out(sodium_base64_encoded_len(bytes.size(), variant), '\0');
    sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                      variant);
    out.resize(out.size() - 1);  // the terminating NUL
    return out;
}

std::optional<std::string> decode(std::string_view text, int variant) {
    if (!sodium_ready()) return std::nullopt;
    std::string out(text.size() * 3 / 4 + 3, '\0');
    std::size_t len = 0;
    const char* end = nullptr;
    if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(), text.size(), nullptr,
                          &len, &end, variant) != 0 ||
        end != text.data() + text.size())
        return std::nullopt;
    out.resize(len);
    // Canonical form only: the same bytes must encode back to the same text.
    if (encode(out, variant) != text) return std::nullopt;
    return out;
}

}  // namespace

bool sodium_ready() {
    static const bool ok = sodium_init() >= 0;
    return ok;
}

std::string b64url_encode(std::string_view bytes) { return encode(bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING); }
std::optional<std::string> b64url_decode(std::string_view text) {
    return decode(text, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}
std::string b64_encode(std::string_view bytes) { return encode(bytes, sodium_base64_VARIANT_ORIGINAL); }
std::optional<std::string> b64_decode(std::string_view text) { return decode(text, sodium_base64_VARIANT_ORIGINAL); }

}  // namespace idara::trust::codec
