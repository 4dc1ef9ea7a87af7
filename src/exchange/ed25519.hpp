// Ed25519 keys of the exchange (libsodium): the central's configuration-signing key and each
// member's message-signing key. Key files hold the 32-byte seed in base64 on one line, mode 0600.
#pragma once

#include "core/error.hpp"

#include <array>
#include <string>
#include <string_view>

namespace idara::exchange {

using PublicKey = std::array<unsigned char, 32>;

class SigningKey {
public:
    static SigningKey generate();
    // Errors: exchange.key_file (500) when missing, unreadable or malformed.
    static Result<SigningKey> load(const std::string& path);
    // Writes the seed (0600, atomically). Errors: exchange.key_file.
    Status save(const std::string& path) const;

    const PublicKey& public_key() const { return pk_; }
    std::string public_key_b64() const;
    // A 64-byte detached signature over `data`.
    std::string sign(std::string_view data) const;
    // First 8 bytes of SHA-256(public key), hex: names the key in documents.
    std::string key_id() const;

private:
    std::array<unsigned char, 64> sk_{};
    PublicKey pk_{};
};

Result<PublicKey> parse_public_key_b64(std::string_view b64);
bool verify_signature(const PublicKey& pk, std::string_view data, std::string_view sig64);
std::string key_id_of(const PublicKey& pk);

std::string b64(std::string_view bytes);
Result<std::string> unb64(std::string_view text);  // exchange.bad_base64 (400)

}  // namespace idara::exchange
