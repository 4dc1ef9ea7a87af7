// Web security helpers: cookies, CSRF tokens and redirect targets.
//
// CSRF: every POST form carries a hidden "_csrf" field.
//  - Signed in: the field must equal the session's CSRF token (held by the
//    identity service with the session).
//  - Anonymous forms (sign in): double submit. The form page sets a random
//    token in the idara_csrf cookie (HttpOnly, SameSite=Strict) and puts the
//    same token in the field; the POST must bring both, equal. A cross-site
//    page can neither read nor set that cookie.
// Comparisons are constant time (random::equal_ct). A missing or empty token
// never matches.
//
// Redirects after sign-in or a language switch go only to local paths
// (safe_next), never to another site ("//evil", "https://…", "/\evil").
#pragma once

#include "http/message.hpp"
#include "http/multipart.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace idara::web {

inline constexpr std::string_view kSessionCookie = "idara_session";
inline constexpr std::string_view kCsrfCookie = "idara_csrf";
inline constexpr std::string_view kCsrfField = "_csrf";

struct CookieOptions {
    bool http_only = true;
    bool secure = false;
    std::string_view same_site = "Lax";                 // "Lax" or "Strict"
    std::optional<std::chrono::seconds> max_age;        // none: a browser-session cookie
};

// The value of a Set-Cookie header (Path=/ always). `value` must be cookie-safe
// (tokens, language codes); it is not encoded.
std::string set_cookie_value(std::string_view name, std::string_view value, const CookieOptions& o);
// A Set-Cookie value that deletes the cookie (empty value, Max-Age=0).
std::string clear_cookie_value(std::string_view name, const CookieOptions& o);

// `next` if it is a local absolute path ("/account?x=1"), else nullopt. Refuses
// "//host", "/\host", backslashes anywhere, control characters, schemes and
// anything over 2048 bytes.
std::optional<std::string> safe_next(std::string_view next);

// The anonymous CSRF token for a form page: the one in the request's
// idara_csrf cookie when well formed, else a new random one (`fresh` = true:
// the caller must then set the cookie with anon_csrf_cookie()).
std::string anon_csrf_token(const http::Request& r, bool& fresh);
std::string anon_csrf_cookie(std::string_view token, bool secure);

// True when the request's form field _csrf equals `expected` (non-empty), in constant time.
bool csrf_field_matches(const http::Request& r, std::string_view expected);
// Double-submit check of an anonymous form: field == idara_csrf cookie, both well formed.
bool anon_csrf_ok(const http::Request& r);

// multipart/form-data forms (file uploads) carry _csrf as an ordinary part:
// the value of the first part named `name` that is not a file part.
std::optional<std::string> multipart_field(const std::vector<http::Part>& parts, std::string_view name);
// True when the form's _csrf part equals `expected` (non-empty), in constant time.
bool multipart_csrf_matches(const std::vector<http::Part>& parts, std::string_view expected);
// Double-submit check of an anonymous multipart form: _csrf part == idara_csrf cookie, well formed.
bool anon_multipart_csrf_ok(const http::Request& r, const std::vector<http::Part>& parts);

}  // namespace idara::web
