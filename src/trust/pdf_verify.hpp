// Verifies the PAdES signatures of a PDF in-process, as pdfsig would: for each
// signature dictionary (/Type /Sig with /ByteRange and /Contents), checks the
// CMS SignedData (OpenSSL CMS_verify, detached, over the bytes the ByteRange
// names), the signer's certificate chain to the given trust anchors (time of
// check: the signing time when present, else now), and whether the signature
// covers the whole file ("total document signed").
//
// A file that is not a PDF or has no signature is not an error: it gives an
// empty list (the caller reports "not sealed"). Errors only for a file that
// cannot be read at all: trust.verify_input (400).
//
// Anchors that do not parse as PEM certificates are skipped (they trust nothing).
// When a signature has no integrity for a structural reason (byte range, /Contents,
// not a CMS), chain_error says why and the signer fields stay empty. A file qpdf
// cannot read, or where it finds no signature, is scanned raw for "/ByteRange", so
// a tampered file reports integrity false instead of "not sealed".
//
// Thread-safety: pure functions.
#pragma once

#include "core/error.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace idara::trust {

struct SignatureReport {
    std::string field_name;            // e.g. "Seal"
    std::string sub_filter;            // e.g. "ETSI.CAdES.detached"
    bool integrity = false;            // the signed bytes are unchanged (digest and signature check)
    bool total_document = false;       // the byte range covers the whole file
    bool chain_trusted = false;        // the signer certificate chains to an anchor
    std::string chain_error;           // OpenSSL's reason when not trusted (for the report)
    std::string signer_common_name;    // CN of the signer
    std::string signer_organisation;   // O of the signer
    std::string signer_cert_sha256;    // hex SHA-256 of the DER certificate
    std::optional<std::int64_t> signing_time_ms;  // from the signingTime attribute
    std::string cms_der;               // the CMS as found in /Contents (empty when unreadable); for trust/validate
    std::vector<long long> byte_range; // as checked (4 numbers) when the range was sound
    bool valid() const { return integrity && chain_trusted; }
};

struct PdfReport {
    std::vector<SignatureReport> signatures;
    std::string sha256;                 // of the whole file
    std::optional<std::string> keywords; // the document's /Keywords (receipts carry their QR payload there)
};

Result<PdfReport> verify_pdf(std::string_view pdf, const std::vector<std::string>& anchors_pem);

}  // namespace idara::trust
