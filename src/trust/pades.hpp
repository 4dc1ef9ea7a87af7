// Seals a PDF with a PAdES signature (SubFilter ETSI.CAdES.detached): a CMS
// SignedData over the /ByteRange of the file, with the CAdES
// signing-certificate-v2 attribute, made with OpenSSL. poppler's pdfsig and
// `openssl cms -verify` accept it; any change to a signed byte breaks it.
//
// This writes the first signature of a document (qpdf rewrites the file);
// further signatures must be incremental updates (trust-layer issue).
// Time-stamping (PAdES B-T) comes with the trust layer as well.
#pragma once

#include "core/error.hpp"
#include "trust/keys.hpp"

#include <string>
#include <string_view>

namespace idara::trust {

struct SealOptions {
    std::string field_name = "Seal";
    std::string reason;     // e.g. "Deposit receipt" (ASCII)
    std::string location;   // e.g. "Rabat" (ASCII)
};

// The sealed PDF, or trust.seal (500) when the input is not a PDF qpdf can read
// or signing fails.
Result<std::string> seal_pdf(std::string_view pdf, const SigningIdentity& id, const SealOptions& o = {});

}  // namespace idara::trust
