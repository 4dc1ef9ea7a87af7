// The signature validator (docs/design/trust-layer.md "Validator"): every signature of a PDF
// (PAdES, incremental updates included) or a detached CAdES signature (.p7s + content), reported
// in the vocabulary of ETSI EN 319 102-1.
//
// Per signature: integrity (message digest and signature value), the signer (CN, O, certificate
// sha256), the chain to the anchors, the signature time-stamp (RFC 3161 token in the unsigned
// attribute id-aa-signatureTimeStampToken: verified against the same anchors, imprint = SHA-256
// of the signature value; genTime and TSA name reported), revocation (CRLs given; OCSP when
// options.ocsp and the certificate names a responder), and an indication:
//   TOTAL_PASSED;
//   TOTAL_FAILED with HASH_FAILURE (digest mismatch), SIG_CRYPTO_FAILURE (signature value),
//     REVOKED (revoked before the signing time / time-stamp, or without a time-stamp);
//   INDETERMINATE with NO_CERTIFICATE_CHAIN_FOUND, OUT_OF_BOUNDS_NO_POE (certificate expired or
//     not yet valid now, and no time-stamp proves the signature existed within its validity),
//     OUT_OF_BOUNDS_NOT_REVOKED, TRY_LATER (revocation status unknown), SIGNED_DATA_NOT_FOUND
//     (detached signature without content / byte range outside the file), FORMAT_FAILURE.
// The bilingual reason is the catalogue key reason_key() (web/i18n/{ar,fr}/trust.json).
//
// A file that is not a PDF (or a p7s that is not CMS) gives one signature entry with
// INDETERMINATE/FORMAT_FAILURE; a PDF without signatures gives an empty list and overall
// INDETERMINATE/SIGNED_DATA_NOT_FOUND. The overall indication of a file is the worst of its
// signatures (TOTAL_FAILED < INDETERMINATE < TOTAL_PASSED).
//
// Errors: none for malformed input (it is reported); trust.verify_input (400) only for input
// larger than the PDF verifier accepts.
//
// Thread-safety: pure functions (OCSP does network I/O on the calling thread).
#pragma once

#include "core/error.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace idara::trust {

enum class Indication { total_passed, total_failed, indeterminate };
enum class SubIndication {
    none,
    hash_failure,
    sig_crypto_failure,
    revoked,
    no_certificate_chain_found,
    out_of_bounds_no_poe,
    out_of_bounds_not_revoked,
    no_poe,
    try_later,
    signed_data_not_found,
    format_failure,
};

std::string_view to_string(Indication i);     // "TOTAL_PASSED", ...
std::string_view to_string(SubIndication s);  // "" for none, "HASH_FAILURE", ...
// The catalogue key of the bilingual reason: "trust.indication.passed" or
// "trust.indication.<sub-indication in lower case>".
std::string reason_key(Indication i, SubIndication s);

struct TimestampReport {
    bool present = false;
    bool valid = false;              // token signature, TSA chain to an anchor, imprint matches
    std::int64_t gen_time_ms = 0;
    std::string tsa_name;            // the TSA certificate's CN (or the token's tsa name)
    std::string error;               // why not valid (diagnostic, English)
};

struct SignatureValidation {
    std::string field_name;          // PDF field name; "" for a detached signature
    std::string sub_filter;          // PDF /SubFilter, or "CAdES-detached"
    bool integrity = false;
    bool total_document = false;     // PDF: the byte range covers the whole file (detached: true)
    bool chain_trusted = false;
    std::string chain_error;
    std::string signer_common_name, signer_organisation, signer_cert_sha256;
    std::optional<std::int64_t> signing_time_ms;  // claimed signingTime attribute
    TimestampReport timestamp;
    std::string revocation = "not_checked";        // "good" | "revoked" | "unknown" | "not_checked"
    Indication indication = Indication::indeterminate;
    SubIndication sub_indication = SubIndication::format_failure;
};

struct ValidationReport {
    std::string format;              // "pdf" | "cades"
    std::string sha256;              // of the file (PDF) or of the content (detached)
    std::vector<SignatureValidation> signatures;
    Indication indication = Indication::indeterminate;
    SubIndication sub_indication = SubIndication::signed_data_not_found;
    std::optional<std::string> keywords;  // PDF /Keywords (receipts carry their QR payload)
};

struct ValidationOptions {
    std::vector<std::string> anchors_pem;   // trust anchors (PEM certificates)
    std::vector<std::string> crls_der;      // CRLs to consult (e.g. Pki::crl_der)
    bool ocsp = false;                      // ask the AIA OCSP responder
    long ocsp_timeout_ms = 5000;
    std::int64_t now_ms = 0;                // validation time; 0: the system clock
};

Result<ValidationReport> validate_pdf(std::string_view pdf, const ValidationOptions& o);
Result<ValidationReport> validate_detached(std::string_view content, std::string_view p7s_der,
                                           const ValidationOptions& o);

}  // namespace idara::trust
