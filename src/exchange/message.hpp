// Signing and verifying exchange messages (see docs/design/exchange.md, "Trust and transport").
//
// The canonical text of a request is, one field per line ("\n"-terminated):
//   idara-exchange-v1 / request / METHOD / target / x-road-client / x-road-id / x-road-userid /
//   x-road-issue / content-type / body SHA-256 (lower-case hex)
// and of a response:
//   idara-exchange-v1 / response / status / x-road-id / x-road-request-hash / content-type / body SHA-256.
// Field values are taken as sent; a value holding '\n' or '\r' is refused when building.
// The signature is Ed25519 over SHA-256(canonical text) by the sending member's key.
#pragma once

#include "core/error.hpp"
#include "exchange/ed25519.hpp"
#include "exchange/ids.hpp"

#include <array>
#include <string>
#include <string_view>

namespace idara::exchange {

using Digest = std::array<unsigned char, 32>;

inline constexpr std::string_view kSignatureHeader = "X-Road-Signature";
inline constexpr std::string_view kRequestHashHeader = "X-Road-Request-Hash";

// Incremental SHA-256 for streamed bodies.
class BodyHasher {
public:
    BodyHasher();
    ~BodyHasher();
    BodyHasher(const BodyHasher&) = delete;
    BodyHasher& operator=(const BodyHasher&) = delete;
    void update(std::string_view chunk);
    Digest finish();  // once
private:
    struct State;
    State* s_;
};
Digest sha256(std::string_view data);
std::string hex(const Digest& d);

struct RequestParts {
    std::string method, target, client, query_id, user_id, issue, content_type;
    Digest body_sha256{};
};
struct ResponseParts {
    int status = 200;
    std::string query_id, request_hash, content_type;
    Digest body_sha256{};
};

// Errors: exchange.bad_header (400) for a CR/LF in a field.
Result<std::string> canonical(const RequestParts& r);
Result<std::string> canonical(const ResponseParts& r);
// The value of X-Road-Request-Hash: base64 SHA-256 of the request's canonical text.
std::string request_hash(std::string_view request_canonical);

// "v1;member=MA/GOV/MEN;sig=<b64>" over SHA-256(canonical).
std::string signature_header(const MemberId& signer, const SigningKey& key, std::string_view canonical);
struct ParsedSignature {
    MemberId signer;
    std::string sig;  // 64 raw bytes
};
// Errors: exchange.bad_signature_header (400).
Result<ParsedSignature> parse_signature_header(std::string_view value);
// True when `sig` verifies over SHA-256(canonical) with `pk`.
bool verify_canonical(const PublicKey& pk, std::string_view canonical, std::string_view sig);

}  // namespace idara::exchange
