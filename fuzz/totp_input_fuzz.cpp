// TOTP inputs (identity/totp.hpp): base32 keys typed or scanned, and otpauth URIs built from
// logins. Decoding must not crash, and whatever decodes re-encodes to the same bytes.
#include "identity/totp.hpp"

#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view s(reinterpret_cast<const char*>(data), size);
    if (auto bytes = idara::identity::base32_decode(s)) {
        auto again = idara::identity::base32_decode(idara::identity::base32_encode(*bytes));
        if (!again || *again != *bytes) __builtin_trap();
        if (!bytes->empty() && idara::identity::totp_code(*bytes, 1234567890).size() != 6) __builtin_trap();
    }
    const std::string uri = idara::identity::otpauth_uri("idara", s, "ABC");
    for (char c : uri)
        if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7f) __builtin_trap();
    return 0;
}
