// The outgoing register's JSON API (rules in outgoing/letters.hpp). Changes carry the
// "version" the caller last saw (409 outgoing.version_conflict otherwise) and answer with
// the letter as it is after the change.
//
//   POST /api/v1/letters                      JSON letter, or multipart: "letter" JSON part + one PDF "file"
//        letter = {"in_reply_to": "MEF-2026-000012"?, "lang": "ar"|"fr", "subject": "…",
//                  "template": "answer"|"refusal"|"acknowledgement"|"information_request"?, "body": "…",
//                  "recipient": {"kind": "depositor"|"account"|"administration"|"address",
//                                "account_id"?, "administration"?, "name"?, "postal_address"?, "email"?}}
//        A reply needs the caller to be able to read the incoming entry (confidentiality).
//   PUT  /api/v1/letters/{id}                 the same shape + "version" (a draft)
//   GET  /api/v1/letters?state=draft|pending_approval|approved|dispatched   staff
//   GET  /api/v1/letters/{id}                 staff of the administration; the depositor once dispatched
//   GET  /api/v1/letters/{id}/pdf             the sealed PDF (numbered letters)
//   GET  /api/v1/letters/{id}/preview         the letter's text as it will be printed
//   POST /api/v1/letters/{id}/submit          {version}: numbers the letter (first time), renders it and
//                                             starts its circuit ("circuit_id", "circuit_url" in the answer);
//                                             approval and return happen there (api/parapheur.hpp)
//   POST /api/v1/letters/{id}/dispatch        {version}            postal dispatch of an approved letter
//   GET  /api/v1/outgoing-register?year=2026  staff: the outgoing register
//   GET  /api/v1/entries/{number}/letters     the letters in reply to an entry (staff; the depositor: dispatched ones)
#pragma once

#include "http/multipart.hpp"
#include "http/router.hpp"

namespace idara::identity {
class Service;
}
namespace idara::outgoing {
class OutgoingService;
}
namespace idara::processing {
class WorkflowService;
}

namespace idara::api {

struct OutgoingApi {
    identity::Service& identity;
    outgoing::OutgoingService& letters;
    processing::WorkflowService& workflow;
    http::MultipartLimits multipart;
};

void register_outgoing(http::Router& r, const OutgoingApi& api);

}  // namespace idara::api
