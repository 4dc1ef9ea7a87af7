// Home, account, password change and the staff home.
#include "identity/service.hpp"
#include "identity/totp.hpp"
#include "web/lang.hpp"
#include "web/security.hpp"
#include "web/visit.hpp"

namespace idara::web {
namespace {

using detail::Visit;

http::Response home(const http::Request& r, const PagesContext& ctx) {
    Visit v = detail::begin(r, ctx);
    Data d;
    std::string title = msg(v.lang, "web.home.title");
    if (const auto* p = v.principal()) {
        title = msg(v.lang, "web.nav.home");
        d.set("greeting", i18n::catalogue().format(v.lang, "web.home.greeting",
                                                   {{"name", p->display_name.empty() ? p->login : p->display_name}}));
    }
    return detail::html(200, render_page(v.view(title, "home"), "home", d), v.session.has_value());
}

http::Response account(const http::Request& r, const PagesContext& ctx) {
    Visit v = detail::begin(r, ctx);
    if (!v.session) return detail::to_login(r);
    const auto& p = v.session->principal;
    Data d;
    d.set("name", p.display_name);
    d.set("login", p.login);
    d.set("kind", msg(v.lang, "web.kind." + std::string(identity::kind_name(p.kind))));
    d.set("account_lang", std::string(i18n::code(p.lang)));
    d.set("account_lang_name", msg(p.lang, "web.lang.self_name"));
    d.set("password_changed", r.query_param("password_changed").has_value());
    if (p.is_staff()) {
        auto admin = detail::administration_of(ctx.identity, p, v.lang);
        d.set("administration", admin ? admin->name : std::string());
        d.set("roles", string_list(detail::role_lines(p, admin ? &*admin : nullptr, v.lang)));
    }
    if (ctx.totp != nullptr) {  // the second factor's page, with its state
        auto st = ctx.totp->state(p.account_id);
        d.set("has_totp", true);
        d.set("totp_state", msg(v.lang, st && st->active ? "totp.account.on" : "totp.account.off"));
    }
    return detail::html(200, render_page(v.view(msg(v.lang, "web.account.title"), "account"), "account", d), true);
}

struct PasswordForm {
    std::vector<FieldError> errors;
    std::string current_error, new_error, confirm_error;
};

http::Response password_page(const Visit& v, int status, const PasswordForm& f) {
    Data d;
    d.set("error_summary", render_error_summary(v.lang, f.errors));
    d.set("password_hint", msg(v.lang, "web.password.new_hint"));
    if (!f.current_error.empty()) d.set("current_error", f.current_error);
    if (!f.new_error.empty()) d.set("new_error", f.new_error);
    if (!f.confirm_error.empty()) d.set("confirm_error", f.confirm_error);
    PageView pv = v.view(msg(v.lang, "web.password.title"), "account");
    pv.has_errors = !f.errors.empty();
    return detail::html(status, render_page(pv, "password", d), true);
}

http::Response get_password(const http::Request& r, const PagesContext& ctx) {
    Visit v = detail::begin(r, ctx);
    if (!v.session) return detail::to_login(r);
    return password_page(v, 200, {});
}

http::Response post_password(const http::Request& r, const PagesContext& ctx) {
    Visit v = detail::begin(r, ctx);
    if (!v.session) return detail::to_login(r);
    if (!csrf_field_matches(r, v.session->csrf_token)) return detail::error_response(v, errors::csrf("password form"));
    const std::string current = r.form("current_password").value_or("");
    const std::string fresh = r.form("new_password").value_or("");
    const std::string confirm = r.form("confirm_password").value_or("");
    PasswordForm f;
    auto add = [&](std::string& slot, const char* field, std::string message) {
        slot = std::move(message);
        f.errors.push_back({field, slot});
    };
    if (current.empty()) add(f.current_error, "current_password", msg(v.lang, "web.password.error.current_missing"));
    if (fresh.empty()) add(f.new_error, "new_password", msg(v.lang, "web.password.error.new_missing"));
    else if (confirm != fresh) add(f.confirm_error, "confirm_password", msg(v.lang, "web.password.error.mismatch"));
    if (!f.errors.empty()) return password_page(v, 400, f);

    auto changed = ctx.identity.change_password(v.session->principal.account_id, current, fresh);
    if (!changed) {
        const Error& e = changed.error();
        if (e.status == 429 || e.status >= 500) return detail::error_response(v, e);
        if (e.status == 401 || e.code.starts_with("auth."))
            add(f.current_error, "current_password", msg(v.lang, "web.password.error.current_wrong"));
        else  // a password policy error: its catalogue message says what to change
            add(f.new_error, "new_password", msg(v.lang, "error." + e.code));
        return password_page(v, 400, f);
    }
    auto res = http::Response::redirect("/account?password_changed=1");
    res.headers.set("Cache-Control", "no-store");
    return res;
}

http::Response staff(const http::Request& r, const PagesContext& ctx) {
    Visit v = detail::begin(r, ctx);
    if (!v.session) return detail::to_login(r);
    const auto& p = v.session->principal;
    if (!p.is_staff()) return detail::error_response(v, errors::forbidden("staff home"));
    auto admin = detail::administration_of(ctx.identity, p, v.lang);
    if (!admin) return detail::error_response(v, admin.error());
    Data d;
    d.set("administration", admin->name);
    d.set("administration_code", admin->code);
    d.set("roles", string_list(detail::role_lines(p, &*admin, v.lang)));
    d.set("has_units", !admin->units.empty());
    d.set("unit_tree", detail::unit_tree_html(admin->units));
    return detail::html(200, render_page(v.view(msg(v.lang, "web.staff.title"), "staff"), "staff", d), true);
}

}  // namespace

void register_totp_pages(http::Router& router, const PagesContext& ctx);  // pages_totp.cpp

void register_account_pages(http::Router& router, const PagesContext& ctx) {
    if (ctx.totp != nullptr) register_totp_pages(router, ctx);
    router.get("/", [ctx](http::Request& r) { return home(r, ctx); });
    router.get("/account", [ctx](http::Request& r) { return account(r, ctx); });
    router.get("/account/password", [ctx](http::Request& r) { return get_password(r, ctx); });
    router.post("/account/password", [ctx](http::Request& r) { return post_password(r, ctx); });
    router.get("/staff", [ctx](http::Request& r) { return staff(r, ctx); });
}

}  // namespace idara::web
