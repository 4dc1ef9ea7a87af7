// Second factor: time-based one-time passwords (TOTP, RFC 6238: HMAC-SHA-1,
// 6 digits, 30-second steps; the codes are computed by liboath), and the
// re-authentication a signer passes before signing (password + TOTP code).
//
// Enrolment: begin_enrolment() draws a random 20-byte secret and stores it
// *pending*; the account shows its otpauth:// URI (as a QR code) and its base32
// text; confirm_enrolment() with a first valid code makes it active. A pending
// secret is replaced by a new begin_enrolment(); an active one must be disabled
// (with the password) before another is enrolled.
//
// Verification accepts the current step and one step either side (clock drift)
// and refuses a code whose step is not later than the last accepted one (a code
// is used once; an older code after a newer one is refused too). Wrong codes are
// throttled per account (LoginThrottle: ThrottleOptions::max_failures_per_login
// failures per window, plus per address).
//
// At rest: the secret is sealed with crypto_secretbox (XSalsa20-Poly1305) under
// the platform master key (the same 32 bytes as trust::MasterKey), stored as
// nonce(24) || ciphertext in totp_secrets.secret_sealed (migration 0013). The
// secret is never logged; it leaves this module only from begin_enrolment() (to
// show it once) and from the free functions used by tests and demo data.
//
// Errors:
//   identity.reauth_failed (401)        reauthenticate()/disable(): wrong password or wrong,
//                                        reused or malformed code; never says which factor failed
//   identity.totp_not_enrolled (403)    reauthenticate()/disable() for an account without an
//                                        active secret; confirm_enrolment() with nothing pending
//   identity.totp_invalid_code (400)    confirm_enrolment(): the code does not match
//   identity.totp_already_enrolled (409) begin_enrolment() while a secret is active
//   identity.throttled (429)            too many failures for this account or address
//   auth.required (401)                 unknown or disabled account
//   identity.totp_key (500)             the stored secret does not open with this master key
//   and storage errors.
//
// Thread-safety: a TotpService may be used from any number of threads; the replay
// check is a conditional UPDATE, so two requests with the same code cannot both pass.
#pragma once

#include "core/clock.hpp"
#include "core/error.hpp"
#include "identity/service.hpp"
#include "identity/throttle.hpp"
#include "storage/db.hpp"

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace idara::identity {

// The platform master key (identical in type to trust::MasterKey).
using SecretKey = std::array<unsigned char, 32>;

struct TotpOptions {
    std::string issuer = "idara";  // shown by authenticator apps
    int window = 1;                // steps accepted either side of the current one
    ThrottleOptions throttle{.max_failures_per_login = 5, .max_failures_per_ip = 20};
};

struct TotpEnrolment {
    std::string secret_base32;  // RFC 4648 base32 without padding, for manual entry
    std::string otpauth_uri;    // otpauth://totp/<issuer>:<login>?secret=…&issuer=…&algorithm=SHA1&digits=6&period=30
};

struct TotpState {
    bool active = false;   // a confirmed secret is in use
    bool pending = false;  // an enrolment waits for its first code
    std::optional<std::int64_t> confirmed_at_ms;
};

class TotpService {
public:
    // `identity` checks passwords (its sign-in throttle applies too); `db`, `identity`
    // and `clock` must outlive the service. The master key is copied and wiped on destruction.
    TotpService(storage::Database& db, Service& identity, const SecretKey& master, TotpOptions o = {},
                const Clock& clock = system_clock());
    ~TotpService();

    Result<TotpState> state(std::int64_t account_id);
    Result<TotpEnrolment> begin_enrolment(std::int64_t account_id);
    Status confirm_enrolment(std::int64_t account_id, std::string_view code, const std::string& ip);
    // Removes the secret (active or pending) after checking the password.
    Status disable(std::int64_t account_id, std::string_view password, const std::string& ip);

    // Re-authentication before a signature: the account's password and a fresh TOTP code.
    Status reauthenticate(std::int64_t account_id, std::string_view password, std::string_view totp_code,
                          const std::string& ip);

    // Trusted (demo data, tests): stores `secret` as the account's active secret, replacing any.
    Status set_active_secret(std::int64_t account_id, std::span<const unsigned char> secret);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// RFC 6238 code (HMAC-SHA-1, 30-second steps from the Unix epoch) for `unix_seconds`.
std::string totp_code(std::span<const unsigned char> secret, std::int64_t unix_seconds, int digits = 6);
// RFC 4648 base32 (upper case, no padding) and back; decoding accepts lower case, spaces and
// padding; request.invalid (400) for anything else.
std::string base32_encode(std::span<const unsigned char> bytes);
Result<std::vector<unsigned char>> base32_decode(std::string_view text);
// The otpauth:// URI authenticator apps read from a QR code (label and issuer percent-encoded).
std::string otpauth_uri(std::string_view issuer, std::string_view account, std::string_view secret_base32);

}  // namespace idara::identity
