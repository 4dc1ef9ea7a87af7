// The portal's catalogue pages and the applicant's list (portal_pages.hpp):
//
//   GET  /services            by life event (portal.life_event.<code>, in the schema's order), with a
//                             search (q: Arabic normalisation through Catalogue::list) and filters
//                             life_event= and administration= (a GET form: works without JavaScript)
//   GET  /services/{code}     the start page (404 for an unknown code)
//   POST /services/{code}/start   a new draft (ApplicationService::start), 303 to its first page;
//                             staff and operators get the 403 page (application.forbidden)
//   GET  /applications        the applicant's applications, most recent first
//   GET  /applications/{id}   303 to where a draft continues; a submitted one: its summary
//                             (rendered by the check page, pages_portal_check.cpp)
//
// Catalogue pages are public (no-cache); /applications… are personal (no-store).
#include "identity/service.hpp"
#include "web/deposit_form.hpp"
#include "web/format.hpp"
#include "web/lang.hpp"
#include "web/portal_view.hpp"
#include "web/registry_view.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace idara::web::portal {
namespace {

// The life events of procedures/procedure.schema.json, in the order the catalogue shows them.
constexpr std::string_view kLifeEvents[] = {"studies", "business", "innovation", "research", "family",
                                            "civil-status", "work", "housing", "correspondence", "other"};

std::string service_href(std::string_view code) { return "/services/" + http::url_encode(code); }

std::string life_event_label(i18n::Lang l, std::string_view code) {
    return msg_or(l, "portal.life_event." + std::string(code), std::string(code));
}

Data options(const std::vector<std::pair<std::string, std::string>>& items, const std::string& selected,
             const std::string& all_label) {
    Data list{Data::type::list};
    Data all;
    all.set("value", std::string());
    all.set("label", all_label);
    all.set("selected", selected.empty());
    list.push_back(all);
    for (const auto& [value, label] : items) {
        Data o;
        o.set("value", value);
        o.set("label", label);
        o.set("selected", value == selected);
        list.push_back(o);
    }
    return list;
}

http::Response services(const http::Request& r, const PagesContext& ctx) {
    Visit v = detail::begin(r, ctx);
    const auto l = v.lang;
    procedures::CatalogueQuery q;
    q.q = r.query_param("q").value_or("");
    q.life_event = r.query_param("life_event").value_or("");
    q.administration = r.query_param("administration").value_or("");
    auto found = ctx.catalogue->list(q);
    if (!found) return detail::error_response(v, found.error());
    // The filters offer what the whole catalogue has.
    auto all = ctx.catalogue->list({});
    if (!all) return detail::error_response(v, all.error());
    std::map<std::string, std::string> admins;
    std::set<std::string> events;
    for (const auto& p : *all) {
        admins[p.procedure->administration] = detail::pick(l, p.administration_name_ar, p.administration_name_fr);
        for (const auto& e : p.procedure->life_events) events.insert(e);
    }
    std::vector<std::pair<std::string, std::string>> admin_items(admins.begin(), admins.end());
    std::sort(admin_items.begin(), admin_items.end(), [](const auto& a, const auto& b) { return a.second < b.second; });
    std::vector<std::pair<std::string, std::string>> event_items;
    for (auto e : kLifeEvents)
        if (events.count(std::string(e)) != 0u) event_items.emplace_back(std::string(e), life_event_label(l, e));

    Data groups{Data::type::list};
    int shown = 0;
    std::set<std::string> counted;
    for (auto e : kLifeEvents) {
        if (!q.life_event.empty() && q.life_event != e) continue;
        Data items{Data::type::list};
        for (const auto& p : *found) {
            const auto& pr = *p.procedure;
            if (std::find(pr.life_events.begin(), pr.life_events.end(), e) == pr.life_events.end()) continue;
            Data it;
            it.set("href", service_href(pr.code));
            it.set("title", pr.title.in(l));
            it.set("summary", pr.summary.in(l));
            it.set("administration", detail::pick(l, p.administration_name_ar, p.administration_name_fr));
            items.push_back(it);
            counted.insert(pr.code);
        }
        if (items.is_empty_list()) continue;
        Data g;
        g.set("id", "event-" + std::string(e));
        g.set("heading", life_event_label(l, e));
        g.set("items", items);
        groups.push_back(g);
    }
    shown = static_cast<int>(counted.size());
    Data d;
    d.set("q", q.q);
    d.set("events", options(event_items, q.life_event, msg(l, "web.portal.services.all_events")));
    d.set("administrations", options(admin_items, q.administration, msg(l, "web.portal.services.all_administrations")));
    d.set("groups", groups);
    d.set("has_results", shown > 0);
    d.set("filtered", !q.q.empty() || !q.life_event.empty() || !q.administration.empty());
    d.set("results_text", i18n::catalogue().format(l, "web.portal.services.results", {{"count", std::to_string(shown)}}));
    return show(v, 200, "portal_services", msg(l, "web.portal.services.title"), d, false, false, "services");
}

bool may_apply(const identity::Principal* p) {
    return p != nullptr && (p->kind == identity::AccountKind::citizen || p->kind == identity::AccountKind::company);
}

http::Response start_page(const http::Request& r, const PagesContext& ctx) {
    Visit v = detail::begin(r, ctx);
    const auto l = v.lang;
    auto pub = ctx.catalogue->current(r.param("code"));
    if (!pub) return detail::error_response(v, pub.error());
    const auto& p = *pub->procedure;
    Data d;
    d.set("code", p.code);
    d.set("title", p.title.in(l));
    d.set("summary", p.summary.in(l));
    d.set("audience", p.audience.in(l));
    d.set("legal_basis", p.legal_basis.in(l));
    d.set("cost", p.cost.in(l));
    d.set("has_fee", p.fee.has_value());
    if (p.fee) {
        d.set("fee_label", p.fee->label.in(l));
        d.set("fee_html", fee_html(*p.fee));
    }
    d.set("deadline", deadline_text(l, p));
    d.set("silence", silence_text(l, p));
    d.set("administration", detail::pick(l, pub->administration_name_ar, pub->administration_name_fr));
    d.set("has_unit", p.unit.has_value());
    if (p.unit) {
        std::string unit_name = *p.unit;
        if (auto adm = ctx.identity.find_administration(p.administration)) {
            // Public directory data of the procedure's own administration (not request data).
            if (auto u = ctx.identity.find_unit(identity::TenantScope::trusted(adm->id), *p.unit))
                unit_name = detail::pick(l, u->name_ar, u->name_fr);
        }
        d.set("unit", unit_name);
    }
    d.set("has_window", p.window.has_value());
    if (p.window) {
        d.set("window_text", i18n::catalogue().format(l, "web.portal.start.window_text",
                                                      {{"opens", p.window->opens_on}, {"closes", p.window->closes_on}}));
    }
    Data docs{Data::type::list};
    for (const auto& doc : p.documents) {
        Data it;
        it.set("title", doc.title.in(l));
        it.set("optional", !doc.required);
        const auto* lk = doc.fetched_by ? p.lookup(*doc.fetched_by) : nullptr;
        it.set("fetched", lk != nullptr);
        if (lk != nullptr)
            it.set("fetched_text", i18n::catalogue().format(l, "web.portal.start.fetched",
                                                            {{"provider", lk->provider.in(l)}}));
        docs.push_back(it);
    }
    d.set("documents", docs);
    d.set("has_documents", !p.documents.empty());
    Data events{Data::type::list};
    for (const auto& e : p.life_events) events.push_back(Data(life_event_label(l, e)));
    d.set("life_events", events);
    d.set("can_apply", may_apply(v.principal()));
    // Assisted filing (portal_assisted.hpp): agents file on behalf of a citizen at their desk.
    d.set("can_assist", v.principal() != nullptr && procedures::ApplicationService::may_assist(*v.principal()));
    d.set("assisted_href", service_href(p.code) + "/assisted");
    d.set("anonymous", v.principal() == nullptr);
    d.set("login_href", "/login?next=" + http::url_encode(service_href(p.code)));
    d.set("start_action", service_href(p.code) + "/start");
    // The public directory of granted applications (evaluation_pages.hpp), when the file has one.
    const bool directory = ctx.evaluation != nullptr && p.evaluation && p.evaluation->directory;
    d.set("has_directory", directory);
    if (directory) {
        d.set("directory_href", service_href(p.code) + "/directory");
        d.set("directory_title", p.evaluation->directory->title.in(l));
    }
    return show(v, 200, "portal_start", p.title.in(l), d, false, false, "services");
}

http::Response start(const http::Request& r, const PagesContext& ctx) {
    Visit v = detail::begin(r, ctx);
    if (!v.session) return http::Response::redirect("/login?next=" + http::url_encode(service_href(r.param("code"))));
    if (auto no = refuse(v, true)) return std::move(*no);
    auto app = ctx.applications->start(v.session->principal, r.param("code"));
    if (!app) return detail::error_response(v, app.error());
    auto pub = ctx.applications->procedure_of(*app);
    if (!pub) return detail::error_response(v, pub.error());
    return http::Response::redirect(next_href(Journey{std::move(*app), std::move(*pub)}));
}

http::Response mine(const http::Request& r, const PagesContext& ctx) {
    Visit v = detail::begin(r, ctx);
    if (auto no = refuse(v, false)) return std::move(*no);
    const auto l = v.lang;
    auto list = ctx.applications->list_mine(v.session->principal);
    if (!list) return detail::error_response(v, list.error());
    Data rows{Data::type::list};
    for (const auto& a : *list) {
        Data row;
        row.set("href", app_href(a.id));
        row.set("title", a.title.in(l));
        // Assisted filing: for whom; the single missing-documents request: where to complete.
        row.set("has_assisted", a.assisted_name.has_value());
        if (a.assisted_name)
            row.set("assisted_for", i18n::catalogue().format(l, "web.assisted.mine.for", {{"name", *a.assisted_name}}));
        const bool missing = a.entry_state == "missing_documents" && a.register_number;
        row.set("documents_requested", missing);
        if (missing) row.set("complete_href", "/deposits/" + http::url_encode(*a.register_number));
        row.set("state_html", state_tag(l, a.state));
        row.set("number_html", a.register_number ? bdi_ltr(*a.register_number) : std::string());
        row.set("updated", format_date_time(from_ms(a.updated_at_ms), l));
        row.set("action", msg(l, a.state == procedures::State::draft ? "web.portal.mine.resume" : "web.portal.mine.view"));
        rows.push_back(row);
    }
    Data d;
    d.set("rows", rows);
    d.set("has_rows", !list->empty());
    return show(v, 200, "portal_applications", msg(l, "web.portal.mine.title"), d, false, true, "applications");
}

}  // namespace

void register_catalogue_pages(http::Router& router, const PagesContext& ctx) {
    router.get("/services", [ctx](http::Request& r) { return services(r, ctx); });
    router.get("/services/{code}", [ctx](http::Request& r) { return start_page(r, ctx); });
    router.post("/services/{code}/start", [ctx](http::Request& r) { return start(r, ctx); });
    router.get("/applications", [ctx](http::Request& r) { return mine(r, ctx); });
}

}  // namespace idara::web::portal
