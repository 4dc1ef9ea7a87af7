// Assisted filing pages (portal_assisted.hpp).
#include "web/portal_assisted.hpp"

#include "web/deposit_form.hpp"
#include "web/format.hpp"
#include "web/portal_view.hpp"
#include "web/registry_view.hpp"

namespace idara::web::portal {
namespace {

std::string assisted_href(std::string_view code) { return "/services/" + http::url_encode(code) + "/assisted"; }

struct PersonForm {
    std::string name, id_type = "cin", id_number, email;
    bool checked = false;
};

http::Response render_form(const Visit& v, const procedures::Published& pub, const PersonForm& f,
                           const std::vector<FieldError>& summary, Data& errors, int status) {
    const auto l = v.lang;
    Data d = errors;
    d.set("procedure_title", pub.procedure->title.in(l));
    d.set("action", assisted_href(pub.procedure->code));
    d.set("name", f.name);
    d.set("id_number", f.id_number);
    d.set("email", f.email);
    d.set("cin", f.id_type == "cin");
    d.set("passport", f.id_type == "passport");
    d.set("checked", f.checked);
    d.set("error_summary", render_error_summary(l, summary));
    return show(v, status, "portal_assisted", msg(l, "web.assisted.form.title"), d, !summary.empty(), true, "services");
}

// Which form field an error of start_assisted is about.
std::string field_of(const std::string& code) {
    if (code == "assisted.name") return "name";
    if (code == "assisted.id_type") return "id_type";
    if (code == "assisted.id_number") return "id_number";
    if (code == "assisted.email") return "email";
    if (code == "assisted.identity_not_checked") return "checked";
    return {};
}

http::Response form_page(const http::Request& r, const PagesContext& ctx) {
    Visit v = detail::begin(r, ctx);
    const bool post = r.method == http::Method::post;
    if (auto no = refuse(v, post)) return std::move(*no);
    if (!procedures::ApplicationService::may_assist(v.session->principal))
        return detail::error_response(v, {"application.forbidden", 403, "assisted filing is for agents"});
    auto pub = ctx.catalogue->current(r.param("code"));
    if (!pub) return detail::error_response(v, pub.error());
    Data errors;
    if (!post) return render_form(v, *pub, {}, {}, errors, 200);

    const auto fields = request_fields(r);
    PersonForm f;
    f.name = fields("name").value_or("");
    f.id_type = fields("id_type").value_or("");
    f.id_number = fields("id_number").value_or("");
    f.email = fields("email").value_or("");
    f.checked = !fields("checked").value_or("").empty();
    procedures::AssistedPerson p{f.name, f.id_type, f.id_number, f.email, f.checked};
    auto a = ctx.applications->start_assisted(v.session->principal, r.param("code"), p);
    if (!a) {
        const Error& e = a.error();
        const std::string field = field_of(e.code);
        if (field.empty()) return detail::error_response(v, e);
        std::vector<FieldError> summary;
        detail::add_error(summary, errors, field, detail::service_message(v.lang, e));
        return render_form(v, *pub, f, summary, errors, e.status);
    }
    auto again = ctx.applications->procedure_of(*a);
    if (!again) return detail::error_response(v, again.error());
    return http::Response::redirect(next_href(Journey{std::move(*a), std::move(*again)}));
}

}  // namespace

std::string assisted_banner_html(i18n::Lang l, const procedures::Application& a, const std::string& csrf) {
    if (!a.assisted) return {};
    const auto& p = a.assisted->person;
    const auto& cat = i18n::catalogue();
    std::string out = "<div class=\"panel panel--info\" id=\"assisted-banner\" role=\"note\"><p><strong>";
    // The name is the citizen's, typed at the desk: escaped and isolated.
    out += format_html(l, "web.assisted.banner", {{"name", bdi_auto(p.full_name)}});
    out += "</strong><br>";
    out += format_html(l, "web.assisted.banner.identity",
                       {{"document", html_escape(msg(l, "web.assisted.id_type." + p.id_document))}, {"number", bdi_ltr(p.id_number)}});
    out += "</p>";
    if (a.register_number) {
        out += "<p><a href=\"/deposits/" + html_escape(http::url_encode(*a.register_number)) + "/receipt.pdf\">" +
               html_escape(msg(l, "web.assisted.banner.receipt")) + "</a> — " + html_escape(msg(l, "web.assisted.banner.print")) +
               "</p>";
        if (const auto& email = p.email) {
            if (a.assisted->receipt_mailed_at_ms) {
                out += "<p id=\"receipt-mailed\">" + html_escape(cat.format(l, "web.assisted.banner.mailed", {{"email", *email}})) + "</p>";
            } else {
                out += "<form method=\"post\" action=\"/applications/" + html_escape(http::url_encode(a.id)) +
                       "/email-receipt\"><input type=\"hidden\" name=\"_csrf\" value=\"" + html_escape(csrf) +
                       "\"><button class=\"button button--secondary\" type=\"submit\" id=\"email-receipt\">" +
                       html_escape(cat.format(l, "web.assisted.banner.email", {{"email", *email}})) + "</button></form>";
            }
        }
    }
    out += "</div>";
    return out;
}

std::string assisted_banner_for_path(const detail::Visit& v, std::string_view path) {
    constexpr std::string_view prefix = "/applications/";
    if (!v.session || v.ctx.applications == nullptr || path.substr(0, prefix.size()) != prefix) return {};
    std::string_view id = path.substr(prefix.size());
    id = id.substr(0, id.find('/'));
    if (id.empty()) return {};
    auto a = v.ctx.applications->get(v.session->principal, id);
    if (!a) return {};
    return assisted_banner_html(v.lang, *a, v.session->csrf_token);
}

namespace {

http::Response email_receipt(const http::Request& r, const PagesContext& ctx) {
    Visit v = detail::begin(r, ctx);
    if (auto no = refuse(v, true)) return std::move(*no);
    auto sent = ctx.applications->email_receipt(v.session->principal, r.param("id"));
    if (!sent) return detail::error_response(v, sent.error());
    return http::Response::redirect(app_href(r.param("id")));
}

}  // namespace

void register_assisted_pages(http::Router& router, const PagesContext& ctx) {
    router.post("/applications/{id}/email-receipt", [ctx](http::Request& r) { return email_receipt(r, ctx); });
    router.get("/services/{code}/assisted", [ctx](http::Request& r) { return form_page(r, ctx); });
    router.post("/services/{code}/assisted", [ctx](http::Request& r) { return form_page(r, ctx); });
}

}  // namespace idara::web::portal
