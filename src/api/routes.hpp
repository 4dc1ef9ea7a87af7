// The JSON API, version 1, under /api/v1/.
//
//   GET  /api/v1/administrations   public directory: [{code, name:{ar,fr}}]; ?q= searches names
//                                  in Arabic and French (vowels, hamza forms, case, accents ignored)
//   GET  /api/v1/me                the caller: account, kind, administration, roles
//   GET  /api/v1/units             staff: the units of the caller's administration
//   GET  /api/v1/units/{id}        staff: one unit of the caller's administration (404 otherwise)
//   POST /api/v1/units             administration admin: create a unit {code, name_ar, name_fr, parent_id?}
//   GET  /api/v1/staff             administration admin or unit head: staff and their roles
//
// Responses are JSON with `Cache-Control: no-store`; errors use the one shape
// (core/error_json.hpp). Every read of administration data goes through a
// TenantScope derived from the caller.
#pragma once

#include "http/router.hpp"

namespace idara::identity {
class Service;
}

namespace idara::api {

void register_v1(http::Router& r, identity::Service& ids);

}  // namespace idara::api
