// Who calls the JSON API. Two ways in:
//  - `Authorization: Bearer <token>` (API tokens from `idara token create`);
//    no CSRF check since browsers never send it on their own;
//  - the web session cookie, for pages that call the API; then every unsafe
//    method (POST, PUT, PATCH, DELETE) must carry `X-CSRF-Token` equal to the
//    session's CSRF token, or it is refused with auth.csrf (403).
// Anything else is auth.required (401).
#pragma once

#include "core/error.hpp"
#include "http/message.hpp"
#include "identity/principal.hpp"

namespace idara::identity {
class Service;
}

namespace idara::api {

Result<identity::Principal> authenticate(const http::Request& req, identity::Service& ids);

// The tenant scope of a staff principal, or auth.forbidden for anyone else.
Result<identity::TenantScope> staff_scope(const identity::Principal& p);
// auth.forbidden unless the principal holds one of the roles.
Status require_any_role(const identity::Principal& p, std::initializer_list<identity::Role> roles);

}  // namespace idara::api
