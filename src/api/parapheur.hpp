// The e-parapheur's JSON API (rules in parapheur/circuits.hpp). Actions carry the circuit's
// "version" as the caller last read it (409 parapheur.version_conflict otherwise) and answer
// with the circuit as it is after the action. Another administration's circuit is 404.
//
//   GET  /api/v1/circuits?box=mine|started|all&limit=&offset=   staff (all: admins)
//   POST /api/v1/circuits          multipart: JSON part "circuit" {"template","title"} + one PDF file
//                                  → 201 the circuit, Location /api/v1/circuits/{id}
//   GET  /api/v1/circuits/{id}     steps with per-assignee status, history, versions, opinions,
//                                  and "allowed" (what the caller may do now)
//   GET  /api/v1/circuits/{id}/document.pdf[?version=N]   the current (or N-th) PDF
//   POST /api/v1/circuits/{id}/approve          {version, comment?}
//   POST /api/v1/circuits/{id}/sign             {version, password, totp}   (re-authentication)
//   POST /api/v1/circuits/{id}/reject           {version, reason}
//   POST /api/v1/circuits/{id}/return           {version, reason}
//   POST /api/v1/circuits/{id}/cancel           {version, reason}           initiator or admin
//   POST /api/v1/circuits/{id}/opinion-request  {colleague_id, question}    (no version: non-blocking)
//   POST /api/v1/circuits/{id}/opinion          {opinion}
//   GET  /api/v1/circuit-templates              staff of the administration
//   GET  /api/v1/circuit-templates/{code}
//   PUT  /api/v1/circuit-templates/{code}       admin: {"name_ar","name_fr","steps":[{"kind":"visa"|
//        "signature"|"seal","mode":"all"|"any","accounts":[ids],"role":"unit_head"|…,"unit":"DB",
//        "label_ar","label_fr"}]} → 200 the template
//   DELETE /api/v1/circuit-templates/{code}     admin → 204
// Errors: the parapheur.* codes of circuits.hpp, request.* for malformed bodies, auth.*.
#pragma once

#include "http/multipart.hpp"
#include "http/router.hpp"

namespace idara::identity {
class Service;
}
namespace idara::parapheur {
class CircuitService;
}

namespace idara::api {

struct ParapheurApi {
    identity::Service& identity;
    parapheur::CircuitService& circuits;
    http::MultipartLimits multipart;
};

void register_parapheur(http::Router& r, const ParapheurApi& api);

}  // namespace idara::api
