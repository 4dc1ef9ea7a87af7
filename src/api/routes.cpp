#include "api/routes.hpp"

#include "api/auth.hpp"
#include "api/json_io.hpp"
#include "core/text_normalize.hpp"
#include "identity/service.hpp"

#include <boost/json.hpp>


namespace idara::api {

namespace json = boost::json;
using identity::Role;

namespace {

json::object names(const std::string& ar, const std::string& fr) { return {{"ar", ar}, {"fr", fr}}; }

json::object unit_json(const identity::Unit& u) {
    json::object o{{"id", u.id}, {"code", u.code}, {"name", names(u.name_ar, u.name_fr)}};
    o["parent_id"] = u.parent_id ? json::value(*u.parent_id) : json::value(nullptr);
    return o;
}

http::Response ok(int status, json::value v) {
    auto r = json_response(status, v);
    r.headers.set("Cache-Control", "no-store");
    return r;
}

// Wraps a handler that needs the caller: authentication errors become responses.
template <class F>
http::Handler authed(identity::Service& ids, F f) {
    return [&ids, f](http::Request& req) -> http::Response {
        auto p = authenticate(req, ids);
        if (!p) return error_response(p.error());
        Result<json::value> out = f(req, *p);
        if (!out) return error_response(out.error());
        return ok(req.method == http::Method::post ? 201 : 200, std::move(*out));
    };
}

Result<std::int64_t> id_or_not_found(std::string_view s) {
    auto v = parse_id(s);
    if (!v) return errors::not_found("bad id");
    return *v;
}

Result<json::value> me(identity::Service& ids, const identity::Principal& p) {
    json::object o{{"id", p.account_id}, {"login", p.login}, {"display_name", p.display_name},
                   {"kind", identity::kind_name(p.kind)}, {"lang", i18n::code(p.lang)}};
    if (p.administration_id) {
        auto a = ids.get_administration(*p.administration_id);
        if (!a) return a.error();
        o["administration"] = json::object{{"code", a->code}, {"name", names(a->name_ar, a->name_fr)}};
    }
    json::array roles;
    for (const auto& m : p.memberships) {
        json::object r{{"role", identity::role_name(m.role)}};
        r["unit_id"] = m.unit_id ? json::value(*m.unit_id) : json::value(nullptr);
        roles.push_back(std::move(r));
    }
    o["roles"] = std::move(roles);
    return json::value(std::move(o));
}

Result<json::value> create_unit(identity::Service& ids, const http::Request& req, const identity::Principal& p) {
    auto scope = staff_scope(p);
    if (!scope) return scope.error();
    if (auto s = require_any_role(p, {Role::admin}); !s) return s.error();
    auto body = parse_json_object(req);
    if (!body) return body.error();
    auto code = required_string(*body, "code", 32);
    if (!code) return code.error();
    auto ar = required_string(*body, "name_ar", 200);
    if (!ar) return ar.error();
    auto fr = required_string(*body, "name_fr", 200);
    if (!fr) return fr.error();
    auto parent = optional_int(*body, "parent_id");
    if (!parent) return parent.error();
    auto u = ids.create_unit(*scope, identity::NewUnit{*code, *ar, *fr, *parent});
    if (!u) return u.error();
    return json::value(unit_json(*u));
}

}  // namespace

void register_v1(http::Router& r, identity::Service& ids) {
    r.get("/api/v1/administrations", [&ids](http::Request& req) -> http::Response {
        auto list = ids.list_administrations();
        if (!list) return error_response(list.error());
        // ?q= searches the Arabic and French names and the code (vowels, hamza forms, case and accents ignored).
        const std::string q = req.query_param("q").value_or("");
        if (q.size() > 200) return error_response(errors::bad_request("q is too long"));
        json::array a;
        for (const auto& adm : *list) {
            if (!q.empty() && !text::search_matches(adm.name_ar, q) && !text::search_matches(adm.name_fr, q) &&
                !text::search_matches(adm.code, q))
                continue;
            a.push_back(json::object{{"code", adm.code}, {"name", names(adm.name_ar, adm.name_fr)}});
        }
        return json_response(200, json::object{{"administrations", std::move(a)}});
    });

    r.get("/api/v1/me", authed(ids, [&ids](http::Request&, const identity::Principal& p) { return me(ids, p); }));

    r.get("/api/v1/units", authed(ids, [&ids](http::Request&, const identity::Principal& p) -> Result<json::value> {
        auto scope = staff_scope(p);
        if (!scope) return scope.error();
        auto units = ids.list_units(*scope);
        if (!units) return units.error();
        json::array a;
        for (const auto& u : *units) a.push_back(unit_json(u));
        return json::value(json::object{{"units", std::move(a)}});
    }));

    r.get("/api/v1/units/{id}", authed(ids, [&ids](http::Request& req, const identity::Principal& p) -> Result<json::value> {
        auto scope = staff_scope(p);
        if (!scope) return scope.error();
        auto id = id_or_not_found(req.param("id"));
        if (!id) return id.error();
        auto u = ids.get_unit(*scope, *id);
        if (!u) return u.error();
        return json::value(unit_json(*u));
    }));

    r.post("/api/v1/units", authed(ids, [&ids](http::Request& req, const identity::Principal& p) {
        return create_unit(ids, req, p);
    }));

    r.get("/api/v1/staff", authed(ids, [&ids](http::Request&, const identity::Principal& p) -> Result<json::value> {
        auto scope = staff_scope(p);
        if (!scope) return scope.error();
        if (auto s = require_any_role(p, {Role::admin, Role::unit_head}); !s) return s.error();
        auto staff = ids.list_staff(*scope);
        if (!staff) return staff.error();
        json::array a;
        for (const auto& s : *staff) {
            json::array roles;
            for (const auto& m : s.memberships) roles.push_back(json::string(identity::role_name(m.role)));
            a.push_back(json::object{{"id", s.account_id}, {"login", s.login}, {"display_name", s.display_name},
                                     {"roles", std::move(roles)}});
        }
        return json::value(json::object{{"staff", std::move(a)}});
    }));
}

}  // namespace idara::api
