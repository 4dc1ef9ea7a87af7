// Internal to trust/: the RFC 3161 request/response mechanics shared by the built-in
// authority and the HTTP client (tsa.cpp, tsa_http.cpp). Not a public interface.
#pragma once

#include "core/error.hpp"

#include <span>
#include <string>
#include <string_view>

namespace idara::trust::tsa_protocol {

struct Request {
    std::string der;    // DER TimeStampReq: SHA-256 imprint, 64-bit nonce, certReq true
    std::string nonce;  // the nonce's big-endian bytes as in the request
};
Result<Request> make_request(std::span<const unsigned char, 32> sha256);

// Checks a DER TimeStampResp against the request (status granted, SHA-256 imprint and
// nonce equal) and returns its DER TimeStampToken. Errors: trust.tsa_unavailable (503).
Result<std::string> token_from_response(std::string_view der_response, std::span<const unsigned char, 32> sha256,
                                        const std::string& nonce);

inline Error unavailable(std::string detail) { return Error{"trust.tsa_unavailable", 503, std::move(detail)}; }

}  // namespace idara::trust::tsa_protocol
