// Internal to trust/: the CMS engine behind sign_pdf, seal_pdf and sign_detached.
//
// A detached CMS SignedData over the concatenation of `pieces` (the PDF's two byte
// ranges, or the whole content): SHA-256, signed attributes contentType, messageDigest
// and signing-certificate-v2 (CAdES), the signer's certificate and chain. With a
// TimeStamper: no signingTime (the SignerInfo is signed by hand: OpenSSL's
// CMS_SignerInfo_sign always adds one) and an unsigned id-aa-signatureTimeStampToken over
// the SHA-256 of the signature value (B-T). Without one (B-B): a signingTime attribute,
// the only time a verifier then has. Errors: trust.tsa_unavailable (503) from the TimeStamper;
// trust.sign (500) when OpenSSL fails.
#pragma once

#include "core/error.hpp"
#include "trust/keys.hpp"
#include "trust/tsa.hpp"

#include <span>
#include <string>
#include <string_view>

namespace idara::trust::cades {

Result<std::string> sign(std::span<const std::string_view> pieces, const SigningIdentity& id, TimeStamper* tsa);

inline Error sign_error(std::string detail) { return Error{"trust.sign", 500, std::move(detail)}; }

}  // namespace idara::trust::cades
