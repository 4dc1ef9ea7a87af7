// The parapheur's files: a page of the current version as PNG, and the PDF (parapheur_pages.hpp).
#include "web/parapheur_view.hpp"

namespace idara::web::parapheur_view {
namespace {

// "3.png" → 3.
std::optional<int> page_number(std::string_view file) {
    if (!file.ends_with(".png")) return std::nullopt;
    auto n = parse_id(file.substr(0, file.size() - 4));
    if (!n || *n > 100000) return std::nullopt;
    return static_cast<int>(*n);
}

// A file name for the download: the circuit's file name without what a header must not carry.
std::string download_name(const parapheur::Circuit& c, std::optional<int> version) {
    std::string base;
    for (char ch : c.file_name)
        if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' ||
            ch == '.')
            base += ch;
    if (base.ends_with(".pdf")) base.resize(base.size() - 4);
    if (base.empty()) base = "document-" + std::to_string(c.id);
    if (version) base += "-v" + std::to_string(*version);
    return base + ".pdf";
}

http::Response page_png(const http::Request& r, const PagesContext& ctx, Shared& shared) {
    auto o = open(r, ctx);
    if (auto* res = std::get_if<http::Response>(&o)) return std::move(*res);
    auto& cv = std::get<CircuitVisit>(o);
    const auto& p = cv.v.session->principal;
    auto n = page_number(r.param("file"));
    if (!n) return detail::error_response(cv.v, errors::not_found("page"));
    auto c = ctx.circuits->get(p, cv.id);
    if (!c) return detail::error_response(cv.v, c.error());
    if (c->versions.empty()) return detail::error_response(cv.v, errors::not_found("document"));
    const std::string& sha = c->versions.back().sha256;
    auto img = shared.pages.page(sha, *n, [&] { return ctx.circuits->document(p, cv.id); });
    if (!img) return detail::error_response(cv.v, img.error());
    auto res = http::Response::text(200, (*img)->png, "image/png");
    // The URL names the version it shows: then the image never changes.
    const bool pinned = r.query_param("v").value_or("") == sha;
    res.headers.set("Cache-Control", pinned ? "private, max-age=86400, immutable" : "no-store");
    res.headers.set("X-Content-Type-Options", "nosniff");
    return res;
}

http::Response document_pdf(const http::Request& r, const PagesContext& ctx) {
    auto o = open(r, ctx);
    if (auto* res = std::get_if<http::Response>(&o)) return std::move(*res);
    auto& cv = std::get<CircuitVisit>(o);
    const auto& p = cv.v.session->principal;
    auto c = ctx.circuits->get(p, cv.id);
    if (!c) return detail::error_response(cv.v, c.error());
    std::optional<int> version;
    if (auto q = r.query_param("version")) {
        auto n = parse_id(*q);
        if (!n || *n > 100000) return detail::error_response(cv.v, errors::not_found("version"));
        version = static_cast<int>(*n);
    }
    auto bytes = version ? ctx.circuits->document_version(p, cv.id, *version) : ctx.circuits->document(p, cv.id);
    if (!bytes) return detail::error_response(cv.v, bytes.error());
    auto res = http::Response::text(200, std::move(*bytes), "application/pdf");
    res.headers.set("Content-Disposition", "attachment; filename=\"" + download_name(*c, version) + "\"");
    res.headers.set("Cache-Control", "no-store");
    res.headers.set("X-Content-Type-Options", "nosniff");
    return res;
}

}  // namespace

void register_files(http::Router& router, const PagesContext& ctx, std::shared_ptr<Shared> shared) {
    router.get("/parapheur/{id}/page/{file}", [ctx, shared](http::Request& r) { return page_png(r, ctx, *shared); });
    router.get("/parapheur/{id}/document.pdf", [ctx](http::Request& r) { return document_pdf(r, ctx); });
}

}  // namespace idara::web::parapheur_view
