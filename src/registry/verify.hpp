// Verification of a receipt: a sealed PDF or the payload of its QR code.
//
// For a PDF: every PAdES signature is checked (trust/pdf_verify.hpp) against the
// platform's trust anchors; the QR payload the receipt carries in its /Keywords
// is verified with the published Ed25519 keys; and, online, the register is
// asked whether it holds an entry with that number, time and receipt digest and
// whether this exact file is the receipt it issued.
// For a QR payload: its signature, then (online) the register.
//
// The verdict:
//   valid      the seal (or the QR signature) verifies, and — online — the register holds
//              the matching entry;
//   invalid    a signature does not verify, the file was changed, or the register
//              disagrees (different time or digest);
//   unknown    nothing to check: not a PDF, no seal and no QR payload, or (online) a
//              well-signed receipt whose number the register does not know.
// A cancelled entry is reported as such beside the verdict.
//
// Offline (registry null): the same checks without the register, with keys and anchors
// from a keys document (/.well-known/idara-keys.json).
#pragma once

#include "core/error.hpp"
#include "registry/deposit.hpp"
#include "trust/key_store.hpp"
#include "trust/pdf_verify.hpp"
#include "trust/qr.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace idara::registry {

enum class Verdict { valid, invalid, unknown };
std::string_view verdict_name(Verdict v);  // "valid", "invalid", "unknown"

struct VerificationReport {
    Verdict verdict = Verdict::unknown;
    std::vector<std::string> reasons;            // stable codes: "seal.integrity", "seal.untrusted",
                                                 // "seal.partial", "qr.bad_signature", "register.unknown",
                                                 // "register.mismatch", "register.other_file", "none"
    std::vector<trust::SignatureReport> signatures;  // PDF only
    std::optional<trust::QrClaims> qr;           // when a payload was found and parsed
    bool qr_signature_valid = false;
    std::optional<RegisterMatch> register_entry; // online, when the number is known
    bool register_matches = false;               // number, time and digest agree (and, for a PDF, the file)
};

struct VerifyKeys {
    std::vector<trust::PublicKey> keys;
    std::vector<std::string> anchors_pem;
};

// `registry` may be null (offline).
Result<VerificationReport> verify_receipt_pdf(std::string_view pdf, const VerifyKeys& keys, DepositService* registry);
Result<VerificationReport> verify_qr_payload(std::string_view payload_or_url, const VerifyKeys& keys,
                                             DepositService* registry);

}  // namespace idara::registry
