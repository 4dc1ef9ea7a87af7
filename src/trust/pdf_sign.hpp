// PAdES signatures added to a PDF as incremental updates (ISO 32000-1 §7.5.6):
// the original bytes stay unchanged and one section is appended (the new and
// changed objects, a cross-reference section — an xref stream when the previous
// one was — and a trailer with /Prev), so earlier signatures stay valid and only
// the last one covers the whole file.
//
// The signature is a CMS SignedData, SubFilter ETSI.CAdES.detached, over the
// /ByteRange: SHA-256, the CAdES signing-certificate-v2 attribute, the signer's
// chain, and — with a TimeStamper — an id-aa-signatureTimeStampToken over the
// signature value and no signingTime (PAdES B-T). tsa == nullptr gives B-B, with a
// signingTime attribute (the only time then). See docs/design/trust-layer.md
// "Signing — implementation notes".
//
// Errors: trust.sign_field (400) when field_name is empty, not printable ASCII or
// already names a field of the document; trust.sign_stamp (400) for a stamp on a page
// that does not exist or with a non-positive size; trust.sign_input (400) for bytes
// that are not a PDF qpdf can read (or an encrypted one); trust.tsa_unavailable (503)
// from the TimeStamper, and then nothing is produced; trust.sign (500) when signing fails.
//
// Thread-safety: pure function (the TimeStamper is thread-safe).
#pragma once

#include "core/error.hpp"
#include "trust/keys.hpp"
#include "trust/stamp.hpp"
#include "trust/tsa.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace idara::trust {

struct PdfSignRequest {
    std::string field_name;             // unique in the document, e.g. "Sig2-visa"
    std::string reason, location;       // ASCII in the dictionary
    std::string name;                   // optional /Name (ASCII); empty: the signer's CN when ASCII
    std::optional<VisibleStamp> stamp;  // none: an invisible signature
};

// Appends one signature as an incremental update (earlier signatures stay valid).
Result<std::string> sign_pdf(std::string_view pdf, const SigningIdentity& id, TimeStamper* tsa,
                             const PdfSignRequest& r);

}  // namespace idara::trust
