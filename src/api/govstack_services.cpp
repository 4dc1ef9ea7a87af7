// GovStack "Available Services": the catalogue of procedures and their e-forms.
//   GET /api/govstack/services[?name=]             current versions (name: catalogue search)
//   GET /api/govstack/services/{serviceId}         one service
//   GET /api/govstack/services/{serviceId}/eForms  every version of its form, newest first
//   GET /api/govstack/eForms/{eFormId}             one version's form: JSON Schema and steps
// Public: the catalogue is public in idara; a token, when sent, only chooses the language.
#include "api/govstack_common.hpp"

#include "api/auth.hpp"
#include "api/json_io.hpp"
#include "identity/service.hpp"
#include "procedures/catalogue.hpp"

#include <boost/json.hpp>

namespace idara::api::govstack {

namespace json = boost::json;
using procedures::Published;

namespace {

// The caller's language: the account's when authenticated, else Accept-Language, else Arabic.
i18n::Lang lang_of(const http::Request& req, identity::Service& ids) {
    if (req.header("Authorization"))
        if (auto who = authenticate(req, ids)) return who->lang;
    auto al = std::string(req.header("Accept-Language").value_or(""));
    if (al.rfind("fr", 0) == 0) return i18n::Lang::fr;
    return i18n::Lang::ar;
}

json::object text_json(const procedures::Text& t) { return {{"ar", t.ar}, {"fr", t.fr}}; }

json::object service_json(const Published& pub, i18n::Lang lang) {
    const auto& p = *pub.procedure;
    json::array body;
    auto add = [&](std::string_view code, std::string value) {
        body.push_back(json::object{{"code", code}, {"value", std::move(value)}});
    };
    add("administration", p.administration);
    add("administrationName", lang == i18n::Lang::ar ? pub.administration_name_ar : pub.administration_name_fr);
    add("audience", p.audience.in(lang));
    add("cost", p.cost.in(lang));
    add("legalBasis", p.legal_basis.in(lang));
    add("deadlineDays", std::to_string(p.deadline_days));
    add("workingDays", p.working_days ? "true" : "false");
    add("silence", p.silence == procedures::Silence::approval ? "approval" : "rejection");
    for (const auto& e : p.life_events) add("lifeEvent", e);
    for (const auto* d : p.uploads()) add("document", d->code);
    if (p.fee) add("feeCentimes", std::to_string(p.fee->amount_centimes));
    if (p.window) {
        add("opensOn", p.window->opens_on);
        add("closesOn", p.window->closes_on);
    }
    return json::object{{"id", p.code},
                        {"name", p.title.in(lang)},
                        {"version", std::to_string(p.version)},
                        {"type", "Public"},
                        {"isExecutable", true},
                        {"isClosed", false},
                        {"description", p.summary.in(lang)},
                        {"eFormId", eform_id(p.code, p.version)},
                        {"title", text_json(p.title)},
                        {"serviceBody", std::move(body)}};
}

json::object eform_item(const procedures::Procedure& p, bool latest, i18n::Lang lang) {
    return json::object{{"eFormId", eform_id(p.code, p.version)},
                        {"name", p.title.in(lang)},
                        {"description", p.summary.in(lang)},
                        {"version", std::to_string(p.version)},
                        {"latest", latest}};
}

json::object eform_json(const procedures::Procedure& p, bool latest, i18n::Lang lang) {
    auto o = eform_item(p, latest, lang);
    o["schema"] = json::parse(p.form_schema);
    json::array steps;
    for (const auto& s : p.steps) {
        json::array fields;
        for (const auto& f : s.fields) fields.push_back(json::value(f));
        json::object step{{"id", s.id}, {"title", text_json(s.title)}, {"fields", std::move(fields)}};
        if (s.lookup) step["lookup"] = *s.lookup;
        steps.push_back(std::move(step));
    }
    o["steps"] = std::move(steps);
    json::object fields;
    for (const auto& f : p.fields) {
        json::object fo{{"label", text_json(f.label)}, {"widget", procedures::widget_name(f.widget)}};
        if (f.from) fo["filledBy"] = *f.from;
        fields[f.name] = std::move(fo);
    }
    o["fields"] = std::move(fields);
    json::array lookups;
    for (const auto& l : p.lookups)
        lookups.push_back(json::object{{"id", l.id}, {"provider", text_json(l.provider)}, {"purpose", text_json(l.purpose)}});
    o["lookups"] = std::move(lookups);
    json::array docs;
    for (const auto& d : p.documents) {
        json::object dj{{"code", d.code}, {"title", text_json(d.title)}, {"required", d.required}};
        if (d.fetched_by) dj["fetchedBy"] = *d.fetched_by;
        docs.push_back(std::move(dj));
    }
    o["documents"] = std::move(docs);
    return o;
}

}  // namespace

void register_services(http::Router& r, const GovStackApi& api) {
    r.get("/api/govstack/services", [api](http::Request& req) -> http::Response {
        procedures::CatalogueQuery q;
        q.q = req.query_param("name").value_or("");
        if (q.q.size() > 200) return error_response(errors::bad_request("name is too long"));
        auto list = api.catalogue.list(q);
        if (!list) return error_response(list.error());
        const auto lang = lang_of(req, api.identity);
        json::array a;
        for (const auto& p : *list) a.push_back(service_json(p, lang));
        return json_response(200, a);
    });

    r.get("/api/govstack/services/{serviceId}", [api](http::Request& req) -> http::Response {
        auto p = api.catalogue.current(req.param("serviceId"));
        if (!p) return error_response(p.error());
        return json_response(200, service_json(*p, lang_of(req, api.identity)));
    });

    r.get("/api/govstack/services/{serviceId}/eForms", [api](http::Request& req) -> http::Response {
        auto versions = api.catalogue.versions(req.param("serviceId"));
        if (!versions) return error_response(versions.error());
        if (versions->empty()) return error_response(errors::not_found("service"));
        const auto lang = lang_of(req, api.identity);
        json::array a;
        bool first = true;
        for (const auto& v : *versions) {
            a.push_back(eform_item(*v.procedure, first, lang));
            first = false;
        }
        return json_response(200, a);
    });

    r.get("/api/govstack/eForms/{eFormId}", [api](http::Request& req) -> http::Response {
        auto id = parse_eform_id(req.param("eFormId"));
        if (!id) return error_response(errors::not_found("e-form"));
        auto p = api.catalogue.version(id->first, id->second);
        if (!p) return error_response(p.error());
        auto cur = api.catalogue.current(id->first);
        if (!cur) return error_response(cur.error());
        const bool latest = cur->procedure->version == p->procedure->version;
        return json_response(200, eform_json(*p->procedure, latest, lang_of(req, api.identity)));
    });
}

}  // namespace idara::api::govstack
