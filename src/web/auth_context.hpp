// The signed-in principal of a request, from the idara_session cookie.
//
// Shared by the HTML pages and the JSON API (cookie-authenticated calls): it
// only reads the cookie and asks the identity service; it never writes a
// response. CSRF checks stay with the caller (pages: the _csrf form field;
// API: the X-CSRF-Token header), both against `csrf_token`.
//
// Thread-safety: as identity::Service (safe from any worker thread).
#pragma once

#include "http/message.hpp"
#include "identity/principal.hpp"

#include <optional>
#include <string>

namespace idara::identity {
class Service;
}

namespace idara::web {

struct WebSession {
    identity::Principal principal;
    std::string session_id;   // the cookie value; never log it
    std::string csrf_token;   // the session's CSRF token
};

// The live session named by the request's idara_session cookie, or nullopt
// when there is no cookie, or it is unknown, expired or revoked.
std::optional<WebSession> session_from_request(identity::Service& ids, const http::Request& r);

}  // namespace idara::web
