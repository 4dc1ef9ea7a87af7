// The registry office's JSON API (see registry/deposit.hpp for the rules):
//
//   POST /api/v1/deposits                          multipart: a JSON part "deposit" + file parts;
//                                                  optional Idempotency-Key header → 201
//        {"register_number","registered_at","tracking_code","receipt_url","digest"}
//        (200 with the same body and "replayed": true for an idempotent retry)
//        deposit = {"administration":"MEF","type":"letter","subject":"…","body":"…",
//                   "unit":"BO"?, "channel":"portal"|"administration"|"counter"?,
//                   "depositor":{"name":"…","id_number":"…"}? (counter)}
//        The channel defaults to portal for citizens and companies, counter for staff
//        when a depositor is given, administration otherwise.
//   GET  /api/v1/deposits?scope=mine|register      the caller's deposits / the administration's register
//   GET  /api/v1/deposits/{number}                 depositor or staff of the receiving administration
//   GET  /api/v1/deposits/{number}/receipt.pdf     the sealed receipt
//   POST /api/v1/deposits/{number}/cancel          {"reason":"…"} registry clerk or admin → 200
//   GET  /api/v1/administrations/{code}/deposit-types   public
//   GET  /api/v1/track/{number}?code=…             public; wrong code and unknown number: the same 404
//   (POST /api/v1/verify lives in api/verify.hpp: receipts and the ETSI signature report)
//   GET  /.well-known/idara-keys.json              QR verification keys and trust anchors
//
// Errors use the one error shape with Arabic and French messages.
#pragma once

#include "http/multipart.hpp"
#include "http/router.hpp"
#include "registry/verify.hpp"

#include <functional>

namespace idara::identity {
class Service;
}
namespace idara::registry {
class DepositService;
}

namespace idara::api {

struct RegistryApi {
    identity::Service& identity;
    registry::DepositService& deposits;
    // The published keys and anchors (read from the key store).
    std::function<Result<registry::VerifyKeys>()> verify_keys;
    http::MultipartLimits multipart;         // deposits: max_parts ≥ files + 1, max_part_bytes = per-file limit
    http::MultipartLimits verify_multipart;  // unused since /api/v1/verify moved to api/verify.hpp
};

void register_registry(http::Router& r, const RegistryApi& api);

}  // namespace idara::api
