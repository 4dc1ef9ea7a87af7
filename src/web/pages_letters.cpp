// The outgoing register in the web shell: the signer's queue, the register, one letter
// with its approval step, and the sealed letter as a file (outgoing/letters.hpp).
//
//   GET  /letters                  staff of an administration: the letters pending approval
//                                  (subject, recipient, author, date, link) and, below, the
//                                  outgoing register (number, date, subject, recipient, in reply
//                                  to, state), newest first; others get the 403 page
//   GET  /letters/{id}             one letter: state, register number, recipient, in reply to
//                                  (/window/{number} for staff, /deposits/{number} for the
//                                  depositor), the text as it will be printed (preview_text) or
//                                  the link to the sealed PDF, its history, and the forms the
//                                  visitor may use; ?done=approved|returned|dispatched shows a notice
//                                  a letter in an e-parapheur circuit (pending approval, or
//                                  after it) shows the circuit's state and current step for staff,
//                                  with the link to /parapheur/{circuit id} where the visa and the
//                                  signature are given (no approval form here any more)
//   POST /letters/{id}/approve     kept for forms of old pages: 409 outgoing.invalid_state, the
//   POST /letters/{id}/return      page with the message (approval is in the circuit)
//   POST /letters/{id}/dispatch    postal dispatch of an approved letter (registry clerk, signer, admin)
//   GET  /letters/{id}/letter.pdf  the sealed letter: application/pdf, attachment
//                                  ("<register number>.pdf"), no-store, nosniff
//
// A POST that succeeds answers 303 to /letters/{id}?done=<action>. One the service refuses
// (400, 403 self-approval or role, 409 version conflict or state) shows the letter page
// again, as it is now, with the bilingual message in the error summary and that status;
// resource.not_found and server errors get the error pages. Every POST checks the form's
// CSRF token first. Visibility is the service's: a letter the visitor may not read is the
// 404 page (staff of another administration included); the depositor of the entry a
// dispatched reply answers may read it. Anonymous visitors are sent to sign in. Every
// page here is no-store.
#include "identity/service.hpp"
#include "outgoing/letters.hpp"
#include "web/deposit_form.hpp"
#include "web/format.hpp"
#include "web/parapheur_view.hpp"
#include "web/registry_view.hpp"
#include "web/security.hpp"
#include "web/visit.hpp"
#include "web/window_pages.hpp"

#include <charconv>
#include <variant>
#include <map>

