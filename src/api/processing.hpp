// The correspondence window's JSON API (rules in processing/workflow.hpp). Every change
// carries the "version" the caller last saw; a stale one is 409 processing.version_conflict.
// Every change answers 200 with the entry's dossier as it is after the change.
//
//   GET  /api/v1/inbox/{registry|unit|mine|opinions|overdue|due_soon}?limit=   staff
//   GET  /api/v1/entries/{number}                       the dossier (staff of the administration, or the depositor)
//   POST /api/v1/entries/{number}/qualify               {version, type?, priority: normal|urgent, confidential}
//   POST /api/v1/entries/{number}/assign                {version, lead: "DB", copies?: ["DRH"]}
//   POST /api/v1/entries/{number}/dispatch              {version, agent: account id}
//   POST /api/v1/entries/{number}/start                 {version}
//   POST /api/v1/entries/{number}/notes                 {text} or multipart: "note" JSON part {text} + one file
//   GET  /api/v1/entries/{number}/notes/{id}/file       a working document
//   POST /api/v1/entries/{number}/drafts                {text}
//   POST /api/v1/entries/{number}/opinion-requests      {version, unit, question}
//   POST /api/v1/entries/{number}/opinions              {text}
//   POST /api/v1/entries/{number}/missing-documents     {version, text}
//   POST /api/v1/entries/{number}/completion            depositor; multipart: "completion" JSON part
//                                                       {version, note?} + file parts
//   POST /api/v1/entries/{number}/reject                {version, reason}
//   POST /api/v1/entries/{number}/transfer              {version, administration, reason} → {"transferred_to"} too
//   POST /api/v1/entries/{number}/close                 {version}
//   GET  /api/v1/delegations                            the caller's (an admin: the administration's)
//   POST /api/v1/delegations                            {from?, to, starts_on, ends_on} → 201 {id}
//   POST /api/v1/delegations/{id}/revoke                → 204
//   GET  /api/v1/units/{code}/digest                    unit head of that unit, registry clerk or admin
#pragma once

#include "http/multipart.hpp"
#include "http/router.hpp"

namespace idara::identity {
class Service;
}
namespace idara::processing {
class WorkflowService;
}

namespace idara::api {

struct ProcessingApi {
    identity::Service& identity;
    processing::WorkflowService& workflow;
    http::MultipartLimits multipart;
};

void register_processing(http::Router& r, const ProcessingApi& api);

}  // namespace idara::api
