// The GovStack Registration Building Block API on top of the procedure engine, so that a
// GovStack-conformant client or portal can use idara unchanged (specification:
// GovStackWorkingGroup/bb-registration, api/). Routes under /api/govstack/ (see
// docs/GOVSTACK.md for the mapping of its objects to idara's):
//
//   GET  /services[?name=]               the catalogue (procedures' current versions)
//   GET  /services/{serviceId}           one service
//   GET  /services/{serviceId}/eForms    every version of its form
//   GET  /eForms/{eFormId}               one version's form ("<code>.v<N>": JSON Schema and steps)
//   POST /services/{serviceId}/applications   a new application (draft) with data; submits when complete
//   POST /documents                      multipart upload of a document into a draft
//   GET  /applications                   the caller's applications (applicant) or received ones (staff)
//   GET  /applications/{fileId}          one application
//   PUT  /applications/{fileId}          updates a draft's data (the applicant); submits when complete
//   GET  /applications/{fileId}/documents/{documentCode}   a stored document (idara)
//   GET  /tasks, GET /tasks/{taskId}, POST /tasks/{taskId}/complete   staff work on received
//                                        applications (the correspondence window's next action)
//   GET  /data/statistics                counts per period and state (staff)
//
// Authentication: a bearer API token (identity tokens); the header Information-Mediator-Client
// (the X-Road client id "INSTANCE/CLASS/MEMBER/SUBSYSTEM") is optional; when sent it is checked
// for form (request.invalid) and recorded as the origin of the workflow events it causes.
// Errors use idara's one shape (core/error_json.hpp); answers that do not fit a form add
// "problems" (api/govstack_common.hpp). Implemented in govstack_*.cpp, library idara_api_govstack.
//
//   GET  /api/openapi.json               the OpenAPI 3 description of idara's API and of this one
#pragma once

#include "http/router.hpp"
#include "http/multipart.hpp"

namespace idara::identity {
class Service;
}
namespace idara::procedures {
class Catalogue;
class ApplicationService;
}
namespace idara::processing {
class WorkflowService;
}

namespace idara::api {

struct GovStackApi {
    identity::Service& identity;
    procedures::Catalogue& catalogue;
    procedures::ApplicationService& applications;
    processing::WorkflowService& workflow;
    http::MultipartLimits multipart;
};

void register_govstack(http::Router& r, const GovStackApi& api);
// GET /api/openapi.json (the embedded web/api/openapi.json).
void register_openapi(http::Router& r);

}  // namespace idara::api
