// The entries of the register, as their depositor or the receiving administration sees them.
//
//   GET  /deposits                       my deposits (DepositService::list_mine), newest first
//   GET  /deposits/{number}              one entry: status, details, attachments with their
//                                        SHA-256, history, due date; ?cancelled=1 shows a notice.
//                                        With the correspondence window (PagesContext::workflow):
//                                        the processing state, due date or paused clock, what the
//                                        administration asked for when documents are missing, the
//                                        timeline with the processing events, and for staff of the
//                                        administration a link to /window/{number}. With the outgoing
//                                        register (PagesContext::letters): the replies (dispatched, and
//                                        for staff also approved ones) with their number, date and a
//                                        link to /letters/{id}/letter.pdf. ?completed=1 shows a notice.
//   GET  /deposits/{number}/receipt.pdf  the sealed receipt: application/pdf, attachment,
//                                        filename "<number>.pdf", no-store
//   POST /deposits/{number}/cancel       registry clerks and admins of the receiving
//                                        administration: reason required (1..500 characters);
//                                        303 to /deposits/{number}?cancelled=1, or the entry
//                                        page again with the error (400/409)
//   POST /deposits/{number}/complete     (with PagesContext::workflow) the depositor (or a registry
//                                        clerk for a counter deposit) completes a file whose documents
//                                        were requested: multipart/form-data with _csrf (403 page
//                                        otherwise), `version` (the dossier's), `files` (at least one),
//                                        `note` (optional); WorkflowService::complete_documents; 303 to
//                                        /deposits/{number}?completed=1, or the entry page again with
//                                        the error (400/409/413…)
//   GET  /registry                       staff: their administration's register (list_register)
//
// Visibility is the service's: an entry that is not the visitor's, nor of their
// administration, is resource.not_found → the 404 page (existence does not leak).
// Anonymous visitors are sent to sign in. Every page here is no-store.
#include "core/utf8.hpp"
#include "outgoing/letters.hpp"
#include "processing/attestation.hpp"
#include "processing/workflow.hpp"
#include "registry/deposit.hpp"
#include "web/deposit_form.hpp"
#include "web/deposit_pages.hpp"
#include "web/format.hpp"
#include "web/registry_view.hpp"
#include "web/security.hpp"

#include <boost/json.hpp>

#include <charconv>

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

bool staff_of(const identity::Principal& p, const registry::Entry& e) {
    return p.is_staff() && p.administration_id && *p.administration_id == e.administration_id;
}

// ---- What the correspondence window and the outgoing register add to the page

struct Processing {
    std::optional<processing::Dossier> dossier;
    std::vector<outgoing::Letter> replies;  // dispatched (and, for staff, approved) replies
};

// Hidden from the visitor by the window or the register (a confidential entry, a role):
// the page still shows what the registry office lets them see.
bool hidden(const Error& e) { return e.status == 403 || e.status == 404; }

Result<Processing> load_processing(const Visit& v, const registry::Entry& e) {
    Processing out;
    if (v.ctx.workflow == nullptr) return out;
    const auto& p = v.session->principal;
    auto d = v.ctx.workflow->dossier(p, e.register_number);
    if (!d) return hidden(d.error()) ? Result<Processing>(std::move(out)) : Result<Processing>(d.error());
    out.dossier = std::move(*d);
    if (v.ctx.letters == nullptr || !out.dossier->content_visible) return out;
    auto letters = v.ctx.letters->list_for_entry(p, e.id);
    if (!letters) return hidden(letters.error()) ? Result<Processing>(std::move(out)) : Result<Processing>(letters.error());
    const bool staff = staff_of(p, e);
    for (auto& l : *letters)
        if (l.state == outgoing::LetterState::dispatched || (staff && l.state == outgoing::LetterState::approved))
            out.replies.push_back(std::move(l));
    return out;
}

// A string member of a JSON object detail ("" when absent).
std::string json_text(const boost::json::object& o, std::string_view key) {
    const auto* f = o.if_contains(key);
    return f && f->is_string() ? std::string(f->as_string()) : std::string();
}

