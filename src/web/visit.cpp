#include "web/visit.hpp"

#include "web/lang.hpp"
#include "web/render.hpp"

#include <functional>
#include <map>

namespace idara::web::detail {

PageView Visit::view(std::string title, std::string_view nav) const {
    PageView v;
    v.lang = lang;
    v.title = std::move(title);
    v.target = req.target.empty() ? "/" : req.target;
    v.principal = principal();
    if (session) v.csrf = session->csrf_token;
    v.nav = nav;
    v.registry = ctx.deposits != nullptr;
    v.window = ctx.deposits != nullptr && ctx.workflow != nullptr;
    v.parapheur = ctx.circuits != nullptr;
    v.portal = ctx.catalogue != nullptr && ctx.applications != nullptr;
    v.evaluation = v.portal && ctx.evaluation != nullptr;
    return v;
}

Visit begin(const http::Request& r, const PagesContext& ctx) {
    Visit v{r, ctx, session_from_request(ctx.identity, r)};
    v.lang = resolve_lang(r, v.principal());
    return v;
}

http::Response html(int status, std::string body, bool personal) {
    auto res = http::Response::html(status, std::move(body));
    res.headers.set("Cache-Control", personal ? "no-store" : "no-cache");
    res.headers.set("Vary", "Cookie, Accept-Language");
    return res;
}

http::Response error_response(const Visit& v, const Error& e) {
    const auto& cat = i18n::catalogue();
    const std::string status = std::to_string(e.status);
    const std::string prefix = "web.error." + status;
    const bool known = cat.has(v.lang, prefix + ".title");
    const std::string message_key = "error." + e.code;
    Data d;
    d.set("status", status);
    d.set("heading", known ? msg(v.lang, prefix + ".title") : msg(v.lang, message_key));
    if (known && cat.has(v.lang, message_key)) d.set("message", msg(v.lang, message_key));
    d.set("help", known ? msg(v.lang, prefix + ".help") : std::string());
    d.set("request_id", v.req.request_id);
    PageView pv = v.view(known ? msg(v.lang, prefix + ".title") : msg(v.lang, message_key), "");
    auto res = html(e.status, render_page(pv, "error", d), true);
    if (e.status == 429) res.headers.set("Retry-After", "60");
    return res;
}

http::Response to_login(const http::Request& r) {
    return http::Response::redirect("/login?next=" + http::url_encode(r.target.empty() ? "/" : r.target));
}

std::string home_of(const identity::Principal& p) { return p.is_staff() ? "/staff" : "/"; }

std::vector<std::string> role_lines(const identity::Principal& p, const AdministrationInfo* admin, i18n::Lang l) {
    std::vector<std::string> out;
    for (const auto& m : p.memberships) {
        std::string role = msg(l, "web.role." + std::string(identity::role_name(m.role)));
        const UnitNode* unit = nullptr;
        if (admin != nullptr && m.unit_id)
            for (const auto& u : admin->units)
                if (u.id == *m.unit_id) unit = &u;
        out.push_back(unit ? i18n::catalogue().format(l, "web.role.in_unit", {{"role", role}, {"unit", unit->name}})
                           : role);
    }
    return out;
}

std::string unit_tree_html(const std::vector<UnitNode>& units) {
    std::map<std::optional<std::int64_t>, std::vector<const UnitNode*>> children;
    std::map<std::int64_t, bool> known;
    for (const auto& u : units) known[u.id] = true;
    // Units whose parent is unknown are shown at the top rather than lost.
    for (const auto& u : units) children[u.parent_id && known.count(*u.parent_id) ? u.parent_id : std::nullopt].push_back(&u);
    std::string out;
    std::function<void(std::optional<std::int64_t>, int)> emit = [&](std::optional<std::int64_t> parent, int depth) {
        auto it = children.find(parent);
        if (it == children.end() || depth > 32) return;
        out += depth == 0 ? "<ul class=\"unit-tree\">" : "<ul>";
        for (const UnitNode* u : it->second) {
            out += "<li><span class=\"unit-tree__name\">" + html_escape(u->name) +
                   "</span> <bdi dir=\"ltr\" class=\"unit-tree__code\">" + html_escape(u->code) + "</bdi>";
            emit(u->id, depth + 1);
            out += "</li>";
        }
        out += "</ul>";
    };
    emit(std::nullopt, 0);
    return out;
}

}  // namespace idara::web::detail
