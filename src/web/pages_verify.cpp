// Verification of a receipt by anyone, without signing in.
//
//   GET  /verify          two forms: upload the receipt PDF, or paste the QR code's content
//   GET  /verify?q=…      the result for a QR payload (the QR code's own URL opens this)
//   POST /verify          multipart/form-data: the PDF in part "receipt"; anonymous CSRF
//                         double submit (idara_csrf cookie == _csrf part, as /login) → 403
//                         page otherwise; no file → 400 with the error summary
// The result is a verdict panel (valid / invalid / unknown, from
// registry::verify_receipt_pdf / verify_qr_payload against the register) with the
// reasons translated (registry.reason.<code>), who sealed it and when, the register
// number and registration time from the QR, whether the register matches, and
// whether the entry was cancelled. A verdict is a 200 page whatever it says.
// Below it, for an uploaded PDF, every signature as the validator reports it
// (trust/validate.hpp): the ETSI EN 319 102-1 indication with its reason
// (trust.indication.*), the signer, integrity, whole-document coverage, the
// time-stamp and revocation status (when ctx.validation_options is set).
// The form token is the anonymous one even for a signed-in visitor (the layout's
// sign-out form keeps the session token).
#include "registry/verify.hpp"
#include "trust/validate.hpp"
#include "web/deposit_form.hpp"
#include "web/deposit_pages.hpp"
#include "web/format.hpp"
#include "web/registry_view.hpp"
#include "web/security.hpp"

#include <algorithm>

