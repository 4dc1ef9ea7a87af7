// Checks a certificate before its key is used (docs/design/trust-layer.md "PKI"):
//  - validity period at `at_ms`;
//  - key usage for the purpose: signing and seal need digitalSignature or nonRepudiation
//    (and no EKU, or one that allows it: any, emailProtection, codeSigning, documentSigning);
//    tsa needs the extended key usage timeStamping, critical, and digitalSignature/nonRepudiation
//    when keyUsage is present;
//  - the chain (cert, then `chain` as untrusted intermediates) to one of the anchors;
//  - revocation of every certificate in the chain below the anchor: CRLs given, and OCSP when
//    options.ocsp and the certificate names a responder.
//
// Errors (bilingual messages error.trust.* in web/i18n/{ar,fr}/trust.json):
//   trust.cert_expired, trust.cert_not_yet_valid, trust.cert_revoked, trust.cert_untrusted,
//   trust.cert_key_usage (422); trust.revocation_unknown (503: a CRL expired, or the OCSP
//   responder could not say).
//
// Thread-safety: pure functions (OCSP does network I/O on the calling thread).
#pragma once

#include "core/error.hpp"

#include <openssl/x509.h>

#include <cstdint>
#include <string>
#include <vector>

namespace idara::trust {

enum class CertPurpose { signing, seal, tsa };

struct CertCheckOptions {
    std::vector<std::string> anchors_pem;  // PEM certificates (several per string allowed)
    std::vector<std::string> crls_der;
    bool ocsp = false;
    long ocsp_timeout_ms = 5000;
};

// Key usage / EKU only (no chain, no time).
Status check_key_usage(X509* cert, CertPurpose purpose);

Status check_certificate(X509* cert, const std::vector<X509*>& chain, CertPurpose purpose, std::int64_t at_ms,
                         const CertCheckOptions& options);

}  // namespace idara::trust
