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
// Payments (procedures/payments.hpp), when the ApplicationService has a PaymentService:
//   POST /applications/{id}/submit of a procedure with a fee starts the payment (the draft is
//                                  frozen, awaiting_payment) and 303s to its checkout URL
//   GET|POST /payments/sandbox/{ref}  the sandbox's checkout (no real money; test cards): the
//                                  applicant pays; paid: the confirmation as after submit, with the
//                                  payment receipt link; declined: the check page again (draft, 402)
//                                  with the reason; another card number: 400 with the hint
//   GET  /applications/{id}/payment-receipt.pdf  the sealed payment receipt (the applicant only)
//
// Scored questionnaires (procedures/scoring.hpp): the summary and the confirmation of a submitted
// application show its score (overall percentage, level, each dimension) and link its report:
//   GET  /applications/{id}/report.pdf  the bilingual report with charts: the applicant (get), or
//                                  staff of the administration that received it (get_received);
//                                  anyone else 404; a procedure without scoring 404; not submitted
//                                  409 application.invalid_state; attachment, Cache-Control: no-store
// With PagesContext::evaluation, the summary also shows the outcome of an effective decision
// (EvaluationService::outcome_of) and links the signed decision.
//
// register_portal_pages (portal_pages.hpp) is here too.
#include "web/portal_pages.hpp"

#include "web/deposit_form.hpp"
#include "web/format.hpp"
#include "web/portal_assisted.hpp"
#include "web/portal_view.hpp"
#include "web/registry_view.hpp"

#include "procedures/payments.hpp"

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
    d.set("score_html", score_html(v, j, a.state == procedures::State::submitted));
    d.set("outcome_html", outcome_html(v, j));
    // The single missing-documents request (helper E): the applicant completes on the entry's page.
    d.set("documents_requested", a.entry_state == "missing_documents" && a.register_number.has_value());
    // The payment: a link to the checkout while awaiting it, to the receipt once paid.
    if (auto* pay = v.ctx.applications->payments(); pay != nullptr && j.procedure().fee && !editable) {
        if (auto p = pay->current(v.session->principal, a.id)) {
            d.set("awaiting_payment", a.state == procedures::State::awaiting_payment && p->state == procedures::PaymentState::pending);
            d.set("checkout_href", p->checkout_url);
            d.set("paid", p->state == procedures::PaymentState::paid);
            d.set("payment_receipt_href", app_href(a.id) + "/payment-receipt.pdf");
        }
    }
    return d;
}

