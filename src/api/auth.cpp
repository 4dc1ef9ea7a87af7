#include "api/auth.hpp"

#include "core/random.hpp"
#include "identity/service.hpp"

namespace idara::api {

namespace {
bool unsafe(http::Method m) {
    return m != http::Method::get && m != http::Method::head && m != http::Method::options;
}
}  // namespace

Result<identity::Principal> authenticate(const http::Request& req, identity::Service& ids) {
    if (auto authz = req.header("Authorization")) {
        constexpr std::string_view prefix = "Bearer ";
        if (authz->substr(0, prefix.size()) != prefix) return errors::unauthenticated("unsupported scheme");
        return ids.resolve_token(authz->substr(prefix.size()));
    }
    auto cookie = req.cookie("idara_session");
    if (!cookie) return errors::unauthenticated("no credentials");
    auto s = ids.resolve_session(*cookie);
    if (!s) return errors::unauthenticated("session: " + s.error().code);
    if (unsafe(req.method)) {
        auto sent = req.header("X-CSRF-Token");
        if (!sent || !random::equal_ct(*sent, s->csrf_token)) return errors::csrf("missing or wrong X-CSRF-Token");
    }
    return std::move(s->principal);
}

Result<identity::TenantScope> staff_scope(const identity::Principal& p) {
    auto s = identity::TenantScope::of(p);
    if (!s) return errors::forbidden("staff only");
    return *s;
}

Status require_any_role(const identity::Principal& p, std::initializer_list<identity::Role> roles) {
    for (auto r : roles)
        if (p.has_role(r)) return {};
    return errors::forbidden("role required");
}

}  // namespace idara::api
