// Revocation status of one certificate: from CRLs (DER, e.g. the platform issuing CA's,
// Pki::crl_der) and from the OCSP responder the certificate names in its Authority
// Information Access extension (RFC 6960 over HTTP, OpenSSL's HTTP client, loopback or any
// host; no TLS).
//
// check_crls: only a CRL issued by `issuer` and correctly signed by it counts; a certificate
// listed there is revoked (revoked_at_ms from the entry). No applicable CRL: not_checked.
// A CRL that has expired (nextUpdate in the past at `at_ms`) still answers "revoked" but gives
// unknown otherwise.
// check_ocsp: not_checked when the certificate names no responder; unknown when the responder
// cannot be reached, answers an error, a response not signed by the issuer (or a delegated
// responder it certified) or one without this certificate; otherwise good/revoked.
//
// Errors: none (the state says it). Thread-safety: pure functions; OCSP blocks the calling thread
// at most timeout_ms.
#pragma once

#include <openssl/x509.h>

#include <cstdint>
#include <string>
#include <vector>

namespace idara::trust {

enum class RevocationState { good, revoked, unknown, not_checked };

struct RevocationResult {
    RevocationState state = RevocationState::not_checked;
    std::int64_t revoked_at_ms = 0;  // when revoked
    std::string source;              // "crl" | "ocsp" | ""
    std::string detail;              // diagnostic (English)
};

std::string_view to_string(RevocationState s);  // "good" | "revoked" | "unknown" | "not_checked"

RevocationResult check_crls(X509* cert, X509* issuer, const std::vector<std::string>& crls_der, std::int64_t at_ms);
// The first OCSP URL in the certificate's AIA, "" when none.
std::string ocsp_url(X509* cert);
RevocationResult check_ocsp(X509* cert, X509* issuer, long timeout_ms);

}  // namespace idara::trust
