#include "trust/pades.hpp"

#include "trust/pdf_sign.hpp"

namespace idara::trust {

Result<std::string> seal_pdf(std::string_view pdf, const SigningIdentity& id, const SealOptions& o, TimeStamper* tsa) {
    PdfSignRequest r;
    r.field_name = o.field_name;
    r.reason = o.reason;
    r.location = o.location;
    auto out = sign_pdf(pdf, id, tsa, r);
    if (!out && out.error().code != "trust.tsa_unavailable")
        return Error{"trust.seal", 500, out.error().code + ": " + out.error().detail};
    return out;
}

}  // namespace idara::trust
