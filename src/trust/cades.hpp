// Detached CAdES signatures (.p7s, DER) of any bytes, for attachments that are
// not PDF: the same CMS settings as the PDF signatures (SHA-256, signing-
// certificate-v2, the signer's chain, no content inside) and, with a
// TimeStamper, an id-aa-signatureTimeStampToken over the signature value and no
// signingTime (B-T); without one, a signingTime attribute (B-B).
// `openssl cms -verify -binary -inform DER -content FILE` verifies the result.
//
// Errors: trust.tsa_unavailable (503) from the TimeStamper (nothing produced);
// trust.sign (500) when signing fails.
// Thread-safety: pure function.
#pragma once

#include "core/error.hpp"
#include "trust/keys.hpp"
#include "trust/tsa.hpp"

#include <string>
#include <string_view>

namespace idara::trust {

Result<std::string> sign_detached(std::string_view content, const SigningIdentity& id, TimeStamper* tsa);

}  // namespace idara::trust