// What an event's detail says on the page. Processing events carry a JSON object (what is
// missing, a reason, the depositor's note, a register number); registry events a channel
// name or plain text. Other members (units, ids) are not shown.
std::string event_detail_html(i18n::Lang l, const std::string& detail) {
    if (detail.empty()) return {};
    if (detail.front() == '{') {
        boost::system::error_code ec;
        const auto v = boost::json::parse(detail, ec);
        if (ec || !v.is_object()) return {};
        for (const char* k : {"missing", "reason", "note"})
            if (auto t = json_text(v.as_object(), k); !t.empty()) return bdi_auto(t);
        for (const char* k : {"to", "from", "reply"})
            if (auto t = json_text(v.as_object(), k); !t.empty()) return bdi_ltr(t);
        return {};
    }
    // The registration event names its channel ("counter"): shown translated.
    if (auto c = registry::parse_channel(detail)) return html_escape(detail::channel_label(l, *c));
    return bdi_auto(detail);
}

std::string event_label(i18n::Lang l, const std::string& kind) {
    const std::string key = "processing.event." + kind;
    return msg_or(l, key, detail::event_label(l, kind));
}

void add_event(Data& list, i18n::Lang l, std::int64_t at_ms, const std::string& kind, const std::string& detail) {
    Data row;
    row.set("date", format_date_time(from_ms(at_ms), l));
    row.set("label", event_label(l, kind));
    if (auto h = event_detail_html(l, detail); !h.empty()) row.set("detail_html", h);
    list.push_back(row);
}

// The timeline: the dossier's (processing events included) when the visitor may read it,
// else the registry office's history.
Data event_rows(i18n::Lang l, const registry::Entry& e, const Processing& pr) {
    Data list{Data::type::list};
    if (pr.dossier && pr.dossier->content_visible && !pr.dossier->timeline.empty()) {
        for (const auto& t : pr.dossier->timeline) add_event(list, l, t.at_ms, t.kind, t.detail);
    } else {
        for (const auto& ev : e.events) add_event(list, l, ev.at_ms, ev.kind, ev.detail);
    }
    return list;
}

// What the administration asked for: the detail of the last documents_requested event.
std::string missing_text(const processing::Dossier& d) {
    for (auto it = d.timeline.rbegin(); it != d.timeline.rend(); ++it) {
        if (it->kind != "documents_requested") continue;
        boost::system::error_code ec;
        const auto v = boost::json::parse(it->detail, ec);
        return !ec && v.is_object() ? json_text(v.as_object(), "missing") : std::string();
    }
    return {};
}

// The depositor completes the file; for a counter deposit, a registry clerk at the desk.
bool may_complete(const identity::Principal& p, const registry::Entry& e, const processing::Dossier& d) {
    if (d.state != processing::State::missing_documents) return false;
    if (!staff_of(p, e)) return true;  // not staff of the administration, yet allowed to see it: the depositor
    return e.channel == registry::Channel::counter &&
           (p.has_role(identity::Role::registry_clerk) || p.has_role(identity::Role::admin));
}

Data reply_rows(i18n::Lang l, const std::vector<outgoing::Letter>& replies) {
    Data list{Data::type::list};
    for (const auto& x : replies) {
        Data row;
        row.set("number_html", bdi_ltr(x.register_number.value_or("")));
        const auto at = x.dispatched_at_ms ? *x.dispatched_at_ms : x.approved_at_ms.value_or(x.updated_at_ms);
        row.set("date", format_date(from_ms(at), l));
        row.set("subject_html", bdi_auto(x.subject));
        row.set("state", msg(l, "outgoing.state." + std::string(outgoing::state_name(x.state))));
        row.set("pdf_href", "/letters/" + std::to_string(x.id) + "/letter.pdf");
        list.push_back(row);
    }
    return list;
}

// What a refused POST (cancel, complete) puts back on the page.
struct EntryForm {
    int status = 200;
    std::string reason, reason_error;  // cancel
    std::string note;                  // complete
    std::string complete_field;        // "files" or "note"
    std::string complete_error;
};

