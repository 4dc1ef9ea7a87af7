// Internal to the pages: what every page handler knows about its request, and
// the few identity look-ups the pages need (directory.cpp), in one place.
#pragma once

#include "core/error.hpp"
#include "http/message.hpp"
#include "web/auth_context.hpp"
#include "web/page.hpp"
#include "web/pages.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace idara::web::detail {

struct Visit {
    const http::Request& req;
    const PagesContext& ctx;
    std::optional<WebSession> session;
    i18n::Lang lang = i18n::kDefaultLang;

    const identity::Principal* principal() const { return session ? &session->principal : nullptr; }
    // A PageView for this request; the forms' token is the session's CSRF token when signed in.
    PageView view(std::string title, std::string_view nav) const;
};

Visit begin(const http::Request& r, const PagesContext& ctx);

// An HTML response; `personal` (personal data or a form) adds Cache-Control: no-store.
http::Response html(int status, std::string body, bool personal);
http::Response error_response(const Visit& v, const Error& e);
// 303 to /login?next=<this page>.
http::Response to_login(const http::Request& r);
// Where an account lands after signing in: staff on /staff, everyone else on /.
std::string home_of(const identity::Principal& p);

// ---- Identity look-ups for the pages (directory.cpp)
struct UnitNode {
    std::int64_t id = 0;
    std::optional<std::int64_t> parent_id;
    std::string code;
    std::string name;  // in the page's language
};
struct AdministrationInfo {
    std::string code;
    std::string name;  // in the page's language
    std::vector<UnitNode> units;
};
Result<AdministrationInfo> administration_of(identity::Service& ids, const identity::Principal& p, i18n::Lang l);

// The roles of a staff principal as translated lines ("Chef d'unité – Division du budget").
std::vector<std::string> role_lines(const identity::Principal& p, const AdministrationInfo* admin, i18n::Lang l);

// The unit tree as nested lists (<ul class="unit-tree">), HTML-escaped.
std::string unit_tree_html(const std::vector<UnitNode>& units);

}  // namespace idara::web::detail
