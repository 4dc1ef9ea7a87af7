// Password hashing (Argon2id, libsodium) and the password policy.
//
// Hashes are self-describing strings ("$argon2id$v=19$m=...,t=...,p=...$salt$hash")
// so limits can be raised later; needs_rehash() tells when a stored hash is weaker
// than the current limits. Thread-safe.
#pragma once

#include "core/error.hpp"

#include <cstddef>
#include <string>
#include <string_view>

namespace idara::identity {

struct HashLimits {
    unsigned long long ops = 2;                 // crypto_pwhash_OPSLIMIT_INTERACTIVE
    std::size_t mem = 64ULL * 1024 * 1024;      // crypto_pwhash_MEMLIMIT_INTERACTIVE (64 MiB)
    static HashLimits interactive();
    static HashLimits minimum();                // for tests only
};

Result<std::string> hash_password(std::string_view password, const HashLimits& limits);
// True when `password` matches `hash`; false for a mismatch or a malformed hash.
bool verify_password(std::string_view password, const std::string& hash);
bool needs_rehash(const std::string& hash, const HashLimits& limits);

// Policy: at least 10 characters (code points), at most 256 bytes, not the
// login, not a well-known password. Errors: password.too_short,
// password.too_long, password.same_as_login, password.too_common (400).
Status check_policy(std::string_view password, std::string_view login);

}  // namespace idara::identity