namespace idara::web {
namespace {

using detail::Visit;
using identity::Principal;
using identity::Role;
using outgoing::Letter;
using outgoing::LetterState;

constexpr int kListLimit = 100;

// ---- Who may do what (the service decides; these only choose which forms to show)

bool staff_of(const Principal& p, const Letter& l) {
    return p.is_staff() && p.administration_id && *p.administration_id == l.administration_id;
}



bool may_dispatch(const Principal& p, const Letter& l) {
    return l.state == LetterState::approved && staff_of(p, l) &&
           (p.has_role(Role::registry_clerk) || p.has_role(Role::signer) || p.has_role(Role::admin));
}

// ---- Small pieces of page data

std::optional<std::int64_t> parse_id(std::string_view s) {
    std::int64_t v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size() || v < 1) return std::nullopt;
    return v;
}

std::string letter_href(std::int64_t id) { return "/letters/" + std::to_string(id); }

std::string state_tag(i18n::Lang l, LetterState s) {
    return "<strong class=\"tag\">" + html_escape(msg(l, "outgoing.state." + std::string(outgoing::state_name(s)))) +
           "</strong>";
}

// The message of a service error (error.<code>), else the page's generic one.
std::string error_message(i18n::Lang l, const Error& e) {
    const std::string key = "error." + e.code;
    return msg_or(l, key, msg(l, "web.letters.error.generic"));
}

// Account id → display name of the administration's staff (empty when the visitor is not staff).
std::map<std::int64_t, std::string> staff_names(identity::Service& ids, const Principal& p) {
    std::map<std::int64_t, std::string> out;
    auto scope = identity::TenantScope::of(p);
    if (!scope) return out;
    auto staff = ids.list_staff(*scope);
    if (!staff) return out;
    for (const auto& s : *staff) out[s.account_id] = s.display_name.empty() ? s.login : s.display_name;
    return out;
}

std::string name_html(const std::map<std::int64_t, std::string>& names, std::int64_t id) {
    auto it = names.find(id);
    return it == names.end() ? std::string() : bdi_auto(it->second);
}

// The link to the incoming entry a letter answers: the correspondence window for staff of
// the administration, the depositor's entry page otherwise.
std::string reply_link_html(const std::optional<std::string>& number, bool staff) {
    if (!number) return {};
    const std::string href = (staff ? "/window/" : "/deposits/") + http::url_encode(*number);
    return "<a href=\"" + html_escape(href) + "\">" + bdi_ltr(*number) + "</a>";
}

// Register numbers are [A-Z0-9-]; anything else is dropped from a file name.
std::string file_name_of(const Letter& l) {
    std::string file;
    for (char c : l.register_number.value_or(""))
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-') file += c;
    return (file.empty() ? "letter-" + std::to_string(l.id) : file) + ".pdf";
}

// ---- GET /letters

Data pending_rows(i18n::Lang l, const std::vector<Letter>& letters, const std::map<std::int64_t, std::string>& names) {
    Data list{Data::type::list};
    for (const auto& x : letters) {
        Data row;
        row.set("href", letter_href(x.id));
        row.set("subject_html", bdi_auto(x.subject));
        row.set("recipient_html", bdi_auto(x.recipient.name));
        row.set("author_html", name_html(names, x.author_id));
        row.set("date", format_date_time(from_ms(x.updated_at_ms), l));
        row.set("reply_html", reply_link_html(x.in_reply_to_number, true));
        list.push_back(row);
    }
    return list;
}

Data register_rows(i18n::Lang l, const std::vector<outgoing::RegisterLine>& lines) {
    Data list{Data::type::list};
    for (const auto& x : lines) {
        Data row;
        row.set("href", letter_href(x.id));
        row.set("number_html", bdi_ltr(x.register_number));
        row.set("date", format_date(from_ms(x.approved_at_ms), l));
        row.set("subject_html", bdi_auto(x.subject));
        row.set("recipient_html", bdi_auto(x.recipient_name));
        row.set("reply_html", reply_link_html(x.in_reply_to_number, true));
        row.set("state_html", state_tag(l, x.state));
        list.push_back(row);
    }
    return list;
}

http::Response list_page(const http::Request& r, const PagesContext& ctx) {
    Visit v = detail::begin(r, ctx);
    if (!v.session) return detail::to_login(r);
    const Principal& p = v.session->principal;
    auto scope = identity::TenantScope::of(p);
    if (!p.is_staff() || !scope) return detail::error_response(v, errors::forbidden("letters"));
    auto admin = detail::administration_of(ctx.identity, p, v.lang);
    if (!admin) return detail::error_response(v, admin.error());
    auto pending = ctx.letters->list_in_state(*scope, LetterState::pending_approval, kListLimit);
    if (!pending) return detail::error_response(v, pending.error());
    auto lines = ctx.letters->list_register(*scope, std::nullopt, kListLimit);
    if (!lines) return detail::error_response(v, lines.error());
    Data d;
    d.set("administration", admin->name);
    d.set("can_write", true);
    d.set("has_pending", !pending->empty());
    d.set("pending", pending_rows(v.lang, *pending, staff_names(ctx.identity, p)));
    d.set("has_register", !lines->empty());
    d.set("register", register_rows(v.lang, *lines));
    return detail::html(200, render_page(v.view(msg(v.lang, "web.letters.title"), "letters"), "letters", d), true);
}

// ---- GET /letters/{id}

// What a refused POST puts back on the page.
struct Problem {
    int status = 200;
    std::string action;   // approve, return, dispatch
    std::string message;  // translated
    std::string reason;   // the return reason as typed
};

Data event_rows(i18n::Lang l, const Letter& x, const std::map<std::int64_t, std::string>& names) {
    Data list{Data::type::list};
    for (const auto& e : x.events) {
        Data row;
        row.set("date", format_date_time(from_ms(e.at_ms), l));
        const std::string key = "outgoing.event." + e.kind;
        row.set("label", msg_or(l, key, e.kind));
        row.set("actor_html", name_html(names, e.actor_id));
        if (!e.detail.empty()) row.set("detail_html", bdi_auto(e.detail));
        list.push_back(row);
    }
    return list;
}

void set_recipient(Data& d, i18n::Lang l, const outgoing::Recipient& to) {
    d.set("recipient_html", bdi_auto(to.name));
    d.set("recipient_kind", msg(l, "outgoing.recipient_kind." + std::string(outgoing::recipient_kind_name(to.kind))));
    d.set("has_postal_address", !to.postal_address.empty());
    d.set("postal_address", to.postal_address);
    if (!to.email.empty()) d.set("email_html", bdi_ltr(to.email));
}

// The letter's content: the sealed PDF once numbered, else the text as it will be printed
// (written letters) or the uploaded file's name (uploads are sealed on approval).
Status set_content(Data& d, const Visit& v, const Letter& x) {
    const auto l = v.lang;
    if (x.pdf_sha256) {
        d.set("has_pdf", true);
        d.set("pdf_href", letter_href(x.id) + "/letter.pdf");
        d.set("pdf_sha256", *x.pdf_sha256);
    }
    if (x.tmpl) {
        auto text = v.ctx.letters->preview_text(v.session->principal, x.id);
        if (!text) return text.error();
        d.set("has_preview", true);
        d.set("preview", *text);
        d.set("preview_lang", std::string(i18n::code(x.lang)));
        d.set("preview_dir", std::string(i18n::dir(x.lang)));
        d.set("template_name", msg(l, "outgoing.template_name." + std::string(outgoing::template_name(*x.tmpl))));
    } else if (!x.pdf_sha256 && x.upload_name) {
        d.set("has_upload", true);
        d.set("upload_html", bdi_auto(*x.upload_name));
        d.set("upload_sha256", x.upload_sha256.value_or(""));
    }
    return {};
}

// The letter's circuit (e-parapheur): its state and current step, and the link to it.
void set_circuit(Data& d, const Visit& v, std::int64_t circuit_id) {
    d.set("circuit_href", parapheur_view::circuit_href(circuit_id));
    if (v.ctx.circuits == nullptr) return;
    auto c = v.ctx.circuits->get(v.session->principal, circuit_id);
    if (!c) return;  // the link still leads to the parapheur's own answer
    d.set("circuit_state_html", parapheur_view::state_tag(v.lang, c->state));
    if (c->state == parapheur::CircuitState::in_progress && c->current_step < static_cast<int>(c->steps.size())) {
        const auto& s = c->steps[static_cast<std::size_t>(c->current_step)];
        d.set("circuit_step", i18n::catalogue().format(v.lang, "parapheur_web.queue.step_of",
                                                       {{"label", parapheur_view::step_label(v.lang, s.label_ar, s.label_fr)},
                                                        {"n", std::to_string(c->current_step + 1)},
                                                        {"m", std::to_string(c->steps.size())}}));
    }
}

http::Response letter_page(const Visit& v, const Letter& x, const Problem& pb) {
    const auto l = v.lang;
    const Principal& p = v.session->principal;
    const bool staff = staff_of(p, x);
    const auto names = staff ? staff_names(v.ctx.identity, p) : std::map<std::int64_t, std::string>{};
    const bool dispatch = may_dispatch(p, x);
    Data d;
    if (auto done = v.req.query_param("done"); done && pb.message.empty() &&
                                               (*done == "approved" || *done == "returned" || *done == "dispatched" ||
                                                *done == "submitted"))
        d.set("notice", msg(l, "web.letters.notice." + *done));
    std::vector<FieldError> summary;
    if (!pb.message.empty()) {
        // The summary links to the form the error belongs to, or to the state when that form is gone.
        std::string field = "state";
        if (pb.action == "dispatch" && dispatch) field = "dispatch";
        detail::add_error(summary, d, field, pb.message);
    }
    d.set("error_summary", render_error_summary(l, summary));
    d.set("subject_html", bdi_auto(x.subject));
    d.set("state_html", state_tag(l, x.state));
    if (x.register_number) d.set("number_html", bdi_ltr(*x.register_number));
    d.set("letter_lang", msg(l, "web.letters.lang." + std::string(i18n::code(x.lang))));
    set_recipient(d, l, x.recipient);
    d.set("reply_html", reply_link_html(x.in_reply_to_number, staff));
    d.set("is_staff_view", staff);
    d.set("author_html", name_html(names, x.author_id));
    d.set("created_at", format_date_time(from_ms(x.created_at_ms), l));
    if (x.approved_at_ms) d.set("approved_at", format_date_time(from_ms(*x.approved_at_ms), l));
    if (x.approved_by) d.set("approver_html", name_html(names, *x.approved_by));
    if (x.dispatched_at_ms) d.set("dispatched_at", format_date_time(from_ms(*x.dispatched_at_ms), l));
    if (x.state == LetterState::draft && x.return_reason) d.set("return_reason_html", bdi_auto(*x.return_reason));
    if (auto s = set_content(d, v, x); !s) return detail::error_response(v, s.error());
    d.set("events", event_rows(l, x, names));
    d.set("version", std::to_string(x.version));
    if (staff && x.circuit_id) set_circuit(d, v, *x.circuit_id);
    d.set("can_dispatch", dispatch);
    // A signer looking at their own letter is told why there is no approval form.
    d.set("read_only", staff && !dispatch && x.state != LetterState::pending_approval);
    d.set("dispatch_action", letter_href(x.id) + "/dispatch");
    d.set("reason", pb.reason);
    d.set("back_href", staff ? "/letters" : (x.in_reply_to_number ? "/deposits/" + http::url_encode(*x.in_reply_to_number)
                                                                  : std::string("/deposits")));
    PageView pv = v.view(i18n::catalogue().format(l, "web.letters.letter.title", {{"subject", x.subject}}),
                         staff ? "letters" : "deposits");
    pv.has_errors = !summary.empty();
    return detail::html(pb.status, render_page(pv, "letter", d), true);
}

// Visit + session + the letter id of the path, or the response to send instead.
struct LetterVisit {
    Visit v;
    std::int64_t id = 0;
};
std::variant<LetterVisit, http::Response> open(const http::Request& r, const PagesContext& ctx) {
    Visit v = detail::begin(r, ctx);
    if (!v.session) return detail::to_login(r);
    auto id = parse_id(r.param("id"));
    if (!id) return detail::error_response(v, errors::not_found("letter"));
    return LetterVisit{std::move(v), *id};
}

http::Response show(const http::Request& r, const PagesContext& ctx) {
    auto o = open(r, ctx);
    if (auto* res = std::get_if<http::Response>(&o)) return std::move(*res);
    auto& lv = std::get<LetterVisit>(o);
    auto x = ctx.letters->get(lv.v.session->principal, lv.id);
    if (!x) return detail::error_response(lv.v, x.error());
    return letter_page(lv.v, *x, {});
}

// ---- POST /letters/{id}/{approve|return|dispatch}

std::int64_t form_version(const http::Request& r) {
    auto s = r.form("version");
    if (!s) return 0;
    return parse_id(*s).value_or(0);
}

std::string trimmed(std::string s) {
    const auto first = s.find_first_not_of(" \t\r\n");
    if (first == std::string::npos) return {};
    return s.substr(first, s.find_last_not_of(" \t\r\n") - first + 1);
}

http::Response act(const http::Request& r, const PagesContext& ctx, const std::string& action) {
    auto o = open(r, ctx);
    if (auto* res = std::get_if<http::Response>(&o)) return std::move(*res);
    auto& lv = std::get<LetterVisit>(o);
    const Visit& v = lv.v;
    if (!csrf_field_matches(r, v.session->csrf_token)) return detail::error_response(v, errors::csrf("letter form"));
    const Principal& p = v.session->principal;
    const std::int64_t version = form_version(r);
    std::string reason;
    Result<Letter> done = errors::not_found("letter");
    if (action == "approve" || action == "return") {
        reason = trimmed(r.form("reason").value_or(""));
        done = Error{"outgoing.invalid_state", 409, "approval goes through the letter's circuit"};
    } else {
        done = ctx.letters->dispatch(p, lv.id, version);
    }
    if (!done) {
        const Error& e = done.error();
        if (e.status >= 500 || e.status == 404 || e.code == "auth.csrf") return detail::error_response(v, e);
        auto now = ctx.letters->get(p, lv.id);
        if (!now) return detail::error_response(v, now.error());
        return letter_page(v, *now, Problem{e.status, action, error_message(v.lang, e), reason});
    }
    const char* notice = action == "approve" ? "approved" : action == "return" ? "returned" : "dispatched";
    auto res = http::Response::redirect(letter_href(lv.id) + "?done=" + notice);
    res.headers.set("Cache-Control", "no-store");
    return res;
}

// ---- GET /letters/{id}/letter.pdf

http::Response pdf(const http::Request& r, const PagesContext& ctx) {
    auto o = open(r, ctx);
    if (auto* res = std::get_if<http::Response>(&o)) return std::move(*res);
    auto& lv = std::get<LetterVisit>(o);
    const Principal& p = lv.v.session->principal;
    auto x = ctx.letters->get(p, lv.id);
    if (!x) return detail::error_response(lv.v, x.error());
    auto bytes = ctx.letters->pdf(p, lv.id);
    if (!bytes) return detail::error_response(lv.v, bytes.error());
    auto res = http::Response::text(200, std::move(*bytes), "application/pdf");
    res.headers.set("Content-Disposition", "attachment; filename=\"" + file_name_of(*x) + "\"");
    res.headers.set("Cache-Control", "no-store");
    res.headers.set("X-Content-Type-Options", "nosniff");
    return res;
}

}  // namespace

void register_new_letter_pages(http::Router& router, const PagesContext& ctx);  // pages_letter_new.cpp

void register_letter_pages(http::Router& router, const PagesContext& ctx) {
    router.get("/letters", [ctx](http::Request& r) { return list_page(r, ctx); });
    register_new_letter_pages(router, ctx);
    router.get("/letters/{id}", [ctx](http::Request& r) { return show(r, ctx); });
    router.get("/letters/{id}/letter.pdf", [ctx](http::Request& r) { return pdf(r, ctx); });
    for (const char* action : {"approve", "return", "dispatch"}) {
        const std::string a = action;
        router.post("/letters/{id}/" + a, [ctx, a](http::Request& r) { return act(r, ctx, a); });
    }
}

}  // namespace idara::web
