// The end of the journey (portal_pages.hpp):
//
//   GET  /applications/{id}        a draft: 303 to where it continues; submitted: its summary
//                                  (the answers as on the check page, read-only, with the register
//                                  number and the receipt link)
//   GET  /applications/{id}/check  check your answers: a summary list per step with "Change" links
//                                  to /applications/{id}/steps/{step}; the data received through
//                                  the exchange, read-only, under the provider's name; declined
//                                  lookups (Change: the consent page); the documents (Change: the
//                                  documents page); the declaration and "Submit"
//   POST /applications/{id}/submit registers (ApplicationService::submit): 200 with the confirmation
//                                  (register number, the tracking code shown this once, links to
//                                  /deposits/{number}/receipt.pdf and /deposits/{number}),
//                                  Cache-Control: no-store; an error re-renders the check page with
//                                  the error summary and the service's status
//
// register_portal_pages (portal_pages.hpp) is here too.
#include "web/portal_pages.hpp"

#include "web/deposit_form.hpp"
#include "web/format.hpp"
#include "web/portal_view.hpp"
#include "web/registry_view.hpp"

namespace idara::web::portal {
namespace {

std::string entry_href(std::string_view number) { return "/deposits/" + http::url_encode(number); }

Data row(const std::string& label, const std::string& value_html, const std::string& change_href,
         const std::string& change_label) {
    Data r;
    r.set("label", label);
    r.set("value_html", value_html);
    r.set("has_change", !change_href.empty());
    r.set("change_href", change_href);
    r.set("change_label", change_label);
    return r;
}

std::string value_html(i18n::Lang l, const std::string& text) {
    return text.empty() ? html_escape(msg(l, "web.portal.check.not_answered")) : bdi_auto(text);
}

// The summary lists of an application (check page and submitted summary).
Data summary_data(const Visit& v, const Journey& j, bool editable) {
    const auto l = v.lang;
    const auto& pr = j.procedure();
    const auto& a = j.app;
    const std::string& change = msg(l, "web.portal.check.change");
    Data sections{Data::type::list};
    for (const auto& s : pr.steps) {
        Data rows{Data::type::list};
        for (const auto& name : s.fields) {
            const auto* f = pr.field(name);
            if (f == nullptr || f->from) continue;
            rows.push_back(row(f->label.in(l), value_html(l, answer_text(l, *f, answer_of(a, name))),
                               editable ? step_href(a.id, s.id) : std::string(), change));
        }
        if (rows.is_empty_list()) continue;
        Data sec;
        sec.set("heading", s.title.in(l));
        sec.set("rows", rows);
        sections.push_back(sec);
    }
    for (const auto& lk : pr.lookups) {
        const auto* c = a.consent(lk.id);
        if (c == nullptr) continue;
        Data rows{Data::type::list};
        Data sec;
        if (c->agreed) {
            sec.set("heading", i18n::catalogue().format(l, "web.portal.lookup.received", {{"provider", lk.provider.in(l)}}));
            sec.set("fetched", true);
            for (const auto& f : pr.fields)
                if (f.from && *f.from == lk.id)
                    rows.push_back(row(f.label.in(l), value_html(l, answer_text(l, f, answer_of(a, f.name))), {}, {}));
        } else {
            sec.set("heading", i18n::catalogue().format(l, "web.portal.lookup.title", {{"provider", lk.provider.in(l)}}));
            rows.push_back(row(msg(l, "web.portal.check.consent"), html_escape(msg(l, "web.portal.check.declined")),
                               editable ? lookup_href(a.id, lk.id) : std::string(), change));
        }
        sec.set("rows", rows);
        sections.push_back(sec);
    }
    Data docs{Data::type::list};
    for (const auto& doc : pr.documents) {
        const auto* c = doc.fetched_by ? a.consent(*doc.fetched_by) : nullptr;
        const auto* lk = doc.fetched_by ? pr.lookup(*doc.fetched_by) : nullptr;
        if (c != nullptr && c->agreed && lk != nullptr) {
            docs.push_back(row(doc.title.in(l),
                               html_escape(i18n::catalogue().format(l, "web.portal.check.fetched_from", {{"provider", lk->provider.in(l)}})),
                               {}, {}));
            continue;
        }
        const auto* stored = a.document(doc.code);
        if (stored == nullptr && !doc.required) continue;
        docs.push_back(row(doc.title.in(l),
                           stored ? bdi_auto(stored->name) + " " + bdi_ltr(format_size(stored->size))
                                  : html_escape(msg(l, "web.portal.check.not_answered")),
                           editable ? app_href(a.id) + "/documents" : std::string(), change));
    }
    Data d;
    d.set("procedure_title", pr.title.in(l));
    d.set("sections", sections);
    d.set("documents", docs);
    d.set("has_documents", !docs.is_empty_list());
    d.set("editable", editable);
    d.set("submit_action", app_href(a.id) + "/submit");
    d.set("submitted", a.register_number.has_value());
    if (a.register_number) {
        d.set("number_html", bdi_ltr(*a.register_number));
        d.set("entry_href", entry_href(*a.register_number));
        d.set("receipt_href", entry_href(*a.register_number) + "/receipt.pdf");
    }
    d.set("state_html", state_tag(l, a.state));
    return d;
}

http::Response render_check(const Visit& v, const Journey& j, const std::vector<FieldError>& summary, int status) {
    const bool editable = j.app.state == procedures::State::draft;
    Data d = summary_data(v, j, editable);
    d.set("error_summary", render_error_summary(v.lang, summary));
    const std::string title = msg(v.lang, editable ? "web.portal.check.title" : "web.portal.summary.title");
    return show(v, status, "portal_check", title, d, !summary.empty(), true, "applications");
}

http::Response application(const http::Request& r, const PagesContext& ctx) {
    Visit v = detail::begin(r, ctx);
    if (auto no = refuse(v, false)) return std::move(*no);
    auto j = load(v, r.param("id"));
    if (!j) return detail::error_response(v, j.error());
    if (j->app.state == procedures::State::draft) return http::Response::redirect(next_href(*j));
    return render_check(v, *j, {}, 200);
}

http::Response check(const http::Request& r, const PagesContext& ctx) {
    Visit v = detail::begin(r, ctx);
    if (auto no = refuse(v, false)) return std::move(*no);
    auto j = load(v, r.param("id"));
    if (!j) return detail::error_response(v, j.error());
    if (j->app.state != procedures::State::draft) return http::Response::redirect(app_href(j->app.id));
    return render_check(v, *j, {}, 200);
}

http::Response submit(const http::Request& r, const PagesContext& ctx) {
    Visit v = detail::begin(r, ctx);
    if (auto no = refuse(v, true)) return std::move(*no);
    auto j = load(v, r.param("id"));
    if (!j) return detail::error_response(v, j.error());
    auto done = ctx.applications->submit(v.session->principal, j->app.id);
    if (!done) {
        const Error& e = done.error();
        if (e.status >= 500 || e.status == 403 || e.status == 404 || e.status == 429) return detail::error_response(v, e);
        auto again = load(v, j->app.id);
        if (!again) return detail::error_response(v, again.error());
        std::vector<FieldError> summary{{"declaration", detail::service_message(v.lang, e)}};
        return render_check(v, *again, summary, e.status);
    }
    const auto l = v.lang;
    const auto& pr = j->procedure();
    Data d;
    d.set("procedure_title", pr.title.in(l));
    d.set("number_html", bdi_ltr(done->register_number));
    d.set("has_tracking", !done->tracking_code.empty());
    d.set("tracking_html", bdi_ltr(done->tracking_code));
    d.set("registered_at", format_date_time(from_ms(done->registered_at_ms), l));
    d.set("administration", detail::pick(l, j->pub.administration_name_ar, j->pub.administration_name_fr));
    d.set("deadline", deadline_text(l, pr));
    d.set("silence", silence_text(l, pr));
    d.set("entry_href", entry_href(done->register_number));
    d.set("receipt_href", entry_href(done->register_number) + "/receipt.pdf");
    d.set("application_href", app_href(j->app.id));
    return show(v, 200, "portal_done", msg(l, "web.portal.done.title"), d, false, true, "applications");
}

}  // namespace

void register_check_pages(http::Router& router, const PagesContext& ctx) {
    router.get("/applications/{id}", [ctx](http::Request& r) { return application(r, ctx); });
    router.get("/applications/{id}/check", [ctx](http::Request& r) { return check(r, ctx); });
    router.post("/applications/{id}/submit", [ctx](http::Request& r) { return submit(r, ctx); });
}

}  // namespace idara::web::portal

namespace idara::web {

void register_portal_pages(http::Router& router, const PagesContext& ctx) {
    portal::register_catalogue_pages(router, ctx);
    portal::register_step_pages(router, ctx);
    portal::register_document_pages(router, ctx);
    portal::register_check_pages(router, ctx);
}

}  // namespace idara::web
