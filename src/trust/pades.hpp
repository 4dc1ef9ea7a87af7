// Seals a PDF with a PAdES signature (SubFilter ETSI.CAdES.detached): the first
// signature of a receipt, letter or attestation, added as an incremental update onto
// the original bytes by the same path as every signature (trust/pdf_sign.hpp): a CMS
// SignedData over the /ByteRange with the CAdES signing-certificate-v2 attribute and,
// with a TimeStamper, a signature time-stamp (B-T; B-B without). poppler's pdfsig and
// `openssl cms -verify` accept it; any change to a signed byte breaks it.
//
// Thread-safety: pure function (the TimeStamper is thread-safe).
#pragma once

#include "core/error.hpp"
#include "trust/keys.hpp"
#include "trust/tsa.hpp"

#include <string>
#include <string_view>

namespace idara::trust {

struct SealOptions {
    std::string field_name = "Seal";
    std::string reason;     // e.g. "Deposit receipt" (ASCII)
    std::string location;   // e.g. "Rabat" (ASCII)
};

// The sealed PDF, or trust.seal (500) when the input is not a PDF that can be read and
// updated, or signing fails; trust.tsa_unavailable (503) when `tsa` fails (nothing produced).
Result<std::string> seal_pdf(std::string_view pdf, const SigningIdentity& id, const SealOptions& o = {},
                             TimeStamper* tsa = nullptr);

}  // namespace idara::trust
