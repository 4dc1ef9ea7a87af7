// Sign in, sign out and the language switch.
#include "identity/service.hpp"
#include "web/lang.hpp"
#include "web/security.hpp"
#include "web/visit.hpp"

namespace idara::web {
namespace {

using detail::Visit;

constexpr auto kLangCookieAge = std::chrono::seconds(365L * 24 * 3600);

CookieOptions session_cookie(const PagesContext& ctx) { return {.http_only = true, .secure = ctx.cookie_secure, .same_site = "Lax"}; }

struct LoginForm {
    std::string login;
    std::vector<FieldError> errors;
    std::string login_error, password_error;
};

// The sign-in page; sets the anonymous CSRF cookie when the visitor has none yet.
http::Response login_page(const Visit& v, int status, const LoginForm& f) {
    bool fresh = false;
    const std::string token = anon_csrf_token(v.req, fresh);
    PageView pv = v.view(msg(v.lang, "web.login.title"), "login");
    pv.csrf = token;
    pv.has_errors = !f.errors.empty();
    Data d;
    auto next = v.req.query_param("next");
    auto safe = next ? safe_next(*next) : std::nullopt;
    d.set("action", safe ? "/login?next=" + http::url_encode(*safe) : std::string("/login"));
    d.set("error_summary", render_error_summary(v.lang, f.errors));
    d.set("login_value", f.login);
    if (!f.login_error.empty()) d.set("login_error", f.login_error);
    if (!f.password_error.empty()) d.set("password_error", f.password_error);
    d.set("signed_out", f.errors.empty() && v.req.query_param("signed_out").has_value());
    auto res = detail::html(status, render_page(pv, "login", d), true);
    if (fresh) res.headers.add("Set-Cookie", anon_csrf_cookie(token, v.ctx.cookie_secure));
    return res;
}

std::string after_login(const http::Request& r, const identity::Principal& p) {
    auto next = r.query_param("next");
    if (auto safe = next ? safe_next(*next) : std::nullopt) return *safe;
    return detail::home_of(p);
}

http::Response get_login(const http::Request& r, const PagesContext& ctx) {
    Visit v = detail::begin(r, ctx);
    if (v.session) return http::Response::redirect(after_login(r, v.session->principal));
    return login_page(v, 200, {});
}

http::Response post_login(const http::Request& r, const PagesContext& ctx) {
    Visit v = detail::begin(r, ctx);
    if (!anon_csrf_ok(r)) return detail::error_response(v, errors::csrf("login form"));
    LoginForm f;
    f.login = r.form("login").value_or("");
    const std::string password = r.form("password").value_or("");
    if (f.login.empty()) {
        f.login_error = msg(v.lang, "web.login.error.login_missing");
        f.errors.push_back({"login", f.login_error});
    }
    if (password.empty()) {
        f.password_error = msg(v.lang, "web.login.error.password_missing");
        f.errors.push_back({"password", f.password_error});
    }
    if (!f.errors.empty()) return login_page(v, 400, f);

    auto session = ctx.identity.login(f.login, password, r.remote_addr);
    if (!session) {
        const Error& e = session.error();
        if (e.status == 429 || e.status >= 500) return detail::error_response(v, e);
        // Unknown login and wrong password look the same.
        f.login_error = msg(v.lang, "web.login.error.failed");
        f.errors.push_back({"login", f.login_error});
        return login_page(v, 401, f);
    }
    auto res = http::Response::redirect(after_login(r, session->principal));
    res.headers.add("Set-Cookie", set_cookie_value(kSessionCookie, session->id, session_cookie(ctx)));
    // The anonymous token has served its purpose: the session has its own.
    res.headers.add("Set-Cookie", clear_cookie_value(kCsrfCookie, {.secure = ctx.cookie_secure, .same_site = "Strict"}));
    res.headers.set("Cache-Control", "no-store");
    return res;
}

http::Response post_logout(const http::Request& r, const PagesContext& ctx) {
    Visit v = detail::begin(r, ctx);
    if (!v.session) return http::Response::redirect("/login");
    if (!csrf_field_matches(r, v.session->csrf_token)) return detail::error_response(v, errors::csrf("logout form"));
    (void)ctx.identity.logout(v.session->session_id);
    auto res = http::Response::redirect("/login?signed_out=1");
    res.headers.add("Set-Cookie", clear_cookie_value(kSessionCookie, session_cookie(ctx)));
    res.headers.set("Cache-Control", "no-store");
    return res;
}

http::Response get_lang(const http::Request& r, const PagesContext& ctx) {
    auto lang = i18n::parse_lang(r.param("code"));
    if (!lang) return error_page(r, errors::not_found("language"), ctx);
    auto next = r.query_param("next");
    auto res = http::Response::redirect(next ? safe_next(*next).value_or("/") : "/");
    res.headers.add("Set-Cookie", set_cookie_value(kLangCookie, i18n::code(*lang),
                                                   {.http_only = true, .secure = ctx.cookie_secure, .max_age = kLangCookieAge}));
    return res;
}

}  // namespace

void register_auth_pages(http::Router& router, const PagesContext& ctx) {
    router.get("/login", [ctx](http::Request& r) { return get_login(r, ctx); });
    router.post("/login", [ctx](http::Request& r) { return post_login(r, ctx); });
    router.post("/logout", [ctx](http::Request& r) { return post_logout(r, ctx); });
    router.get("/lang/{code}", [ctx](http::Request& r) { return get_lang(r, ctx); });
}

}  // namespace idara::web
