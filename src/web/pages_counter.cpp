// The registry office counter: a registry clerk (or an administrator) registers
// paper mail brought by a walk-in person, for their own administration.
//
//   GET  /registry/counter   the one-page form: depositor name and ID number (CIN or
//                            passport), type (radios with deadlines), optional unit,
//                            subject, text, scanned files
//   POST /registry/counter   multipart/form-data with the _csrf part (403 page on a
//                            mismatch); 400 with the error summary and field errors, or
//                            200 with the confirmation (number, tracking code shown once,
//                            "print the receipt" link to the PDF), no-store
// Anyone else: anonymous → sign in; signed in without the role → 403 page.
#include "core/random.hpp"
#include "registry/deposit.hpp"
#include "web/deposit_form.hpp"
#include "web/deposit_pages.hpp"
#include "web/format.hpp"
#include "web/registry_view.hpp"
#include "web/security.hpp"

namespace idara::web {
namespace {

using detail::Visit;

bool is_clerk(const identity::Principal& p) {
    return p.is_staff() && p.administration_id &&
           (p.has_role(identity::Role::registry_clerk) || p.has_role(identity::Role::admin));
}

struct CounterForm {
    std::string name, id_number;
    DepositAnswers a;
    std::vector<FieldError> summary;
    Data fields;
    void add(const std::string& field, const std::string& message) { detail::add_error(summary, fields, field, message); }
};

std::string clean_name(std::string_view s) {
    const auto first = s.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) return {};
    return std::string(s.substr(first, s.find_last_not_of(" \t\r\n") - first + 1));
}

http::Response counter_page(const Visit& v, const detail::AdministrationInfo& admin,
                            const std::vector<registry::DepositType>& types, const CounterForm& f, int status) {
    const auto l = v.lang;
    Data d = f.fields;
    d.set("error_summary", render_error_summary(l, f.summary));
    d.set("administration", admin.name);
    d.set("depositor_name", f.name);
    d.set("id_number", f.id_number);
    d.set("types", detail::type_items(l, types, f.a.type));
    d.set("unit", f.a.unit);
    d.set("subject", f.a.subject);
    d.set("body", f.a.body);
    d.set("idempotency_key", random::url_token(18));
    detail::set_limits(d, l, v.ctx.attachment_limits);
    PageView pv = v.view(msg(l, "web.counter.title"), "register");
    pv.has_errors = !f.summary.empty();
    return detail::html(status, render_page(pv, "counter", d), true);
}

std::string field_of(const Error& e) {
    const std::string& c = e.code;
    if (c == "deposit.depositor_name") return "depositor_name";
    if (c == "deposit.depositor_id_number") return "id_number";
    if (c == "deposit.unknown_type") return "type";
    if (c == "deposit.unknown_unit") return "unit";
    if (c == "deposit.subject") return "subject";
    if (c == "deposit.body") return "body";
    return "files";
}

http::Response handle(const http::Request& r, const PagesContext& ctx) {
    Visit v = detail::begin(r, ctx);
    if (!v.session) return detail::to_login(r);
    const auto& p = v.session->principal;
    if (!is_clerk(p)) return detail::error_response(v, errors::forbidden("counter"));
    auto admin = detail::administration_of(ctx.identity, p, v.lang);
    if (!admin) return detail::error_response(v, admin.error());
    auto types = ctx.deposits->types(admin->code);
    if (!types) return detail::error_response(v, types.error());
    if (r.method != http::Method::post) return counter_page(v, *admin, *types, {}, 200);

    auto parts = http::parse_multipart(r.header("Content-Type").value_or(""), r.body, ctx.multipart_limits);
    if (!parts) return detail::error_response(v, parts.error());
    if (!multipart_csrf_matches(*parts, v.session->csrf_token)) return detail::error_response(v, errors::csrf("counter form"));
    const auto fields = multipart_fields(*parts);
    CounterForm f;
    f.a = read_answers(fields);
    f.name = clean_name(fields("depositor_name").value_or(""));
    f.id_number = normalize_reference(fields("id_number").value_or(""));
    const auto l = v.lang;
    if (auto e = check_depositor_name(f.name)) f.add("depositor_name", msg(l, *e));
    if (auto e = check_id_number(f.id_number)) f.add("id_number", msg(l, *e));
    bool known_type = false;
    for (const auto& t : *types) known_type |= t.code == f.a.type;
    if (!known_type) f.add("type", msg(l, f.a.type.empty() ? "web.deposit.error.type_missing" : "web.deposit.error.type_unknown"));
    if (auto e = check_unit_code(f.a.unit)) f.add("unit", msg(l, *e));
    if (auto e = check_subject(f.a.subject)) f.add("subject", msg(l, *e));
    if (auto e = check_body(f.a.body)) f.add("body", msg(l, *e));
    if (!f.summary.empty()) return counter_page(v, *admin, *types, f, 400);

    registry::NewDeposit nd;
    nd.channel = registry::Channel::counter;
    nd.administration_code = admin->code;
    if (!f.a.unit.empty()) nd.unit_code = f.a.unit;
    nd.type_code = f.a.type;
    nd.subject = f.a.subject;
    nd.body = f.a.body;
    nd.depositor_name = f.name;
    nd.depositor_id_number = f.id_number;
    if (auto key = fields("idempotency_key"); key && !key->empty()) nd.idempotency_key = *key;
    for (auto& file : take_files(*parts, "files")) nd.files.push_back({std::move(file.name), std::move(file.bytes)});
    auto done = ctx.deposits->deposit(p, std::move(nd));
    if (!done) {
        const Error& e = done.error();
        if (e.status >= 500 || e.status == 403 || e.status == 429) return detail::error_response(v, e);
        f.add(field_of(e), detail::service_message(l, e));
        return counter_page(v, *admin, *types, f, e.status >= 400 && e.status < 500 ? 400 : e.status);
    }
    return render_done(v, {.number = done->register_number,
                           .tracking_code = done->tracking_code,
                           .registered_at_ms = done->registered_at_ms,
                           .administration_name = admin->name,
                           .counter = true});
}

}  // namespace

void register_counter_pages(http::Router& router, const PagesContext& ctx) {
    router.get("/registry/counter", [ctx](http::Request& r) { return handle(r, ctx); });
    router.post("/registry/counter", [ctx](http::Request& r) { return handle(r, ctx); });
}

}  // namespace idara::web
