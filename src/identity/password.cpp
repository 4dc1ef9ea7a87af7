#include "identity/password.hpp"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <stdexcept>

namespace idara::identity {

namespace {
void ensure_sodium() {
    static const bool ok = sodium_init() >= 0;
    if (!ok) throw std::runtime_error("libsodium failed to initialise");
}

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

std::size_t code_points(std::string_view s) {
    return static_cast<std::size_t>(std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

// A few of the most used passwords (and local favourites); the length rule removes most others.
constexpr std::array<std::string_view, 16> kCommon = {
    "1234567890", "12345678910", "123456789a", "azertyuiop", "qwertyuiop", "password123", "motdepasse",
    "motdepasse123", "administrateur", "0123456789", "1111111111", "aaaaaaaaaa", "maroc12345", "morocco123",
    "iloveyou12", "bonjour123"};
}  // namespace

HashLimits HashLimits::interactive() {
    return {crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE};
}

HashLimits HashLimits::minimum() { return {crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN}; }

Result<std::string> hash_password(std::string_view password, const HashLimits& limits) {
    ensure_sodium();
    char out[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str_alg(out, password.data(), password.size(), limits.ops, limits.mem,
                              crypto_pwhash_ALG_ARGON2ID13) != 0)
        return errors::internal("argon2id hashing failed (out of memory?)");
    return std::string(out);
}

bool verify_password(std::string_view password, const std::string& hash) {
    ensure_sodium();
    if (hash.size() >= crypto_pwhash_STRBYTES) return false;
    return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

bool needs_rehash(const std::string& hash, const HashLimits& limits) {
    ensure_sodium();
    return crypto_pwhash_str_needs_rehash(hash.c_str(), limits.ops, limits.mem) != 0;
}

Status check_policy(std::string_view password, std::string_view login) {
    if (password.size() > 256) return Error{"password.too_long", 400};
    if (code_points(password) < 10) return Error{"password.too_short", 400};
    const std::string p = lower(password);
    if (p == lower(login)) return Error{"password.same_as_login", 400};
    if (std::find(kCommon.begin(), kCommon.end(), p) != kCommon.end()) return Error{"password.too_common", 400};
    return {};
}

}  // namespace idara::identity
