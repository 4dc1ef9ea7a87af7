// Cryptographically secure randomness (libsodium) and constant-time comparison.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace idara::random {

// `n` random bytes encoded as lowercase hex (2n characters).
std::string hex_token(std::size_t n);
// `n` random bytes encoded as URL-safe base64 without padding.
std::string url_token(std::size_t n);
// Constant-time equality of two strings (false when lengths differ).
bool equal_ct(std::string_view a, std::string_view b);
// SHA-256 of data as lowercase hex (64 characters).
std::string sha256_hex(std::string_view data);

}  // namespace idara::random
