// Public tracking of a deposit, without signing in.
//
//   GET /track                      the form: register number + tracking code (a GET form)
//   GET /track?number=…&code=…      the same page with the result below the form: the
//                                   administration, type, status, processing state (and,
//                                   when transferred, the number at the competent
//                                   administration), registration time, due date and
//                                   history (TrackedEntry: no body, no depositor, no
//                                   attachments; processing events translated). Number and code are read leniently
//                                   (normalize_reference: spaces, case, Arabic-Indic digits).
// Only one of the two given → 400 with the error summary. A wrong code and an
// unknown number give the same "not found" message with status 404, so the page
// does not tell which numbers exist. The code is in the URL here by design (a GET
// form, so the result can be bookmarked by its owner): the page is no-store and
// Referrer-Policy no-referrer.
#include "registry/deposit.hpp"
#include "web/deposit_form.hpp"
#include "web/deposit_pages.hpp"
#include "web/format.hpp"
#include "web/registry_view.hpp"

namespace idara::web {
namespace {

using detail::Visit;

http::Response track(const http::Request& r, const PagesContext& ctx) {
    Visit v = detail::begin(r, ctx);
    const auto l = v.lang;
    const std::string number = normalize_reference(r.query_param("number").value_or(""));
    const std::string code = normalize_reference(r.query_param("code").value_or(""));
    Data d;
    std::vector<FieldError> summary;
    int status = 200;
    d.set("number", number);
    d.set("code", code);
    if (!number.empty() || !code.empty()) {
        if (number.empty()) detail::add_error(summary, d, "number", msg(l, "web.track.error.number_missing"));
        if (code.empty()) detail::add_error(summary, d, "code", msg(l, "web.track.error.code_missing"));
        if (!summary.empty()) status = 400;
    }
    if (!number.empty() && !code.empty()) {
        auto t = ctx.deposits->track(number, code, r.remote_addr);
        if (!t) {
            if (t.error().status != 404) return detail::error_response(v, t.error());
            status = 404;
            d.set("not_found", true);
        } else {
            d.set("found", true);
            d.set("number_html", bdi_ltr(t->register_number));
            d.set("administration", detail::pick(l, t->administration_name_ar, t->administration_name_fr));
            d.set("type", detail::pick(l, t->type_name_ar, t->type_name_fr));
            d.set("status_html", detail::status_tag(l, t->status));
            if (!t->state.empty()) d.set("state", msg_or(l, "processing.state." + t->state, t->state));
            if (t->transferred_to) d.set("transferred_to_html", bdi_ltr(*t->transferred_to));
            d.set("registered_at", format_date_time(from_ms(t->registered_at_ms), l));
            d.set("due_at", format_date(from_ms(t->due_at_ms), l));
            Data events{Data::type::list};
            for (const auto& e : t->events) {
                Data row;
                row.set("date", format_date_time(from_ms(e.at_ms), l));
                row.set("label", msg_or(l, "processing.event." + e.kind, detail::event_label(l, e.kind)));
                events.push_back(row);
            }
            d.set("events", events);
        }
    }
    d.set("error_summary", render_error_summary(l, summary));
    PageView pv = v.view(msg(l, "web.track.title"), "track");
    pv.has_errors = !summary.empty();
    auto res = detail::html(status, render_page(pv, "track", d), true);
    res.headers.set("Referrer-Policy", "no-referrer");
    return res;
}

}  // namespace

void register_track_pages(http::Router& router, const PagesContext& ctx) {
    router.get("/track", [ctx](http::Request& r) { return track(r, ctx); });
}

}  // namespace idara::web
