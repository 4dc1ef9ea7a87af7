#include "web/security.hpp"

#include "core/random.hpp"

namespace idara::web {
namespace {

constexpr std::size_t kAnonTokenBytes = 32;
constexpr std::size_t kAnonTokenChars = 43;  // URL-safe base64 of 32 bytes, unpadded
constexpr std::size_t kMaxNext = 2048;

bool well_formed_token(std::string_view t) {
    if (t.size() != kAnonTokenChars) return false;
    for (char c : t)
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
            return false;
    return true;
}

}  // namespace

std::string set_cookie_value(std::string_view name, std::string_view value, const CookieOptions& o) {
    std::string s;
    s.append(name).append("=").append(value).append("; Path=/");
    if (o.max_age) s.append("; Max-Age=").append(std::to_string(o.max_age->count()));
    if (o.http_only) s.append("; HttpOnly");
    if (o.secure) s.append("; Secure");
    s.append("; SameSite=").append(o.same_site);
    return s;
}

std::string clear_cookie_value(std::string_view name, const CookieOptions& o) {
    CookieOptions c = o;
    c.max_age = std::chrono::seconds(0);
    return set_cookie_value(name, "", c);
}

std::optional<std::string> safe_next(std::string_view next) {
    if (next.empty() || next.size() > kMaxNext || next.front() != '/') return std::nullopt;
    if (next.size() > 1 && (next[1] == '/' || next[1] == '\\')) return std::nullopt;
    for (unsigned char c : next)
        if (c < 0x20 || c == 0x7f || c == '\\') return std::nullopt;
    return std::string(next);
}

std::string anon_csrf_token(const http::Request& r, bool& fresh) {
    if (auto c = r.cookie(kCsrfCookie); c && well_formed_token(*c)) {
        fresh = false;
        return *c;
    }
    fresh = true;
    return random::url_token(kAnonTokenBytes);
}

std::string anon_csrf_cookie(std::string_view token, bool secure) {
    return set_cookie_value(kCsrfCookie, token, {.http_only = true, .secure = secure, .same_site = "Strict"});
}

bool csrf_field_matches(const http::Request& r, std::string_view expected) {
    if (expected.empty()) return false;
    auto field = r.form(kCsrfField);
    return field && random::equal_ct(*field, expected);
}

bool anon_csrf_ok(const http::Request& r) {
    auto cookie = r.cookie(kCsrfCookie);
    if (!cookie || !well_formed_token(*cookie)) return false;
    return csrf_field_matches(r, *cookie);
}

std::optional<std::string> multipart_field(const std::vector<http::Part>& parts, std::string_view name) {
    for (const auto& p : parts)
        if (p.name == name && !p.filename) return p.body;
    return std::nullopt;
}

bool multipart_csrf_matches(const std::vector<http::Part>& parts, std::string_view expected) {
    if (expected.empty()) return false;
    auto field = multipart_field(parts, kCsrfField);
    return field && random::equal_ct(*field, expected);
}

bool anon_multipart_csrf_ok(const http::Request& r, const std::vector<http::Part>& parts) {
    auto cookie = r.cookie(kCsrfCookie);
    if (!cookie || !well_formed_token(*cookie)) return false;
    return multipart_csrf_matches(parts, *cookie);
}

}  // namespace idara::web
