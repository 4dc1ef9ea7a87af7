// The compact signed payload of a receipt's QR code. It carries no personal
// data: the register number, the registration time, the receipt digest (the
// SHA-256 of the registered facts, see registry/deposit.hpp), the key id and an
// Ed25519 signature (libsodium) over all of them.
//
//   IDR1.<base64url(number "|" time_ms "|" digest_hex "|" kid)>.<base64url(signature)>
//
// The signature covers the bytes "IDR1." + the first base64url segment, so a
// verifier needs only the payload and the public key of `kid` (offline, from
// /.well-known/idara-keys.json). The QR itself encodes a URL
// "<public_url>/verify?q=<payload>" so that a phone opens the verification
// page; extract_payload() accepts either form.
//
// Parsing is strict: at most 512 bytes, canonical base64url only, exactly four
// fields, register number [A-Z0-9-]{1,40}, time a positive decimal without leading
// zero, digest 64 lowercase hex, kid [A-Za-z0-9_-]{1,64}. Retired keys still verify
// (receipts outlive key rotation). sign_qr does not validate its claims: claims of
// another shape give a payload that parse_qr refuses.
//
// Errors: qr.malformed (400) for anything that does not parse, qr.unknown_key
// (400) when kid is not in the key set, qr.bad_signature (400).
#pragma once

#include "core/error.hpp"
#include "trust/key_store.hpp"

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace idara::trust {

struct QrClaims {
    std::string register_number;   // "MEF-2026-000123"
    std::int64_t registered_at_ms = 0;
    std::string receipt_digest;    // 64 lowercase hex
    std::string kid;
    bool operator==(const QrClaims&) const = default;
};

std::string sign_qr(const QrClaims& c, const std::array<unsigned char, 64>& ed25519_sk);
// The payload out of a bare payload or a verification URL (its q parameter); qr.malformed otherwise.
Result<std::string> extract_payload(std::string_view payload_or_url);
// Parses without checking the signature (qr.malformed).
Result<QrClaims> parse_qr(std::string_view payload);
// Parses and checks the signature with the key named by kid among `keys`.
Result<QrClaims> verify_qr(std::string_view payload, const std::vector<PublicKey>& keys);
// "<public_url>/verify?q=<payload>" (public_url without a trailing slash).
std::string qr_url(std::string_view public_url, std::string_view payload);

}  // namespace idara::trust
