// The deposit journey (GOV.UK patterns: a start page, one question per page,
// check your answers, a confirmation with the number).
//
//   GET  /deposit                 start page: what you need, what you get
//   GET|POST /deposit/administration   step 1: the receiving administration
//                                 (q filters the directory by Arabic or French name,
//                                 text::search_matches: vowels, hamza forms, case and accents ignored)
//   GET|POST /deposit/type        step 2: the type (with its deadline) and an optional unit
//   GET|POST /deposit/details     step 3: subject and text
//   GET|POST /deposit/check       step 4: check your answers, attach files, submit
//   POST /deposit                 multipart/form-data: registers the deposit
//
// Who: a signed-in citizen or company (channel portal), or a staff member
// depositing on behalf of their administration to ANOTHER administration
// (channel administration; their own administration is not offered). The
// platform operator gets the 403 page; anonymous visitors go to sign in.
//
// No server-side draft: the answers travel in hidden fields (deposit_form.hpp).
// Every step page (GET or POST) re-validates the answers of the steps before
// it; on a POST, the first step with a problem is shown again with the error
// summary and its field errors (400); on a GET (a link, the language switch),
// it is shown without errors. The check-your-answers page has one "Change"
// button per answer that re-submits the hidden answers (formaction, url-encoded,
// no files) to that step: links cannot carry a 20 000-character text.
// The step 1 search form is a GET form (q) on a first visit; when it has to
// carry earlier answers (coming back from Change) it is a POST form, so that no
// long text goes into a URL.
//
// The final POST checks the _csrf part against the session's token (403 page
// otherwise), re-validates everything, then calls DepositService::deposit with
// an idempotency key made when the check page was rendered, so a double
// submission gives the same entry (replayed). Service errors are shown on the
// step they belong to, with the catalogue message error.<code>.
//
// Success: the POST answers 200 with the confirmation page itself (not a 303):
// the tracking code is shown exactly once and must not go into a URL, a
// Location header, a log line or a cache — so the response is Cache-Control:
// no-store, and the page links to /deposits/{number} and the receipt PDF.
// (Reloading it re-posts the same idempotency key and shows the same result.)
#include "core/random.hpp"
#include "core/text_normalize.hpp"
#include "registry/deposit.hpp"
#include "web/deposit_form.hpp"
#include "web/deposit_pages.hpp"
#include "web/format.hpp"
#include "web/lang.hpp"
#include "web/registry_view.hpp"
#include "web/security.hpp"
#include "web/visit.hpp"

