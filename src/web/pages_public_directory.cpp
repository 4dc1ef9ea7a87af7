// The public directory of a procedure with an evaluation `directory` (evaluation_pages.hpp):
//
//   GET  /services/{code}/directory   no login: the granted applications, newest grant first, with
//                                     the register number, the date of the grant and only the
//                                     directory's fields (EvaluationService::directory); the 404
//                                     page when the procedure has no directory or does not exist;
//                                     ?lang=ar|fr chooses the language of a shared link
//
// Public, the same for everyone: Cache-Control: no-cache.
#include "procedures/evaluation.hpp"
#include "web/evaluation_pages.hpp"
#include "web/evaluation_view.hpp"

namespace idara::web {
namespace evaluation {
namespace {

http::Response directory(const http::Request& r, const PagesContext& ctx) {
    Visit v = detail::begin(r, ctx);
    // A shared link may name its language (?lang=ar|fr); the language switch returns to the page
    // without it, so the visitor's choice wins from then on.
    if (auto q = r.query_param("lang"))
        if (auto ql = i18n::parse_lang(*q)) v.lang = *ql;
    const auto l = v.lang;
    auto listing = ctx.evaluation->directory(r.param("code"));
    if (!listing) return detail::error_response(v, listing.error());
    const auto& p = *listing;
    // The columns: the directory's field labels, as the newest line has them.
    Data columns{Data::type::list};
    if (!p.lines.empty())
        for (const auto& [label, value] : p.lines.front().values) columns.push_back(Data(label.in(l)));
    Data lines{Data::type::list};
    for (const auto& line : p.lines) {
        Data row;
        row.set("number_html", bdi_ltr(line.register_number));
        row.set("granted_on", date(line.granted_at_ms, l));
        Data values{Data::type::list};
        for (const auto& [label, value] : line.values) {
            Data cell;
            cell.set("label", label.in(l));
            cell.set("value_html", bdi_auto(value.in(l)));
            values.push_back(cell);
        }
        row.set("values", values);
        lines.push_back(row);
    }
    Data d;
    d.set("procedure_title", p.procedure_title.in(l));
    d.set("procedure_href", "/services/" + http::url_encode(p.procedure_code));
    d.set("title", p.title.in(l));
    d.set("intro", i18n::catalogue().format(l, "web.evaluation.directory.intro", {{"granted", p.granted.in(l)}}));
    d.set("count_html", format_html(l, "web.evaluation.directory.count",
                                    {{"count", number_html(static_cast<long long>(p.lines.size()))}}));
    d.set("columns", columns);
    d.set("lines", lines);
    d.set("has_lines", !p.lines.empty());
    PageView pv = v.view(p.title.in(l), "services");
    pv.target = directory_href(p.procedure_code);
    return detail::html(200, render_page(pv, "directory_public", d), false);
}

}  // namespace
}  // namespace evaluation

void register_public_directory_pages(http::Router& router, const PagesContext& ctx) {
    router.get("/services/{code}/directory", [ctx](http::Request& r) { return evaluation::directory(r, ctx); });
}

}  // namespace idara::web