void set_processing(Data& d, const Visit& v, const registry::Entry& e, const Processing& pr, const EntryForm& f,
                    std::vector<FieldError>& summary) {
    const auto l = v.lang;
    const auto& p = v.session->principal;
    if (v.ctx.workflow != nullptr && staff_of(p, e)) d.set("window_href", "/window/" + http::url_encode(e.register_number));
    d.set("completed_now", v.req.query_param("completed").has_value());
    if (!pr.dossier) return;
    const processing::Dossier& x = *pr.dossier;
    d.set("has_processing", true);
    d.set("processing_state_html", "<strong class=\"tag\">" +
                                       html_escape(msg(l, "processing.state." + std::string(processing::state_name(x.state)))) +
                                       "</strong>");
    d.set("due_at", format_date(from_ms(x.due_at_ms), l));
    if (x.paused_at_ms)
        d.set("paused_text", i18n::catalogue().format(l, "web.deposit.entry.paused",
                                                     {{"date", format_date(from_ms(*x.paused_at_ms), l)}}));
    if (x.transferred_to) d.set("transferred_to_html", bdi_ltr(*x.transferred_to));
    if (x.state == processing::State::missing_documents) {
        d.set("missing_documents", true);
        if (auto m = missing_text(x); !m.empty()) d.set("missing_html", bdi_auto(m));
    }
    if (may_complete(p, e, x)) {
        d.set("can_complete", true);
        d.set("complete_action", entry_href(e.register_number) + "/complete");
        d.set("version", std::to_string(x.version));
        d.set("note", f.note);
        detail::set_limits(d, l, v.ctx.attachment_limits);
    }
    if (!f.complete_error.empty())
        detail::add_error(summary, d, x.state == processing::State::missing_documents && may_complete(p, e, x)
                                          ? f.complete_field : std::string("processing-state"),
                          f.complete_error);
    d.set("has_replies", !pr.replies.empty());
    d.set("replies", reply_rows(l, pr.replies));
    // Law 55-19: silence past the deadline is approval for this type → the sealed attestation.
    if (v.ctx.attestations != nullptr && x.silence_is_approval) {
        auto available = v.ctx.attestations->available(p, e.register_number);
        if (available && *available)
            d.set("attestation_href", entry_href(e.register_number) + "/silence-attestation.pdf");
    }
}

// The sealed silence-as-approval attestation (processing/attestation.hpp decides who and when).
http::Response attestation(const http::Request& r, const PagesContext& ctx) {
    Visit v = detail::begin(r, ctx);
    if (!v.session) return detail::to_login(r);
    const std::string number(r.param("number"));
    auto pdf = ctx.attestations->silence_attestation(v.session->principal, number, "web " + r.remote_addr);
    if (!pdf) return detail::error_response(v, pdf.error());
    auto res = http::Response::text(200, std::move(*pdf), "application/pdf");
    res.headers.set("Content-Disposition", "attachment; filename=\"silence-attestation.pdf\"");
    res.headers.set("Cache-Control", "no-store");
    res.headers.set("X-Content-Type-Options", "nosniff");
    return res;
}

http::Response entry_page(const Visit& v, const registry::Entry& e, const EntryForm& f) {
    const auto l = v.lang;
    const auto& p = v.session->principal;
    auto pr = load_processing(v, e);
    if (!pr) return detail::error_response(v, pr.error());
    Data d;
    std::vector<FieldError> summary;
    if (!f.reason_error.empty()) detail::add_error(summary, d, "reason", f.reason_error);
    set_processing(d, v, e, *pr, f, summary);
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
    if (!pr->dossier) d.set("due_at", format_date(from_ms(e.due_at_ms), l));
    d.set("receipt_href", entry_href(e.register_number) + "/receipt.pdf");
    d.set("receipt_sha256", e.receipt_sha256);
    d.set("has_attachments", !e.attachments.empty());
    d.set("attachments", attachment_rows(e.attachments));
    d.set("events", event_rows(l, e, *pr));
    d.set("can_cancel", may_cancel(p, e));
    d.set("cancel_action", entry_href(e.register_number) + "/cancel");
    d.set("reason", f.reason);
    d.set("back_href", staff_of(p, e) ? "/registry" : "/deposits");
    PageView pv = v.view(i18n::catalogue().format(l, "web.deposit.entry.title", {{"number", e.register_number}}),
                         staff_of(p, e) ? "register" : "deposits");
    pv.has_errors = !summary.empty();
    return detail::html(f.status, render_page(pv, "deposit_entry", d), true);
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
    return entry_page(v, *e, {});
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
    if (reason.empty())
        return entry_page(v, *e, {.status = 400, .reason = reason,
                                  .reason_error = msg(v.lang, "web.register.cancel.error.reason_missing")});
    if (!n || *n > 500 || utf8::has_controls(reason, true))
        return entry_page(v, *e, {.status = 400, .reason = reason,
                                  .reason_error = msg(v.lang, "web.register.cancel.error.reason_too_long")});
    auto done = ctx.deposits->cancel(v.session->principal, number, reason);
    if (!done) {
        const Error& err = done.error();
        if (err.status >= 500 || err.status == 403 || err.status == 404) return detail::error_response(v, err);
        auto again = ctx.deposits->get(v.session->principal, number);
        if (!again) return detail::error_response(v, again.error());
        return entry_page(v, *again, {.status = err.status, .reason = reason,
                                      .reason_error = detail::service_message(v.lang, err)});
    }
    auto res = http::Response::redirect(entry_href(number) + "?cancelled=1");
    res.headers.set("Cache-Control", "no-store");
    return res;
}