namespace idara::web {
namespace {

using detail::Visit;

enum class Step { administration = 1, type, details, check };

struct Problems {
    std::vector<FieldError> summary;
    Data fields;  // <field>_error
    bool any() const { return !summary.empty(); }
    void add(const std::string& field, const std::string& message) { detail::add_error(summary, fields, field, message); }
};

// What the validation found out on the way (the receiving administration, its types).
struct Known {
    std::optional<identity::Administration> admin;
    std::vector<registry::DepositType> types;
    const registry::DepositType* type = nullptr;
};

std::optional<registry::Channel> channel_of(const identity::Principal& p) {
    if (p.kind == identity::AccountKind::citizen || p.kind == identity::AccountKind::company) return registry::Channel::portal;
    if (p.is_staff()) return registry::Channel::administration;
    return std::nullopt;
}

bool own_administration(const identity::Principal& p, const identity::Administration& a) {
    return p.is_staff() && p.administration_id && *p.administration_id == a.id;
}

// Checks the answers of the steps before `upto`; stops at the first step with a problem.
// Returns that step (and its problems), or `upto` when all is well. A service failure
// (5xx) is returned as an Error.
Result<Step> check_before(const Visit& v, const DepositAnswers& a, Step upto, Problems& p, Known& k) {
    const auto l = v.lang;
    if (upto <= Step::administration) return upto;
    if (a.administration.empty()) {
        p.add("administration", msg(l, "web.deposit.error.administration_missing"));
        return Step::administration;
    }
    auto admin = v.ctx.identity.find_administration(a.administration);
    if (!admin && admin.error().status >= 500) return admin.error();
    if (!admin || own_administration(v.session->principal, *admin)) {
        p.add("administration", msg(l, "web.deposit.error.administration_unknown"));
        return Step::administration;
    }
    k.admin = *admin;
    auto types = v.ctx.deposits->types(a.administration);
    if (!types) {
        if (types.error().status >= 500) return types.error();
        p.add("administration", detail::service_message(l, types.error()));
        return Step::administration;
    }
    k.types = std::move(*types);
    if (upto <= Step::type) return upto;
    for (const auto& t : k.types)
        if (t.code == a.type) k.type = &t;
    if (k.type == nullptr) p.add("type", msg(l, a.type.empty() ? "web.deposit.error.type_missing" : "web.deposit.error.type_unknown"));
    if (auto e = check_unit_code(a.unit)) p.add("unit", msg(l, *e));
    if (p.any()) return Step::type;
    if (upto <= Step::details) return upto;
    if (auto e = check_subject(a.subject)) p.add("subject", msg(l, *e));
    if (auto e = check_body(a.body)) p.add("body", msg(l, *e));
    if (p.any()) return Step::details;
    return upto;
}

// ---- Rendering each step

// What every step page has: the error summary, field errors and all the answers as hidden fields.
Data base_data(const Visit& v, const DepositAnswers& a, const Problems& p) {
    Data d = p.fields;
    d.set("error_summary", render_error_summary(v.lang, p.summary));
    d.set("hidden_all", hidden_answer_fields(a));
    return d;
}

http::Response show(const Visit& v, int status, std::string_view tmpl, std::string title, Data& d, bool errors) {
    PageView pv = v.view(std::move(title), "deposit");
    pv.has_errors = errors;
    return detail::html(status, render_page(pv, tmpl, d), true);
}

Result<http::Response> step_administration(const Visit& v, const DepositAnswers& a, const Problems& p, int status) {
    const auto l = v.lang;
    const std::string q = request_fields(v.req)("q").value_or("");
    auto all = v.ctx.identity.list_administrations();
    if (!all) return all.error();
    Data items{Data::type::list};
    int n = 0;
    for (const auto& adm : *all) {
        if (own_administration(v.session->principal, adm)) continue;
        const bool selected = adm.code == a.administration;
        if (!selected && !(text::search_matches(adm.name_ar, q) || text::search_matches(adm.name_fr, q) ||
                           text::search_matches(adm.code, q)))
            continue;
        ++n;
        Data item;
        item.set("id", n == 1 ? std::string("administration") : "administration-" + std::to_string(n));
        item.set("value", adm.code);
        item.set("label", detail::pick(l, adm.name_ar, adm.name_fr));
        item.set("other_name", detail::pick(other_lang(l), adm.name_ar, adm.name_fr));
        item.set("other_lang", std::string(i18n::code(other_lang(l))));
        item.set("code_html", bdi_ltr(adm.code));
        item.set("checked", selected);
        items.push_back(item);
    }
    Data d = base_data(v, a, p);
    d.set("q", q);
    d.set("administrations", items);
    d.set("has_results", n > 0);
    d.set("searched", !q.empty());
    d.set("hidden_rest", hidden_answer_fields(a, {"administration"}));
    // The search carries earlier answers only by POST (no long text in a URL).
    const bool carry = !hidden_answer_fields(a, {"administration"}).empty();
    d.set("search_post", carry);
    d.set("hidden_search", carry ? hidden_answer_fields(a) : std::string());
    d.set("results_text", i18n::catalogue().format(l, "web.deposit.administration.results", {{"count", std::to_string(n)}}));
    return show(v, status, "deposit_administration", msg(l, "web.deposit.administration.title"), d, p.any());
}

http::Response step_type(const Visit& v, const DepositAnswers& a, const Known& k, const Problems& p, int status) {
    const auto l = v.lang;
    Data d = base_data(v, a, p);
    d.set("administration_name", detail::pick(l, k.admin->name_ar, k.admin->name_fr));
    d.set("types", detail::type_items(l, k.types, a.type));
    d.set("unit", a.unit);
    d.set("hidden_rest", hidden_answer_fields(a, {"type", "unit"}));
    return show(v, status, "deposit_type", msg(l, "web.deposit.type.title"), d, p.any());
}

http::Response step_details(const Visit& v, const DepositAnswers& a, const Problems& p, int status) {
    Data d = base_data(v, a, p);
    d.set("subject", a.subject);
    d.set("body", a.body);
    d.set("hidden_rest", hidden_answer_fields(a, {"subject", "body"}));
    return show(v, status, "deposit_details", msg(v.lang, "web.deposit.details.title"), d, p.any());
}

http::Response step_check(const Visit& v, const DepositAnswers& a, const Known& k, const Problems& p, int status) {
    const auto l = v.lang;
    Data d = base_data(v, a, p);
    d.set("administration_name", detail::pick(l, k.admin->name_ar, k.admin->name_fr));
    d.set("administration_code_html", bdi_ltr(k.admin->code));
    d.set("type_name", k.type ? detail::pick(l, k.type->name_ar, k.type->name_fr) : a.type);
    d.set("deadline", k.type ? detail::deadline_text(l, *k.type) : std::string());
    d.set("unit_html", a.unit.empty() ? html_escape(msg(l, "web.deposit.check.unit_default")) : bdi_ltr(a.unit));
    d.set("subject_html", bdi_auto(a.subject));
    d.set("has_body", !a.body.empty());
    d.set("body", a.body);
    d.set("idempotency_key", random::url_token(18));
    detail::set_limits(d, l, v.ctx.attachment_limits);
    return show(v, status, "deposit_check", msg(l, "web.deposit.check.title"), d, p.any());
}

Result<http::Response> show_step(const Visit& v, Step s, const DepositAnswers& a, Known& k, const Problems& p) {
    const int status = p.any() ? 400 : 200;
    // The later steps need what the earlier ones established (administration, types).
    if (s != Step::administration && !k.admin) {
        Problems none;
        auto at = check_before(v, a, s, none, k);
        if (!at) return at.error();
    }
    switch (s) {
        case Step::administration: return step_administration(v, a, p, status);
        case Step::type: return step_type(v, a, k, p, status);
        case Step::details: return step_details(v, a, p, status);
        case Step::check: return step_check(v, a, k, p, status);
    }
    return errors::internal("deposit step");
}

// Common start of every deposit page: signed in, allowed to deposit, CSRF on POST.
std::optional<http::Response> refuse(const Visit& v, bool check_csrf_form) {
    if (!v.session) return detail::to_login(v.req);
    if (!channel_of(v.session->principal)) return detail::error_response(v, errors::forbidden("deposit"));
    if (check_csrf_form && !csrf_field_matches(v.req, v.session->csrf_token))
        return detail::error_response(v, errors::csrf("deposit form"));
    return std::nullopt;
}

http::Response handle_step(const http::Request& r, const PagesContext& ctx, Step target) {
    Visit v = detail::begin(r, ctx);
    if (auto no = refuse(v, r.method == http::Method::post)) return std::move(*no);
    const DepositAnswers a = read_answers(request_fields(r));
    Problems p;
    Known k;
    auto at = check_before(v, a, target, p, k);
    if (!at) return detail::error_response(v, at.error());
    // A link or the language switch (GET) shows the first unanswered step without errors.
    if (r.method != http::Method::post) p = Problems{};
    auto res = show_step(v, *at, a, k, p);
    return res ? std::move(*res) : detail::error_response(v, res.error());
}

http::Response start(const http::Request& r, const PagesContext& ctx) {
    Visit v = detail::begin(r, ctx);
    if (auto no = refuse(v, false)) return std::move(*no);
    Data d;
    d.set("staff_channel", v.session->principal.is_staff());
    detail::set_limits(d, v.lang, ctx.attachment_limits);
    return show(v, 200, "deposit_start", msg(v.lang, "web.deposit.start.title"), d, false);
}

// Where a service error of the final POST is shown.
Step step_of(const Error& e, std::string& field) {
    const std::string& c = e.code;
    if (c == "deposit.unknown_administration") { field = "administration"; return Step::administration; }
    if (c == "deposit.unknown_type") { field = "type"; return Step::type; }
    if (c == "deposit.unknown_unit") { field = "unit"; return Step::type; }
    if (c == "deposit.subject") { field = "subject"; return Step::details; }
    if (c == "deposit.body") { field = "body"; return Step::details; }
    field = "files";
    return Step::check;
}

http::Response submit(const http::Request& r, const PagesContext& ctx) {
    Visit v = detail::begin(r, ctx);
    if (auto no = refuse(v, false)) return std::move(*no);
    auto parts = http::parse_multipart(r.header("Content-Type").value_or(""), r.body, ctx.multipart_limits);
    if (!parts) return detail::error_response(v, parts.error());
    if (!multipart_csrf_matches(*parts, v.session->csrf_token)) return detail::error_response(v, errors::csrf("deposit form"));
    const auto fields = multipart_fields(*parts);
    const DepositAnswers a = read_answers(fields);
    Problems p;
    Known k;
    auto at = check_before(v, a, Step::check, p, k);
    if (!at) return detail::error_response(v, at.error());
    if (*at != Step::check) {
        auto res = show_step(v, *at, a, k, p);
        return res ? std::move(*res) : detail::error_response(v, res.error());
    }
    registry::NewDeposit nd;
    nd.channel = *channel_of(v.session->principal);
    nd.administration_code = a.administration;
    if (!a.unit.empty()) nd.unit_code = a.unit;
    nd.type_code = a.type;
    nd.subject = a.subject;
    nd.body = a.body;
    if (auto key = fields("idempotency_key"); key && !key->empty()) nd.idempotency_key = *key;
    for (auto& f : take_files(*parts, "files")) nd.files.push_back({std::move(f.name), std::move(f.bytes)});

    auto done = ctx.deposits->deposit(v.session->principal, std::move(nd));
    if (!done) {
        const Error& e = done.error();
        if (e.status >= 500 || e.status == 403 || e.status == 429) return detail::error_response(v, e);
        std::string field;
        const Step s = step_of(e, field);
        Problems sp;
        sp.add(field, detail::service_message(v.lang, e));
        auto res = show_step(v, s, a, k, sp);
        return res ? std::move(*res) : detail::error_response(v, res.error());
    }
    DoneView dv{.number = done->register_number,
                .tracking_code = done->tracking_code,
                .registered_at_ms = done->registered_at_ms,
                .administration_name = detail::pick(v.lang, k.admin->name_ar, k.admin->name_fr),
                .counter = false};
    return render_done(v, dv);
}

}  // namespace

void register_deposit_pages(http::Router& router, const PagesContext& ctx) {
    router.get("/deposit", [ctx](http::Request& r) { return start(r, ctx); });
    router.post("/deposit", [ctx](http::Request& r) { return submit(r, ctx); });
    const std::pair<const char*, Step> steps[] = {{"/deposit/administration", Step::administration},
                                                  {"/deposit/type", Step::type},
                                                  {"/deposit/details", Step::details},
                                                  {"/deposit/check", Step::check}};
    for (const auto& [path, step] : steps) {
        const Step s = step;
        router.get(path, [ctx, s](http::Request& r) { return handle_step(r, ctx, s); });
        router.post(path, [ctx, s](http::Request& r) { return handle_step(r, ctx, s); });
    }
}

}  // namespace idara::web
