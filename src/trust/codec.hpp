// Internal to idara_trust: base64 forms over libsodium, strict on input.
// decode_* accept only the canonical encoding (no padding where the variant
// has none, no whitespace, unused trailing bits zero) and return nullopt otherwise.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace idara::trust::codec {

// libsodium initialised once (thread-safe); false when it cannot be.
bool sodium_ready();

std::string b64url_encode(std::string_view bytes);                  // URL-safe, no padding
std::optional<std::string> b64url_decode(std::string_view text);    // strict
std::string b64_encode(std::string_view bytes);                     // standard alphabet, padded
std::optional<std::string> b64_decode(std::string_view text);       // strict

}  // namespace idara::trust::codec