http::Response render_check(const Visit& v, const Journey& j, const std::vector<FieldError>& summary, int status,
                            std::string_view summary_title_key = {}) {
    const bool editable = j.app.state == procedures::State::draft;
    Data d = summary_data(v, j, editable);
    d.set("error_summary", render_error_summary(v.lang, summary, summary_title_key));
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

// A refused submission or payment: the check page again with the service's message (the error
// page for server errors, 403, 404 and 429).
http::Response refused(const Visit& v, const std::string& id, const Error& e) {
    if (e.status >= 500 || e.status == 403 || e.status == 404 || e.status == 429) return detail::error_response(v, e);
    auto again = load(v, id);
    if (!again) return detail::error_response(v, again.error());
    std::vector<FieldError> summary{{"declaration", detail::service_message(v.lang, e)}};
    return render_check(v, *again, summary, e.status);
}

// The confirmation: register number, tracking code (shown once), receipt; after a payment, the
// payment receipt too.
http::Response render_done(const Visit& v, const Journey& j, const procedures::Submitted& done, bool paid) {
    const auto l = v.lang;
    const auto& pr = j.procedure();
    Data d;
    d.set("paid", paid);
    d.set("payment_receipt_href", app_href(j.app.id) + "/payment-receipt.pdf");
    d.set("procedure_title", pr.title.in(l));
    d.set("number_html", bdi_ltr(done.register_number));
    d.set("has_tracking", !done.tracking_code.empty());
    d.set("tracking_html", bdi_ltr(done.tracking_code));
    d.set("registered_at", format_date_time(from_ms(done.registered_at_ms), l));
    d.set("administration", detail::pick(l, j.pub.administration_name_ar, j.pub.administration_name_fr));
    // A letter: the administration the applicant chose (the catalogue only says "of your choice").
    if (pr.administration_field)
        if (const auto* code = j.app.answers.if_contains(*pr.administration_field); code && code->is_string())
            if (auto all = v.ctx.identity.list_administrations())
                for (const auto& adm : *all)
                    if (adm.code == code->as_string()) d.set("administration", detail::pick(l, adm.name_ar, adm.name_fr));
    d.set("deadline", deadline_text(l, pr));
    d.set("silence", silence_text(l, pr));
    d.set("entry_href", entry_href(done.register_number));
    d.set("receipt_href", entry_href(done.register_number) + "/receipt.pdf");
    d.set("application_href", app_href(j.app.id));
    d.set("score_html", score_html(v, j, true));
    return show(v, 200, "portal_done", msg(l, "web.portal.done.title"), d, false, true, "applications");
}

http::Response submit(const http::Request& r, const PagesContext& ctx) {
    Visit v = detail::begin(r, ctx);
    if (auto no = refuse(v, true)) return std::move(*no);
    auto j = load(v, r.param("id"));
    if (!j) return detail::error_response(v, j.error());
    auto* payments = ctx.applications->payments();
    if (payments != nullptr && j->procedure().fee) {
        auto pay = payments->start(v.session->principal, j->app.id);
        if (!pay) return refused(v, j->app.id, pay.error());
        return http::Response::redirect(pay->checkout_url);
    }
    auto done = ctx.applications->submit(v.session->principal, j->app.id);
    if (!done) return refused(v, j->app.id, done.error());
    return render_done(v, *j, *done, false);
}

// The sandbox's checkout page: the amount, the reference, the test cards, the card form.
http::Response render_sandbox(const Visit& v, const Journey& j, const procedures::SandboxCheckout& c, const std::string& error,
                              int status) {
    const auto l = v.lang;
    Data d;
    d.set("procedure_title", j.procedure().title.in(l));
    d.set("fee_label", j.procedure().fee ? j.procedure().fee->label.in(l) : std::string());
    d.set("amount_html", bdi_ltr(procedures::format_amount(c.amount_centimes, c.currency)));
    d.set("reference_html", bdi_ltr(c.reference));
    d.set("action", "/payments/sandbox/" + http::url_encode(c.ref));
    d.set("has_error", !error.empty());
    d.set("error", error);
    d.set("check_href", app_href(j.app.id));
    std::vector<FieldError> errors;
    if (!error.empty()) errors.push_back({"card", error});
    d.set("error_summary", render_error_summary(l, errors));
    return show(v, status, "portal_payment", msg(l, "web.payment.title"), d, !error.empty(), true, "applications");
}

http::Response sandbox(const http::Request& r, const PagesContext& ctx) {
    Visit v = detail::begin(r, ctx);
    const bool post = r.method == http::Method::post;
    if (auto no = refuse(v, post)) return std::move(*no);
    auto* payments = ctx.applications->payments();
    auto* box = payments ? dynamic_cast<procedures::SandboxPaymentProvider*>(&payments->provider()) : nullptr;
    if (box == nullptr) return detail::error_response(v, errors::not_found("sandbox"));
    const std::string ref(r.param("ref"));
    auto id = payments->application_of(v.session->principal, ref);  // the applicant only
    if (!id) return detail::error_response(v, id.error());
    auto j = load(v, *id);
    if (!j) return detail::error_response(v, j.error());
    auto c = box->checkout(ref);
    if (!c) return detail::error_response(v, c.error());
    if (c->state != procedures::PaymentState::pending) return http::Response::redirect(app_href(j->app.id));
    if (!post) return render_sandbox(v, *j, *c, {}, 200);

    const auto fields = request_fields(r);
    auto paid = box->pay(ref, fields("card").value_or(""));
    if (!paid) {
        if (paid.error().code == "payment.card_invalid")
            return render_sandbox(v, *j, *c, detail::service_message(v.lang, paid.error()), paid.error().status);
        return detail::error_response(v, paid.error());
    }
    auto s = payments->settle(v.session->principal, j->app.id);
    if (!s) return refused(v, j->app.id, s.error());
    if (s->state == procedures::PaymentState::failed) {
        auto again = load(v, j->app.id);
        if (!again) return detail::error_response(v, again.error());
        return render_check(v, *again, {{"declaration", msg(v.lang, "web.payment.declined")}}, 402, "web.payment.declined_title");
    }
    if (!s->submitted) return http::Response::redirect(app_href(j->app.id));
    return render_done(v, *j, *s->submitted, true);
}

http::Response payment_receipt(const http::Request& r, const PagesContext& ctx) {
    Visit v = detail::begin(r, ctx);
    if (!v.session) return detail::to_login(r);
    auto* payments = ctx.applications->payments();
    if (payments == nullptr) return detail::error_response(v, errors::not_found("payment"));
    auto pdf = payments->receipt_pdf(v.session->principal, r.param("id"));
    if (!pdf) return detail::error_response(v, pdf.error());
    auto res = http::Response::text(200, std::move(*pdf), "application/pdf");
    res.headers.set("Content-Disposition", "attachment; filename=\"payment-receipt.pdf\"");
    res.headers.set("Cache-Control", "no-store");
    res.headers.set("X-Content-Type-Options", "nosniff");
    return res;
}

http::Response score_report(const http::Request& r, const PagesContext& ctx) {
    Visit v = detail::begin(r, ctx);
    if (!v.session) return detail::to_login(r);
    auto report = ctx.applications->score_report(v.session->principal, r.param("id"));
    if (!report) return detail::error_response(v, report.error());
    auto res = http::Response::text(200, std::move(report->pdf), "application/pdf");
    res.headers.set("Content-Disposition", "attachment; filename=\"" + report->file_name + "\"");
    res.headers.set("Cache-Control", "no-store");
    res.headers.set("X-Content-Type-Options", "nosniff");
    return res;
}

}  // namespace

void register_check_pages(http::Router& router, const PagesContext& ctx) {
    router.get("/applications/{id}", [ctx](http::Request& r) { return application(r, ctx); });
    router.get("/applications/{id}/check", [ctx](http::Request& r) { return check(r, ctx); });
    router.post("/applications/{id}/submit", [ctx](http::Request& r) { return submit(r, ctx); });
    router.get("/applications/{id}/payment-receipt.pdf", [ctx](http::Request& r) { return payment_receipt(r, ctx); });
    router.get("/applications/{id}/report.pdf", [ctx](http::Request& r) { return score_report(r, ctx); });
    router.get("/payments/sandbox/{ref}", [ctx](http::Request& r) { return sandbox(r, ctx); });
    router.post("/payments/sandbox/{ref}", [ctx](http::Request& r) { return sandbox(r, ctx); });
}

}  // namespace idara::web::portal

namespace idara::web {

void register_portal_pages(http::Router& router, const PagesContext& ctx) {
    portal::register_catalogue_pages(router, ctx);
    portal::register_step_pages(router, ctx);
    portal::register_document_pages(router, ctx);
    portal::register_check_pages(router, ctx);
    portal::register_assisted_pages(router, ctx);  // portal_assisted.hpp (helper E)
}

}  // namespace idara::web