namespace idara::web {
namespace {

using detail::Visit;

std::string reason_text(i18n::Lang l, const std::string& code) {
    const std::string key = "registry.reason." + code;
    return msg_or(l, key, msg(l, "web.verify.reason.other"));
}

void set_report(Data& d, i18n::Lang l, const registry::VerificationReport& rep) {
    const std::string verdict(rep.verdict == registry::Verdict::valid     ? "valid"
                              : rep.verdict == registry::Verdict::invalid ? "invalid"
                                                                          : "unknown");
    d.set("has_result", true);
    d.set("verdict_" + verdict, true);
    const std::string vkey = "registry.verdict." + verdict;
    d.set("verdict_title", i18n::catalogue().has(l, vkey) ? msg(l, vkey) : msg(l, "web.verify.verdict." + verdict));
    d.set("verdict_help", msg(l, "web.verify.verdict." + verdict + "_help"));
    std::vector<std::string> reasons;
    for (const auto& r : rep.reasons) reasons.push_back(reason_text(l, r));
    d.set("has_reasons", !reasons.empty() && rep.verdict != registry::Verdict::valid);
    d.set("reasons", string_list(reasons));

    if (!rep.signatures.empty()) {
        const auto& s = rep.signatures.front();
        std::string who = s.signer_organisation.empty() ? s.signer_common_name : s.signer_organisation;
        if (!s.signer_common_name.empty() && s.signer_common_name != who) who += " — " + s.signer_common_name;
        d.set("has_seal", true);
        d.set("sealed_by_html", bdi_auto(who));
        if (s.signing_time_ms) d.set("sealed_at", format_date_time(from_ms(*s.signing_time_ms), l));
        d.set("seal_ok", s.valid() && s.total_document);
    }
    if (rep.qr) {
        d.set("has_qr", true);
        d.set("qr_number_html", bdi_ltr(rep.qr->register_number));
        d.set("qr_registered_at", format_date_time(from_ms(rep.qr->registered_at_ms), l));
        d.set("qr_ok", rep.qr_signature_valid);
    }
    d.set("register_matches", rep.register_matches);
    // The register is consulted only for a receipt whose seal and QR hold.
    const bool unknown = std::find(rep.reasons.begin(), rep.reasons.end(), "register.unknown") != rep.reasons.end();
    d.set("register_unknown", unknown);
    d.set("register_not_checked", !rep.register_entry && !unknown);
    if (rep.register_entry) {
        d.set("in_register", true);
        d.set("register_number_html", bdi_ltr(rep.register_entry->register_number));
        d.set("register_at", format_date_time(from_ms(rep.register_entry->registered_at_ms), l));
        d.set("register_cancelled", rep.register_entry->status == registry::EntryStatus::cancelled);
        d.set("register_status_html", detail::status_tag(l, rep.register_entry->status));
    }
}

void set_validation(Data& d, i18n::Lang l, const trust::ValidationReport& rep) {
    Data list{Data::type::list};
    int n = 0;
    for (const auto& s : rep.signatures) {
        Data item;
        item.set("number", std::to_string(++n));
        item.set("field_html", bdi_ltr(s.field_name));
        const std::string ind(s.indication == trust::Indication::total_passed   ? "total_passed"
                              : s.indication == trust::Indication::total_failed ? "total_failed"
                                                                                : "indeterminate");
        item.set("indication", msg(l, "web.verify.etsi." + ind));
        item.set("indication_code", std::string(trust::to_string(s.indication)) +
                                        (trust::to_string(s.sub_indication).empty()
                                             ? std::string()
                                             : "/" + std::string(trust::to_string(s.sub_indication))));
        item.set("passed", s.indication == trust::Indication::total_passed);
        item.set("failed", s.indication == trust::Indication::total_failed);
        item.set("reason", msg(l, trust::reason_key(s.indication, s.sub_indication)));
        std::string who = s.signer_common_name;
        if (!s.signer_organisation.empty()) who += (who.empty() ? "" : " — ") + s.signer_organisation;
        if (!who.empty()) item.set("signer_html", bdi_auto(who));
        item.set("integrity", msg(l, s.integrity ? "web.verify.etsi.intact" : "web.verify.etsi.altered"));
        item.set("coverage", msg(l, s.total_document ? "web.verify.etsi.whole" : "web.verify.etsi.part"));
        if (s.timestamp.present && s.timestamp.valid && s.timestamp.gen_time_ms)
            item.set("timestamp", format_date_time(from_ms(s.timestamp.gen_time_ms), l) + " — " + s.timestamp.tsa_name);
        else item.set("timestamp", msg(l, s.timestamp.present ? "web.verify.etsi.timestamp_bad" : "web.verify.etsi.timestamp_none"));
        list.push_back(item);
    }
    d.set("has_signatures", n > 0);
    d.set("signatures", list);
}

http::Response verify_page(const Visit& v, int status, Data& d, const std::vector<FieldError>& summary) {
    bool fresh = false;
    const std::string token = anon_csrf_token(v.req, fresh);
    d.set("verify_csrf", token);
    d.set("error_summary", render_error_summary(v.lang, summary));
    PageView pv = v.view(msg(v.lang, "web.verify.title"), "verify");
    pv.has_errors = !summary.empty();
    auto res = detail::html(status, render_page(pv, "verify", d), true);
    if (fresh) res.headers.add("Set-Cookie", anon_csrf_cookie(token, v.ctx.cookie_secure));
    res.headers.set("Referrer-Policy", "no-referrer");
    return res;
}

Result<registry::VerifyKeys> keys_of(const PagesContext& ctx) {
    if (!ctx.verify_keys) return errors::unavailable("verification keys not configured");
    return ctx.verify_keys();
}

http::Response get_verify(const http::Request& r, const PagesContext& ctx) {
    Visit v = detail::begin(r, ctx);
    Data d;
    std::vector<FieldError> summary;
    int status = 200;
    auto q = r.query_param("q");
    if (q) {
        std::string payload = *q;
        const auto first = payload.find_first_not_of(" \t\r\n");
        payload = first == std::string::npos ? std::string() : payload.substr(first, payload.find_last_not_of(" \t\r\n") - first + 1);
        d.set("q", payload);
        if (payload.empty()) {
            detail::add_error(summary, d, "q", msg(v.lang, "web.verify.error.q_missing"));
            status = 400;
        } else {
            auto keys = keys_of(ctx);
            if (!keys) return detail::error_response(v, keys.error());
            auto rep = registry::verify_qr_payload(payload, *keys, ctx.deposits);
            if (!rep) {
                if (rep.error().status >= 500) return detail::error_response(v, rep.error());
                detail::add_error(summary, d, "q", msg(v.lang, "web.verify.error.q_unreadable"));
                status = 400;
            } else {
                set_report(d, v.lang, *rep);
            }
        }
    }
    return verify_page(v, status, d, summary);
}

http::Response post_verify(const http::Request& r, const PagesContext& ctx) {
    Visit v = detail::begin(r, ctx);
    auto parts = http::parse_multipart(r.header("Content-Type").value_or(""), r.body, ctx.multipart_limits);
    if (!parts) return detail::error_response(v, parts.error());
    if (!anon_multipart_csrf_ok(r, *parts)) return detail::error_response(v, errors::csrf("verify form"));
    auto files = take_files(*parts, "receipt");
    Data d;
    std::vector<FieldError> summary;
    if (files.empty()) {
        detail::add_error(summary, d, "receipt", msg(v.lang, "web.verify.error.file_missing"));
        return verify_page(v, 400, d, summary);
    }
    auto keys = keys_of(ctx);
    if (!keys) return detail::error_response(v, keys.error());
    auto rep = registry::verify_receipt_pdf(files.front().bytes, *keys, ctx.deposits);
    if (!rep) {
        if (rep.error().status >= 500) return detail::error_response(v, rep.error());
        detail::add_error(summary, d, "receipt", msg(v.lang, "web.verify.error.file_unreadable"));
        return verify_page(v, 400, d, summary);
    }
    d.set("file_name_html", bdi_auto(files.front().name));
    set_report(d, v.lang, *rep);
    if (ctx.validation_options) {
        auto opts = ctx.validation_options();
        if (!opts) return detail::error_response(v, opts.error());
        auto val = trust::validate_pdf(files.front().bytes, *opts);
        if (!val) return detail::error_response(v, val.error());
        set_validation(d, v.lang, *val);
    }
    return verify_page(v, 200, d, summary);
}

}  // namespace

void register_verify_pages(http::Router& router, const PagesContext& ctx) {
    router.get("/verify", [ctx](http::Request& r) { return get_verify(r, ctx); });
    router.post("/verify", [ctx](http::Request& r) { return post_verify(r, ctx); });
}

}  // namespace idara::web
