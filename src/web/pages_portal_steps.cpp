// The journey's question pages and consent pages (portal_pages.hpp):
//
//   GET|POST /applications/{id}/steps/{step}
//       One page of questions (Step::fields that are asked: fields a lookup fills are never
//       inputs), each by its widget with label, hint and error linked through aria-describedby.
//       POST saves the step (ApplicationService::answer): problems re-render the page with the
//       GOV.UK error summary and the typed values (400); else 303 to where the journey continues
//       (the check page once everything is done, so "Change" comes back to it).
//   GET|POST /applications/{id}/lookups/{lookup}
//       Consent: who is asked (Lookup::provider), for what (Lookup::purpose), which answers it
//       fills and which documents it replaces. POST consent=agree|decline (decide_lookup). Agreed:
//       the page shows the data received, read-only, with the provider's name, and a Continue
//       link; declined: 303 onward (the documents page then asks for the replaced documents).
//       application.lookup_not_found (422) and application.exchange_failed (502) re-render the
//       page with the error summary and the way back to the step that asks the looked-up data.
//
// Submitted applications are not edited: their journey pages 303 to /applications/{id}.
#include "web/deposit_form.hpp"
#include "web/format.hpp"
#include "web/portal_view.hpp"
#include "web/registry_view.hpp"

#include <map>

