#include "web/auth_context.hpp"

#include "identity/service.hpp"
#include "web/security.hpp"

namespace idara::web {

std::optional<WebSession> session_from_request(identity::Service& ids, const http::Request& r) {
    auto cookie = r.cookie(kSessionCookie);
    if (!cookie || cookie->empty()) return std::nullopt;
    auto s = ids.resolve_session(*cookie);
    if (!s) return std::nullopt;
    return WebSession{std::move(s->principal), *cookie, s->csrf_token};
}

}  // namespace idara::web
