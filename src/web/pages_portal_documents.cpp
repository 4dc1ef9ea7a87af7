// The journey's documents page (portal_pages.hpp):
//
//   GET  /applications/{id}/documents
//       The documents the applicant provides (portal::uploads_of: those without fetched_by and
//       those whose lookup was declined), each with its stored file (name, size, a Remove button)
//       or a file input "doc_<code>"; what may be attached (PDF, JPEG, PNG and the limits).
//   POST /applications/{id}/documents   multipart/form-data (_csrf part): stores every file given
//       (ApplicationService::put_document; an attachment error is shown on its input, 400), then
//       with every required document present marks the page seen (documents_seen) and 303s to
//       where the journey continues, else the page again with "upload <document>" errors (400).
//   POST /applications/{id}/documents   application/x-www-form-urlencoded remove=<code>: removes
//       that file, 303 back to the page.
#include "http/multipart.hpp"
#include "web/deposit_form.hpp"
#include "web/format.hpp"
#include "web/portal_view.hpp"
#include "web/registry_view.hpp"
#include "web/security.hpp"

#include <map>

namespace idara::web::portal {
namespace {

std::string documents_href(std::string_view id) { return app_href(id) + "/documents"; }

http::Response render_documents(const Visit& v, const Journey& j, const std::vector<FieldError>& summary,
                                const std::map<std::string, std::string>& errors, int status) {
    const auto l = v.lang;
    const auto& pr = j.procedure();
    Data docs{Data::type::list};
    bool any_stored = false;
    for (const auto* doc : uploads_of(pr, j.app)) {
        Data it;
        it.set("code", doc->code);
        it.set("input", "doc_" + doc->code);
        it.set("title", doc->title.in(l));
        it.set("optional", !doc->required);
        const auto* stored = j.app.document(doc->code);
        it.set("stored", stored != nullptr);
        any_stored = any_stored || stored != nullptr;
        if (stored != nullptr) {
            it.set("file_html", bdi_auto(stored->name));
            it.set("size_html", bdi_ltr(format_size(stored->size)));
        }
        auto e = errors.find("doc_" + doc->code);
        it.set("has_error", e != errors.end());
        it.set("error", e != errors.end() ? e->second : std::string());
        docs.push_back(it);
    }
    Data d;
    d.set("error_summary", render_error_summary(l, summary));
    d.set("procedure_title", pr.title.in(l));
    d.set("documents", docs);
    d.set("has_documents", !docs.is_empty_list());
    d.set("any_stored", any_stored);
    d.set("action", documents_href(j.app.id));
    detail::set_limits(d, l, v.ctx.attachment_limits);
    return show(v, status, "portal_documents", msg(l, "web.portal.documents.title"), d, !summary.empty(), true,
                "applications");
}

http::Response documents_page(const http::Request& r, const PagesContext& ctx) {
    Visit v = detail::begin(r, ctx);
    if (auto no = refuse(v, false)) return std::move(*no);
    auto j = load(v, r.param("id"));
    if (!j) return detail::error_response(v, j.error());
    if (j->app.state != procedures::State::draft) return http::Response::redirect(app_href(j->app.id));
    return render_documents(v, *j, {}, {}, 200);
}

http::Response remove(const Visit& v, Journey& j) {
    if (!csrf_field_matches(v.req, v.session->csrf_token)) return detail::error_response(v, errors::csrf("portal form"));
    const std::string code = request_fields(v.req)("remove").value_or("");
    auto done = v.ctx.applications->remove_document(v.session->principal, j.app.id, code);
    if (!done) return detail::error_response(v, done.error());
    return http::Response::redirect(documents_href(j.app.id));
}

http::Response upload(const http::Request& r, const PagesContext& ctx) {
    Visit v = detail::begin(r, ctx);
    if (auto no = refuse(v, false)) return std::move(*no);
    auto j = load(v, r.param("id"));
    if (!j) return detail::error_response(v, j.error());
    if (j->app.state != procedures::State::draft) return http::Response::redirect(app_href(j->app.id));
    const std::string type(r.header("Content-Type").value_or(""));
    if (type.rfind("multipart/form-data", 0) != 0) return remove(v, *j);

    auto parts = http::parse_multipart(type, r.body, ctx.multipart_limits);
    if (!parts) return detail::error_response(v, parts.error());
    if (!multipart_csrf_matches(*parts, v.session->csrf_token)) return detail::error_response(v, errors::csrf("portal form"));
    std::vector<FieldError> summary;
    std::map<std::string, std::string> errors;
    Data ignored;
    for (const auto* doc : uploads_of(j->procedure(), j->app)) {
        const std::string input = "doc_" + doc->code;
        auto files = take_files(*parts, input);
        if (files.empty()) continue;
        auto done = ctx.applications->put_document(v.session->principal, j->app.id, doc->code,
                                                   {std::move(files.front().name), std::move(files.front().bytes)});
        if (!done) {
            const Error& e = done.error();
            if (e.status >= 500 || e.status == 403 || e.status == 404 || e.status == 409) return detail::error_response(v, e);
            errors[input] = detail::service_message(v.lang, e);
            detail::add_error(summary, ignored, input, errors[input]);
            continue;
        }
        j->app = std::move(*done);
    }
    for (const auto* doc : uploads_of(j->procedure(), j->app)) {
        const std::string input = "doc_" + doc->code;
        if (!doc->required || j->app.document(doc->code) != nullptr || errors.count(input) != 0u) continue;
        errors[input] = i18n::catalogue().format(v.lang, "web.portal.documents.error.missing", {{"document", doc->title.in(v.lang)}});
        detail::add_error(summary, ignored, input, errors[input]);
    }
    if (!summary.empty()) return render_documents(v, *j, summary, errors, 400);
    // Everything required is here: the journey moves on (to check, unless a step is unanswered).
    if (auto seen = ctx.applications->documents_seen(v.session->principal, j->app.id); !seen)
        return detail::error_response(v, seen.error());
    auto again = load(v, j->app.id);
    if (!again) return detail::error_response(v, again.error());
    return http::Response::redirect(next_href(*again));
}

}  // namespace

void register_document_pages(http::Router& router, const PagesContext& ctx) {
    router.get("/applications/{id}/documents", [ctx](http::Request& r) { return documents_page(r, ctx); });
    router.post("/applications/{id}/documents", [ctx](http::Request& r) { return upload(r, ctx); });
}

}  // namespace idara::web::portal
