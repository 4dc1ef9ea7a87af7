// The silence attestation over HTTP (rules in processing/attestation.hpp).
//
//   GET /api/v1/entries/{number}/silence-attestation.pdf
//       the entry's depositor (or, for counter deposits, a registry clerk/admin of the
//       receiving administration): 200 application/pdf, sealed; the same PDF on every call.
//       409 attestation.not_applicable | attestation.answered | attestation.not_due,
//       404 resource.not_found for anyone else, 401 auth.required without credentials.
//
// Authentication as in api/auth.hpp (bearer token or session cookie).
#pragma once

#include "http/router.hpp"

namespace idara::identity {
class Service;
}
namespace idara::processing {
class AttestationService;
}

namespace idara::api {

void register_attestation(http::Router& r, identity::Service& ids, processing::AttestationService& attestations);

}  // namespace idara::api
