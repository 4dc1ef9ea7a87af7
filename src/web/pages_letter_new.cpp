// A letter that starts in the administration (not a reply), registered in the same outgoing
// register as replies (outgoing/letters.hpp):
//
//   GET  /letters/new   staff: the form — recipient (another administration on the platform, or a
//                       person or body off it with a postal address and/or e-mail), language,
//                       subject, the letter as a PDF
//   POST /letters/new   multipart/form-data with _csrf: creates the letter (uploaded PDF) and submits
//                       it to the signers at once; 303 to /letters/{id}?done=submitted, or the form
//                       again (400) with the bilingual errors next to their fields and what was typed
//
// Citizens and companies get the 403 page; anonymous visitors are sent to sign in. No-store.
#include "core/text_normalize.hpp"
#include "identity/service.hpp"
#include "outgoing/letters.hpp"
#include "web/deposit_form.hpp"
#include "web/registry_view.hpp"
#include "web/security.hpp"
#include "web/visit.hpp"
#include "web/window_pages.hpp"

namespace idara::web {

using detail::Visit;

namespace {

struct NewLetterForm {
    std::string kind = "administration";
    std::string administration, name, postal_address, email, subject;
    i18n::Lang lang = i18n::Lang::ar;
    std::vector<FieldError> errors;
    std::map<std::string, std::string> field_errors;  // field → message
};

http::Response form_page(const Visit& v, const NewLetterForm& f, int status) {
    const auto l = v.lang;
    const auto& p = v.session->principal;
    Data d;
    std::vector<FieldError> summary;
    for (const auto& [field, message] : f.field_errors) detail::add_error(summary, d, field, message);
    d.set("error_summary", render_error_summary(l, summary));
    d.set("kind_administration", f.kind == "administration");
    Data admins{Data::type::list};
    if (auto all = v.ctx.identity.list_administrations()) {
        for (const auto& a : *all) {
            if (p.administration_id && a.id == *p.administration_id) continue;
            Data o;
            o.set("value", a.code);
            o.set("label", detail::pick(l, a.name_ar, a.name_fr));
            o.set("selected", a.code == f.administration);
            admins.push_back(o);
        }
    }
    d.set("administrations", admins);
    d.set("name", f.name);
    d.set("postal_address", f.postal_address);
    d.set("email", f.email);
    d.set("subject", f.subject);
    d.set("lang_ar", f.lang == i18n::Lang::ar);
    PageView pv = v.view(msg(l, "web.letters.new.title"), "letters");
    pv.has_errors = !summary.empty();
    return detail::html(status, render_page(pv, "letter_new", d), true);
}

// The field an outgoing error belongs to on this form.
std::string field_of(const Error& e) {
    if (e.code == "outgoing.subject") return "subject";
    if (e.code == "outgoing.recipient_email") return "email";
    if (e.code == "outgoing.recipient") return "recipient";
    if (e.code.rfind("deposit.", 0) == 0 || e.code == "outgoing.upload_not_pdf" || e.code == "outgoing.content")
        return "file";
    return "subject";
}

http::Response show(const http::Request& r, const PagesContext& ctx) {
    Visit v = detail::begin(r, ctx);
    if (!v.session) return detail::to_login(r);
    if (!v.session->principal.is_staff()) return detail::error_response(v, errors::forbidden("letters"));
    NewLetterForm f;
    f.lang = v.lang;
    return form_page(v, f, 200);
}

http::Response create(const http::Request& r, const PagesContext& ctx) {
    Visit v = detail::begin(r, ctx);
    if (!v.session) return detail::to_login(r);
    const auto& p = v.session->principal;
    if (!p.is_staff()) return detail::error_response(v, errors::forbidden("letters"));
    auto parts = http::parse_multipart(r.header("Content-Type").value_or(""), r.body, ctx.multipart_limits);
    if (!parts) return detail::error_response(v, parts.error());
    if (!multipart_csrf_matches(*parts, v.session->csrf_token)) return detail::error_response(v, errors::csrf("letter form"));
    NewLetterForm f;
    auto field = [&](const char* name) { return multipart_field(*parts, name).value_or(""); };
    f.kind = field("kind") == "address" ? "address" : "administration";
    f.administration = field("administration");
    f.name = std::string(text::trim(field("name")));
    f.postal_address = field("postal_address");
    f.email = std::string(text::trim(field("email")));
    f.subject = std::string(text::trim(field("subject")));
    f.lang = i18n::parse_lang(field("lang")).value_or(v.lang);
    auto files = take_files(*parts, "file");
    if (files.empty() || files.front().bytes.empty()) {
        f.field_errors["file"] = msg(v.lang, "web.letters.new.error.file");
        return form_page(v, f, 400);
    }
    outgoing::NewLetter n;
    if (f.kind == "administration") {
        n.recipient.kind = outgoing::RecipientKind::administration;
        n.recipient.administration_code = f.administration;
    } else {
        n.recipient.kind = outgoing::RecipientKind::address;
        n.recipient.name = f.name;
        n.recipient.postal_address = f.postal_address;
    }
    n.recipient.email = f.email;
    n.content.lang = f.lang;
    n.content.subject = f.subject;
    n.content.upload = registry::IncomingFile{files.front().name, std::move(files.front().bytes)};
    auto made = ctx.letters->create(p, std::move(n));
    if (!made) {
        if (made.error().status >= 500 || made.error().status == 403) return detail::error_response(v, made.error());
        const std::string fld = field_of(made.error());
        f.field_errors[fld == "recipient" ? "name" : fld] = detail::service_message(v.lang, made.error());
        return form_page(v, f, made.error().status == 413 ? 413 : 400);
    }
    auto sent = ctx.letters->submit(p, made->id, made->version);
    if (!sent) return detail::error_response(v, sent.error());
    auto res = http::Response::redirect("/letters/" + std::to_string(made->id) + "?done=submitted");
    res.headers.set("Cache-Control", "no-store");
    return res;
}

}  // namespace

void register_new_letter_pages(http::Router& router, const PagesContext& ctx) {
    router.get("/letters/new", [ctx](http::Request& r) { return show(r, ctx); });
    router.post("/letters/new", [ctx](http::Request& r) { return create(r, ctx); });
}

}  // namespace idara::web
