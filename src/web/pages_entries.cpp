// The entries of the register, as their depositor or the receiving administration sees them.
//
//   GET  /deposits                       my deposits (DepositService::list_mine), newest first
//   GET  /deposits/{number}              one entry: status, details, attachments with their
//                                        SHA-256, history, due date; ?cancelled=1 shows a notice
//   GET  /deposits/{number}/receipt.pdf  the sealed receipt: application/pdf, attachment,
//                                        filename "<number>.pdf", no-store
//   POST /deposits/{number}/cancel       registry clerks and admins of the receiving
//                                        administration: reason required (1..500 characters);
//                                        303 to /deposits/{number}?cancelled=1, or the entry
//                                        page again with the error (400/409)
//   GET  /registry                       staff: their administration's register (list_register)
//
// Visibility is the service's: an entry that is not the visitor's, nor of their
// administration, is resource.not_found → the 404 page (existence does not leak).
// Anonymous visitors are sent to sign in. Every page here is no-store.
#include "core/utf8.hpp"
#include "registry/deposit.hpp"
#include "web/deposit_form.hpp"
#include "web/deposit_pages.hpp"
#include "web/format.hpp"
#include "web/registry_view.hpp"
#include "web/security.hpp"

namespace idara::web {
namespace {

using detail::Visit;

bool may_cancel(const identity::Principal& p, const registry::Entry& e) {
    return e.status == registry::EntryStatus::registered && p.is_staff() && p.administration_id &&
           *p.administration_id == e.administration_id &&
           (p.has_role(identity::Role::registry_clerk) || p.has_role(identity::Role::admin));
}

std::string entry_href(std::string_view number) { return "/deposits/" + http::url_encode(number); }

Data attachment_rows(const std::vector<registry::EntryAttachment>& files) {
    Data list{Data::type::list};
    for (const auto& f : files) {
        Data row;
        row.set("name_html", bdi_auto(f.name));
        row.set("media_type_html", bdi_ltr(f.media_type));
        row.set("size_html", bdi_ltr(format_size(f.size)));
        row.set("sha256", f.sha256);
        list.push_back(row);
    }
    return list;
}

Data event_rows(i18n::Lang l, const std::vector<registry::EntryEvent>& events) {
    Data list{Data::type::list};
    for (const auto& e : events) {
        Data row;
        row.set("date", format_date_time(from_ms(e.at_ms), l));
        row.set("label", detail::event_label(l, e.kind));
        // The registration event names its channel ("counter"): shown translated.
        if (auto c = registry::parse_channel(e.detail)) row.set("detail_html", html_escape(detail::channel_label(l, *c)));
        else if (!e.detail.empty()) row.set("detail_html", bdi_auto(e.detail));
        list.push_back(row);
    }
    return list;
}

http::Response entry_page(const Visit& v, const registry::Entry& e, int status, const std::string& reason,
                          const std::string& reason_error) {
    const auto l = v.lang;
    const auto& p = v.session->principal;
    Data d;
    std::vector<FieldError> summary;
    if (!reason_error.empty()) detail::add_error(summary, d, "reason", reason_error);
    d.set("error_summary", render_error_summary(l, summary));
    d.set("number_html", bdi_ltr(e.register_number));
    d.set("status_html", detail::status_tag(l, e.status));
    d.set("is_cancelled", e.status == registry::EntryStatus::cancelled);
    if (e.cancel_reason) d.set("cancel_reason_html", bdi_auto(*e.cancel_reason));
    d.set("cancelled_now", v.req.query_param("cancelled").has_value() && e.status == registry::EntryStatus::cancelled);
    d.set("administration", detail::pick(l, e.administration_name_ar, e.administration_name_fr));
    const std::string& unit = detail::pick(l, e.unit_name_ar, e.unit_name_fr);
    d.set("unit", unit.empty() ? msg(l, "web.deposit.check.unit_default") : unit);
    d.set("type", detail::pick(l, e.type_name_ar, e.type_name_fr));
    d.set("channel", detail::channel_label(l, e.channel));
    std::string depositor = bdi_auto(e.depositor_name);
    if (e.depositor_administration_code) depositor += " " + bdi_ltr(*e.depositor_administration_code);
    d.set("depositor_html", depositor);
    d.set("subject_html", bdi_auto(e.subject));
    d.set("has_body", !e.body.empty());
    d.set("body", e.body);
    d.set("registered_at", format_date_time(from_ms(e.registered_at_ms), l));
    d.set("due_at", format_date(from_ms(e.due_at_ms), l));
    d.set("receipt_href", entry_href(e.register_number) + "/receipt.pdf");
    d.set("receipt_sha256", e.receipt_sha256);
    d.set("has_attachments", !e.attachments.empty());
    d.set("attachments", attachment_rows(e.attachments));
    d.set("events", event_rows(l, e.events));
    d.set("can_cancel", may_cancel(p, e));
    d.set("cancel_action", entry_href(e.register_number) + "/cancel");
    d.set("reason", reason);
    d.set("back_href", p.is_staff() && p.administration_id == e.administration_id ? "/registry" : "/deposits");
    PageView pv = v.view(i18n::catalogue().format(l, "web.deposit.entry.title", {{"number", e.register_number}}),
                         p.is_staff() && p.administration_id == e.administration_id ? "register" : "deposits");
    pv.has_errors = !summary.empty();
    return detail::html(status, render_page(pv, "deposit_entry", d), true);
}

http::Response mine(const http::Request& r, const PagesContext& ctx) {
    Visit v = detail::begin(r, ctx);
    if (!v.session) return detail::to_login(r);
    auto list = ctx.deposits->list_mine(v.session->principal, 100);
    if (!list) return detail::error_response(v, list.error());
    Data d;
    d.set("entries", detail::entry_rows(v.lang, *list, detail::administration_names(ctx.identity, v.lang)));
    d.set("has_entries", !list->empty());
    d.set("can_deposit", !v.session->principal.is_operator());
    return detail::html(200, render_page(v.view(msg(v.lang, "web.deposit.mine.title"), "deposits"), "deposits", d), true);
}

http::Response show_entry(const http::Request& r, const PagesContext& ctx) {
    Visit v = detail::begin(r, ctx);
    if (!v.session) return detail::to_login(r);
    auto e = ctx.deposits->get(v.session->principal, r.param("number"));
    if (!e) return detail::error_response(v, e.error());
    return entry_page(v, *e, 200, "", "");
}

http::Response receipt(const http::Request& r, const PagesContext& ctx) {
    Visit v = detail::begin(r, ctx);
    if (!v.session) return detail::to_login(r);
    const std::string number(r.param("number"));
    auto pdf = ctx.deposits->receipt_pdf(v.session->principal, number);
    if (!pdf) return detail::error_response(v, pdf.error());
    auto res = http::Response::text(200, std::move(*pdf), "application/pdf");
    // Register numbers are [A-Z0-9-]; anything else is dropped from the file name.
    std::string file;
    for (char c : number)
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-') file += c;
    res.headers.set("Content-Disposition", "attachment; filename=\"" + (file.empty() ? std::string("receipt") : file) + ".pdf\"");
    res.headers.set("Cache-Control", "no-store");
    res.headers.set("X-Content-Type-Options", "nosniff");
    return res;
}

http::Response cancel(const http::Request& r, const PagesContext& ctx) {
    Visit v = detail::begin(r, ctx);
    if (!v.session) return detail::to_login(r);
    if (!csrf_field_matches(r, v.session->csrf_token)) return detail::error_response(v, errors::csrf("cancel form"));
    const std::string number(r.param("number"));
    auto e = ctx.deposits->get(v.session->principal, number);
    if (!e) return detail::error_response(v, e.error());
    if (!may_cancel(v.session->principal, *e) && e->status == registry::EntryStatus::registered)
        return detail::error_response(v, errors::forbidden("cancel"));
    std::string reason = r.form("reason").value_or("");
    const auto first = reason.find_first_not_of(" \t\r\n");
    reason = first == std::string::npos ? std::string() : reason.substr(first, reason.find_last_not_of(" \t\r\n") - first + 1);
    const auto n = utf8::length(reason);
    if (reason.empty()) return entry_page(v, *e, 400, reason, msg(v.lang, "web.register.cancel.error.reason_missing"));
    if (!n || *n > 500 || utf8::has_controls(reason, true))
        return entry_page(v, *e, 400, reason, msg(v.lang, "web.register.cancel.error.reason_too_long"));
    auto done = ctx.deposits->cancel(v.session->principal, number, reason);
    if (!done) {
        const Error& err = done.error();
        if (err.status >= 500 || err.status == 403 || err.status == 404) return detail::error_response(v, err);
        auto again = ctx.deposits->get(v.session->principal, number);
        if (!again) return detail::error_response(v, again.error());
        return entry_page(v, *again, err.status, reason, detail::service_message(v.lang, err));
    }
    auto res = http::Response::redirect(entry_href(number) + "?cancelled=1");
    res.headers.set("Cache-Control", "no-store");
    return res;
}

http::Response register_list(const http::Request& r, const PagesContext& ctx) {
    Visit v = detail::begin(r, ctx);
    if (!v.session) return detail::to_login(r);
    const auto& p = v.session->principal;
    if (!p.is_staff()) return detail::error_response(v, errors::forbidden("register"));
    auto admin = detail::administration_of(ctx.identity, p, v.lang);
    if (!admin) return detail::error_response(v, admin.error());
    auto list = ctx.deposits->list_register(p, 100);
    if (!list) return detail::error_response(v, list.error());
    Data d;
    d.set("administration", admin->name);
    d.set("entries", detail::entry_rows(v.lang, *list, detail::administration_names(ctx.identity, v.lang)));
    d.set("has_entries", !list->empty());
    d.set("is_clerk", p.has_role(identity::Role::registry_clerk) || p.has_role(identity::Role::admin));
    return detail::html(200, render_page(v.view(msg(v.lang, "web.register.title"), "register"), "register", d), true);
}

}  // namespace

http::Response render_done(const detail::Visit& v, const DoneView& dv) {
    const auto l = v.lang;
    Data d;
    d.set("counter", dv.counter);
    d.set("number_html", bdi_ltr(dv.number));
    d.set("tracking_html", bdi_ltr(dv.tracking_code));
    d.set("registered_at", format_date_time(from_ms(dv.registered_at_ms), l));
    d.set("administration", dv.administration_name);
    d.set("entry_href", entry_href(dv.number));
    d.set("receipt_href", entry_href(dv.number) + "/receipt.pdf");
    PageView pv = v.view(msg(l, dv.counter ? "web.counter.done.title" : "web.deposit.done.title"), dv.counter ? "register" : "deposit");
    return detail::html(200, render_page(pv, "deposit_done", d), true);
}

void register_entry_pages(http::Router& router, const PagesContext& ctx) {
    router.get("/deposits", [ctx](http::Request& r) { return mine(r, ctx); });
    router.get("/deposits/{number}", [ctx](http::Request& r) { return show_entry(r, ctx); });
    router.get("/deposits/{number}/receipt.pdf", [ctx](http::Request& r) { return receipt(r, ctx); });
    router.post("/deposits/{number}/cancel", [ctx](http::Request& r) { return cancel(r, ctx); });
    router.get("/registry", [ctx](http::Request& r) { return register_list(r, ctx); });
}

}  // namespace idara::web