// The note as typed: CRLF made LF, blanks at both ends removed.
std::string read_note(std::string s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i)
        if (!(s[i] == '\r' && i + 1 < s.size() && s[i + 1] == '\n')) out += s[i];
    const auto first = out.find_first_not_of(" \t\r\n");
    if (first == std::string::npos) return {};
    return out.substr(first, out.find_last_not_of(" \t\r\n") - first + 1);
}

std::int64_t read_version(const std::optional<std::string>& s) {
    std::int64_t v = 0;
    if (!s || s->empty()) return 0;
    auto [end, ec] = std::from_chars(s->data(), s->data() + s->size(), v);
    return ec == std::errc() && end == s->data() + s->size() ? v : 0;
}

// The message of a refused completion: error.<code> (processing, attachment and request
// errors are all in the catalogues), else a generic one.
std::string complete_message(i18n::Lang l, const Error& e) {
    const std::string key = "error." + e.code;
    return msg_or(l, key, msg(l, "web.deposit.complete.error.generic"));
}

http::Response complete(const http::Request& r, const PagesContext& ctx) {
    Visit v = detail::begin(r, ctx);
    if (!v.session) return detail::to_login(r);
    auto parts = http::parse_multipart(r.header("Content-Type").value_or(""), r.body, ctx.multipart_limits);
    if (!parts) return detail::error_response(v, parts.error());
    if (!multipart_csrf_matches(*parts, v.session->csrf_token)) return detail::error_response(v, errors::csrf("complete form"));
    const auto fields = multipart_fields(*parts);
    const std::string number(r.param("number"));
    const auto& p = v.session->principal;
    auto e = ctx.deposits->get(p, number);
    if (!e) return detail::error_response(v, e.error());
    EntryForm f;
    f.note = read_note(fields("note").value_or(""));
    const std::int64_t version = read_version(fields("version"));
    std::vector<registry::IncomingFile> files;
    for (auto& u : take_files(*parts, "files")) files.push_back({std::move(u.name), std::move(u.bytes)});
    if (files.empty()) {
        f.status = 400;
        f.complete_field = "files";
        f.complete_error = msg(v.lang, "error.processing.documents_missing");
        return entry_page(v, *e, f);
    }
    const processing::Actor actor{p, "web " + r.remote_addr};
    auto done = ctx.workflow->complete_documents(actor, e->register_number, version, std::move(files), f.note);
    if (!done) {
        const Error& err = done.error();
        if (err.status >= 500 || err.status == 403 || err.status == 404) return detail::error_response(v, err);
        auto again = ctx.deposits->get(p, number);
        if (!again) return detail::error_response(v, again.error());
        f.status = err.status;
        f.complete_field = err.code == "processing.text" ? "note" : "files";
        f.complete_error = complete_message(v.lang, err);
        return entry_page(v, *again, f);
    }
    auto res = http::Response::redirect(entry_href(e->register_number) + "?completed=1");
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
    if (ctx.attestations != nullptr)
        router.get("/deposits/{number}/silence-attestation.pdf", [ctx](http::Request& r) { return attestation(r, ctx); });
    if (ctx.workflow != nullptr)
        router.post("/deposits/{number}/complete", [ctx](http::Request& r) { return complete(r, ctx); });
    router.get("/registry", [ctx](http::Request& r) { return register_list(r, ctx); });
}

}  // namespace idara::web