namespace idara::web::portal {
namespace {

using procedures::Widget;

struct Problems {
    std::vector<FieldError> summary;
    Data fields;
    bool any() const { return !summary.empty(); }
    void add(const std::string& field, const std::string& message) { detail::add_error(summary, fields, field, message); }
};

// The data of one field's widget: {name, id, label, hint, value, is_<widget>, options, error}.
Data field_data(i18n::Lang l, const procedures::Field& f, const std::string& value, const std::string* error) {
    Data d;
    d.set("name", f.name);
    d.set("label", f.label.in(l));
    d.set("has_hint", !f.hint.in(l).empty());
    d.set("hint", f.hint.in(l));
    d.set("value", value);
    d.set("has_error", error != nullptr);
    d.set("error", error != nullptr ? *error : std::string());
    std::string describedby = f.hint.in(l).empty() ? std::string() : f.name + "-hint";
    if (error != nullptr) describedby += (describedby.empty() ? "" : " ") + f.name + "-error";
    d.set("has_describedby", !describedby.empty());
    d.set("describedby", describedby);
    d.set("is_" + std::string(procedures::widget_name(f.widget)), true);
    d.set("checked", value == "true");
    Data opts{Data::type::list};
    int n = 0;
    for (const auto& o : f.options) {
        ++n;
        Data it;
        it.set("id", n == 1 ? f.name : f.name + "-" + std::to_string(n));
        it.set("value", o.value);
        it.set("label", o.label.in(l));
        it.set("checked", o.value == value);
        opts.push_back(it);
    }
    d.set("options", opts);
    return d;
}

http::Response render_step(const Visit& v, const Journey& j, const procedures::Step& s,
                           const std::map<std::string, std::string>& values, const Problems& p,
                           const std::map<std::string, std::string>& errors, int status) {
    const auto l = v.lang;
    const auto& pr = j.procedure();
    Data fields{Data::type::list};
    for (const auto& name : s.fields) {
        const auto* f = pr.field(name);
        if (f == nullptr || f->from) continue;
        auto it = values.find(name);
        const std::string value = it != values.end() ? it->second : answer_input(answer_of(j.app, name));
        auto e = errors.find(name);
        Data fd = field_data(l, *f, value, e != errors.end() ? &e->second : nullptr);
        if (f->widget == Widget::administration) {
            // The directory, as a list to choose from (the same select as a fixed list of options).
            auto all = v.ctx.identity.list_administrations();
            if (!all) return error_page(v.req, all.error(), v.ctx);
            Data opts{Data::type::list};
            for (const auto& adm : *all) {
                Data it;
                it.set("value", adm.code);
                it.set("label", detail::pick(l, adm.name_ar, adm.name_fr));
                it.set("checked", adm.code == value);
                opts.push_back(it);
            }
            fd.set("is_select", true);
            fd.set("options", opts);
        }
        fields.push_back(fd);
    }
    int index = 0;
    for (std::size_t i = 0; i < pr.steps.size(); ++i)
        if (pr.steps[i].id == s.id) index = static_cast<int>(i) + 1;
    Data d = p.fields;
    d.set("error_summary", render_error_summary(l, p.summary));
    d.set("procedure_title", pr.title.in(l));
    d.set("title", s.title.in(l));
    d.set("caption", i18n::catalogue().format(l, "web.portal.step.caption",
                                              {{"n", std::to_string(index)}, {"total", std::to_string(pr.steps.size())}}));
    d.set("fields", fields);
    d.set("action", step_href(j.app.id, s.id));
    d.set("single", s.fields.size() == 1);
    return show(v, status, "portal_step", s.title.in(l), d, p.any(), true, "applications");
}

// The draft a page of questions or consent works on, in `out`; or the response to send instead
// (sign-in, an error page, or the application's page once it is no longer a draft).
std::optional<http::Response> open_draft(const Visit& v, const http::Request& r, bool post, std::optional<Journey>& out) {
    if (auto no = refuse(v, post)) return std::move(*no);
    auto j = load(v, r.param("id"));
    if (!j) return detail::error_response(v, j.error());
    if (j->app.state != procedures::State::draft) return http::Response::redirect(app_href(j->app.id));
    out.emplace(std::move(*j));
    return std::nullopt;
}

http::Response step_page(const http::Request& r, const PagesContext& ctx) {
    Visit v = detail::begin(r, ctx);
    const bool post = r.method == http::Method::post;
    std::optional<Journey> j;
    if (auto instead = open_draft(v, r, post, j)) return std::move(*instead);
    const auto* step = j->procedure().step(r.param("step"));
    if (step == nullptr) return detail::error_response(v, {"application.unknown_step", 404, std::string(r.param("step"))});
    if (!post) return render_step(v, *j, *step, {}, {}, {}, 200);

    const auto fields = request_fields(r);
    std::map<std::string, std::string> form;
    for (const auto& name : step->fields) {
        const auto* f = j->procedure().field(name);
        if (f == nullptr || f->from) continue;
        std::string value = fields(name).value_or("");
        if (f->widget == Widget::checkbox) value = value.empty() ? "" : "true";
        form[name] = std::move(value);
    }
    auto problems = ctx.applications->answer(v.session->principal, j->app.id, step->id, form);
    if (!problems) return detail::error_response(v, problems.error());
    if (!problems->empty()) {
        Problems p;
        std::map<std::string, std::string> errors;
        for (const auto& fp : *problems) {
            if (errors.count(fp.field) != 0u) continue;
            const std::string m = problem_message(v.lang, j->procedure().field(fp.field), fp);
            errors[fp.field] = m;
            p.add(fp.field, m);
        }
        return render_step(v, *j, *step, form, p, errors, 400);
    }
    auto again = load(v, j->app.id);
    if (!again) return detail::error_response(v, again.error());
    return http::Response::redirect(next_href(*again));
}

// The step whose answers a lookup's path uses (the step it follows).
const procedures::Step* step_of_lookup(const procedures::Procedure& p, std::string_view lookup) {
    for (const auto& s : p.steps)
        if (s.lookup && *s.lookup == lookup) return &s;
    return nullptr;
}

http::Response render_lookup(const Visit& v, const Journey& j, const procedures::Lookup& lk, const Problems& p,
                             int status) {
    const auto l = v.lang;
    const auto& pr = j.procedure();
    const auto* consent = j.app.consent(lk.id);
    const bool agreed = consent != nullptr && consent->agreed;
    Data fetched{Data::type::list};
    for (const auto& f : pr.fields) {
        if (!f.from || *f.from != lk.id) continue;
        Data it;
        it.set("label", f.label.in(l));
        it.set("value_html", bdi_auto(answer_text(l, f, answer_of(j.app, f.name))));
        fetched.push_back(it);
    }
    Data docs{Data::type::list};
    for (const auto& doc : pr.documents)
        if (doc.fetched_by && *doc.fetched_by == lk.id) docs.push_back(Data(doc.title.in(l)));
    Data d = p.fields;
    d.set("error_summary", render_error_summary(l, p.summary));
    d.set("procedure_title", pr.title.in(l));
    d.set("provider", lk.provider.in(l));
    d.set("purpose", lk.purpose.in(l));
    const std::string ask = i18n::catalogue().format(l, "web.portal.lookup.title", {{"provider", lk.provider.in(l)}});
    const std::string received = i18n::catalogue().format(l, "web.portal.lookup.received", {{"provider", lk.provider.in(l)}});
    d.set("title", ask);
    d.set("received_title", received);
    d.set("fetched", fetched);
    d.set("documents", docs);
    d.set("has_documents", !docs.is_empty_list());
    d.set("agreed", agreed);
    d.set("declined", consent != nullptr && !consent->agreed);
    if (agreed) d.set("agreed_at", format_date_time(from_ms(consent->at_ms), l));
    d.set("action", lookup_href(j.app.id, lk.id));
    d.set("next_href", next_href(j));
    const auto* step = step_of_lookup(pr, lk.id);
    d.set("has_step", step != nullptr);
    if (step != nullptr) d.set("step_href", step_href(j.app.id, step->id));
    return show(v, status, "portal_lookup", agreed ? received : ask, d, p.any(), true, "applications");
}

http::Response lookup_page(const http::Request& r, const PagesContext& ctx) {
    Visit v = detail::begin(r, ctx);
    const bool post = r.method == http::Method::post;
    std::optional<Journey> j;
    if (auto instead = open_draft(v, r, post, j)) return std::move(*instead);
    const auto* lk = j->procedure().lookup(r.param("lookup"));
    if (lk == nullptr) return detail::error_response(v, {"application.unknown_lookup", 404, std::string(r.param("lookup"))});
    if (!post) return render_lookup(v, *j, *lk, {}, 200);

    const std::string choice = request_fields(r)("consent").value_or("");
    if (choice != "agree" && choice != "decline") {
        Problems p;
        p.add("consent", msg(v.lang, "web.portal.lookup.error.choose"));
        return render_lookup(v, *j, *lk, p, 400);
    }
    const bool agree = choice == "agree";
    auto done = ctx.applications->decide_lookup(v.session->principal, j->app.id, lk->id, agree);
    if (!done) {
        const Error& e = done.error();
        if (e.code != "application.lookup_not_found" && e.code != "application.exchange_failed")
            return detail::error_response(v, e);
        Problems p;
        p.add("consent", detail::service_message(v.lang, e));
        return render_lookup(v, *j, *lk, p, e.status);
    }
    j->app = std::move(*done);
    // Agreed: show what was received (read-only) before going on.
    if (agree) return http::Response::redirect(lookup_href(j->app.id, lk->id));
    return http::Response::redirect(next_href(*j));
}

}  // namespace

void register_step_pages(http::Router& router, const PagesContext& ctx) {
    router.get("/applications/{id}/steps/{step}", [ctx](http::Request& r) { return step_page(r, ctx); });
    router.post("/applications/{id}/steps/{step}", [ctx](http::Request& r) { return step_page(r, ctx); });
    router.get("/applications/{id}/lookups/{lookup}", [ctx](http::Request& r) { return lookup_page(r, ctx); });
    router.post("/applications/{id}/lookups/{lookup}", [ctx](http::Request& r) { return lookup_page(r, ctx); });
}

}  // namespace idara::web::portal
