// The second factor in the account pages (identity/totp.hpp), when PagesContext::totp is set:
//
//   GET  /account/totp          the state: active (since when, and the disable form), an
//                               enrolment waiting for its first code (the confirm form and
//                               "start again"), or none (the start button)
//   POST /account/totp/start    draws a new secret and answers 200 with the page showing it
//                               once: the otpauth:// URI as an inline SVG QR code, the base32
//                               key for manual entry, the confirm form. 409 page when active.
//   POST /account/totp/confirm  `code`: 303 /account/totp?done=enabled, or 400 with the form
//                               and the message (429 page when throttled)
//   POST /account/totp/disable  `password`: 303 /account/totp?done=disabled, or 400/401 with
//                               the message (429 page when throttled)
//
// Every POST checks the CSRF token first; anonymous visitors are sent to sign in; every page
// is no-store (the secret is on it once).
#include "identity/totp.hpp"
#include "web/deposit_form.hpp"
#include "web/format.hpp"
#include "web/qr_svg.hpp"
#include "web/registry_view.hpp"
#include "web/security.hpp"
#include "web/visit.hpp"

namespace idara::web {
namespace {

using detail::Visit;

struct TotpForm {
    int status = 200;
    std::optional<identity::TotpEnrolment> enrolment;  // shown once, right after start
    std::vector<FieldError> errors;
    std::string code_error, password_error;
};

std::string grouped(const std::string& secret) {
    std::string out;
    for (std::size_t i = 0; i < secret.size(); ++i) {
        if (i > 0 && i % 4 == 0) out += ' ';
        out += secret[i];
    }
    return out;
}

http::Response totp_page(const Visit& v, const TotpForm& f) {
    const auto l = v.lang;
    auto st = v.ctx.totp->state(v.session->principal.account_id);
    if (!st) return detail::error_response(v, st.error());
    Data d;
    if (auto done = v.req.query_param("done"); done && f.errors.empty() && (*done == "enabled" || *done == "disabled"))
        d.set("notice", msg(l, "totp.notice." + *done));
    d.set("error_summary", render_error_summary(l, f.errors));
    d.set("active", st->active);
    d.set("pending", st->pending);
    if (st->confirmed_at_ms)
        d.set("confirmed_at",
              i18n::catalogue().format(l, "totp.state.since", {{"date", format_date_time(from_ms(*st->confirmed_at_ms), l)}}));
    if (f.enrolment) {
        d.set("enrolling", true);
        d.set("qr_svg", qr_svg(f.enrolment->otpauth_uri, msg(l, "totp.qr_label")));
        d.set("secret_grouped", grouped(f.enrolment->secret_base32));
    }
    if (!f.code_error.empty()) d.set("code_error", f.code_error);
    if (!f.password_error.empty()) d.set("password_error", f.password_error);
    PageView pv = v.view(msg(l, "totp.title"), "account");
    pv.has_errors = !f.errors.empty();
    return detail::html(f.status, render_page(pv, "totp", d), true);
}

// Visit with a session, or the response to send instead (sign in; CSRF for POSTs).
std::optional<http::Response> gate(const Visit& v, bool post) {
    if (!v.session) return detail::to_login(v.req);
    if (post && !csrf_field_matches(v.req, v.session->csrf_token))
        return detail::error_response(v, errors::csrf("totp form"));
    return std::nullopt;
}

http::Response redirect_done(const char* done) {
    auto res = http::Response::redirect(std::string("/account/totp?done=") + done);
    res.headers.set("Cache-Control", "no-store");
    return res;
}

http::Response show(const http::Request& r, const PagesContext& ctx) {
    Visit v = detail::begin(r, ctx);
    if (auto g = gate(v, false)) return std::move(*g);
    return totp_page(v, {});
}

http::Response start(const http::Request& r, const PagesContext& ctx) {
    Visit v = detail::begin(r, ctx);
    if (auto g = gate(v, true)) return std::move(*g);
    auto e = ctx.totp->begin_enrolment(v.session->principal.account_id);
    if (!e) return detail::error_response(v, e.error());
    TotpForm f;
    f.enrolment = std::move(*e);
    return totp_page(v, f);
}

http::Response confirm(const http::Request& r, const PagesContext& ctx) {
    Visit v = detail::begin(r, ctx);
    if (auto g = gate(v, true)) return std::move(*g);
    const std::string code = r.form("code").value_or("");
    TotpForm f;
    f.status = 400;
    if (code.empty()) {
        f.code_error = msg(v.lang, "totp.error.code_missing");
    } else {
        auto ok = ctx.totp->confirm_enrolment(v.session->principal.account_id, code, r.remote_addr);
        if (ok) return redirect_done("enabled");
        const Error& e = ok.error();
        if (e.status == 429 || e.status >= 500) return detail::error_response(v, e);
        f.status = e.status;
        f.code_error = msg(v.lang, "error." + e.code);
    }
    f.errors.push_back({"code", f.code_error});
    return totp_page(v, f);
}

http::Response disable(const http::Request& r, const PagesContext& ctx) {
    Visit v = detail::begin(r, ctx);
    if (auto g = gate(v, true)) return std::move(*g);
    const std::string password = r.form("password").value_or("");
    TotpForm f;
    f.status = 400;
    if (password.empty()) {
        f.password_error = msg(v.lang, "totp.error.password_missing");
    } else {
        auto ok = ctx.totp->disable(v.session->principal.account_id, password, r.remote_addr);
        if (ok) return redirect_done("disabled");
        const Error& e = ok.error();
        if (e.status == 429 || e.status >= 500) return detail::error_response(v, e);
        f.status = e.status;
        f.password_error = msg(v.lang, "error." + e.code);
    }
    f.errors.push_back({"password", f.password_error});
    return totp_page(v, f);
}

}  // namespace

void register_totp_pages(http::Router& router, const PagesContext& ctx) {
    router.get("/account/totp", [ctx](http::Request& r) { return show(r, ctx); });
    router.post("/account/totp/start", [ctx](http::Request& r) { return start(r, ctx); });
    router.post("/account/totp/confirm", [ctx](http::Request& r) { return confirm(r, ctx); });
    router.post("/account/totp/disable", [ctx](http::Request& r) { return disable(r, ctx); });
}

}  // namespace idara::web
