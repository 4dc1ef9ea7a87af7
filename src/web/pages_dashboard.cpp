// GET /dashboard and /dashboard.csv: see dashboard_pages.hpp.
#include "web/dashboard_pages.hpp"

#include "core/clock.hpp"
#include "core/dates.hpp"
#include "dashboard/access.hpp"
#include "dashboard/charts.hpp"
#include "dashboard/csv.hpp"
#include "dashboard/stats.hpp"
#include "dashboard/svg.hpp"
#include "web/deposit_form.hpp"
#include "web/format.hpp"
#include "web/visit.hpp"

namespace idara::web {
namespace {

using detail::Visit;

struct Loaded {
    dashboard::Plan plan;
    dashboard::Dashboard data;
};

dashboard::Query query_of(const http::Request& r) {
    return {r.query_param("unit"), r.query_param("from"), r.query_param("to")};
}

Result<Loaded> load(const Visit& v, storage::Database& db) {
    auto p = dashboard::plan(db, v.session->principal, query_of(v.req), system_clock().now_ms());
    if (!p) return p.error();
    auto d = dashboard::compute(db, p->scope, p->filter);
    if (!d) return d.error();
    return Loaded{std::move(*p), std::move(*d)};
}

const std::string& pick(i18n::Lang l, const std::string& ar, const std::string& fr) {
    return l == i18n::Lang::ar ? ar : fr;
}

// "12,5 jours" / "12.5 يوما"; the dash when nothing was answered.
std::string days_text(i18n::Lang l, const std::optional<double>& v) {
    if (!v) return msg(l, "dashboard.none");
    std::string n = dashboard::svg::number(*v);
    if (l == i18n::Lang::fr)
        for (char& c : n)
            if (c == '.') c = ',';
    return i18n::catalogue().format(l, "dashboard.days", {{"n", n}});
}

std::string days_cell(i18n::Lang l, const std::optional<double>& v) {
    if (!v) return msg(l, "dashboard.none");
    std::string n = dashboard::svg::number(*v);
    if (l == i18n::Lang::fr)
        for (char& c : n)
            if (c == '.') c = ',';
    return n;
}

// The query string of the current filter ("unit=DB&from=…"), for the CSV link.
std::string filter_query(const http::Request& r) {
    std::string q;
    for (const char* k : {"unit", "from", "to"})
        if (auto v = r.query_param(k); v && !v->empty()) q += (q.empty() ? "" : "&") + std::string(k) + "=" + http::url_encode(*v);
    return q;
}

Data week_rows(i18n::Lang l, const dashboard::Dashboard& d) {
    Data list{Data::type::list};
    for (const auto& w : d.weeks) {
        Data row;
        row.set("week_html", bdi_ltr(w.label));
        row.set("monday", web::format_date(from_ms(w.start_ms), l));
        row.set("entries_in", std::to_string(w.entries_in));
        row.set("letters_out", std::to_string(w.letters_out));
        row.set("answered", std::to_string(w.processing.count));
        row.set("median", days_cell(l, w.processing.median_days));
        row.set("p90", days_cell(l, w.processing.p90_days));
        list.push_back(row);
    }
    return list;
}

Data type_rows(i18n::Lang l, const dashboard::Dashboard& d) {
    Data list{Data::type::list};
    for (const auto& t : d.by_type) {
        Data row;
        row.set("code_html", bdi_ltr(t.code));
        const std::string& name = pick(l, t.name_ar, t.name_fr);
        row.set("name_html", bdi_auto(name.empty() ? t.code : name));
        row.set("count", std::to_string(t.count));
        list.push_back(row);
    }
    return list;
}

Data overdue_rows(i18n::Lang l, const dashboard::Dashboard& d) {
    Data list{Data::type::list};
    for (const auto& u : d.overdue_by_unit) {
        Data row;
        row.set("code_html", u.unit_id ? bdi_ltr(u.code) : msg(l, "dashboard.none"));
        row.set("name_html", u.unit_id ? bdi_auto(pick(l, u.name_ar, u.name_fr))
                                       : html_escape(msg(l, "dashboard.unit.unassigned")));
        row.set("count", std::to_string(u.count));
        list.push_back(row);
    }
    return list;
}

Data unit_options(i18n::Lang l, const dashboard::Plan& p) {
    Data list{Data::type::list};
    if (p.whole_administration_allowed) {
        Data all;
        all.set("code", std::string());
        all.set("name", msg(l, "dashboard.unit.all"));
        all.set("selected", !p.unit.has_value());
        list.push_back(all);
    }
    for (const auto& u : p.units) {
        Data row;
        row.set("code", u.code);
        row.set("name", u.code + " – " + pick(l, u.name_ar, u.name_fr));
        row.set("selected", p.unit && p.unit->id == u.id);
        list.push_back(row);
    }
    return list;
}

// The period sentence, escaped, with each date isolated left to right.
std::string period_html(i18n::Lang l, const dashboard::Dashboard& d) {
    return format_html(l, "dashboard.period", {{"from", bdi_ltr(i18n::casablanca_date_iso(d.from_ms))},
                                               {"to", bdi_ltr(i18n::casablanca_date_iso(d.to_ms))}});
}

std::string scope_name(i18n::Lang l, const dashboard::Plan& p) {
    if (p.unit) return pick(l, p.unit->name_ar, p.unit->name_fr);
    return pick(l, p.administration_name_ar, p.administration_name_fr);
}

http::Response page(const http::Request& r, const PagesContext& ctx, storage::Database& db) {
    Visit v = detail::begin(r, ctx);
    if (!v.session) return detail::to_login(r);
    auto got = load(v, db);
    if (!got) return detail::error_response(v, got.error());
    const auto l = v.lang;
    const auto& p = got->plan;
    const auto& d = got->data;
    Data data;
    data.set("lead", i18n::catalogue().format(l, "dashboard.lead", {{"scope", scope_name(l, p)}}));
    data.set("units", unit_options(l, p));
    data.set("from", r.query_param("from").value_or(""));
    data.set("to", r.query_param("to").value_or(""));
    data.set("period_html", period_html(l, d));
    data.set("entries_in", std::to_string(d.entries_in));
    data.set("letters_out", std::to_string(d.letters_out));
    data.set("answered", std::to_string(d.processing.count));
    data.set("median", days_text(l, d.processing.median_days));
    data.set("p90", days_text(l, d.processing.p90_days));
    data.set("median_cell", days_cell(l, d.processing.median_days));
    data.set("p90_cell", days_cell(l, d.processing.p90_days));
    data.set("overdue", std::to_string(d.overdue));
    data.set("weeks_svg", dashboard::weekly_chart(d, l));
    data.set("types_svg", dashboard::type_chart(d, l));
    data.set("overdue_svg", dashboard::overdue_chart(d, l));
    data.set("weeks", week_rows(l, d));
    data.set("types", type_rows(l, d));
    data.set("has_types", !d.by_type.empty());
    data.set("units_overdue", overdue_rows(l, d));
    data.set("has_overdue", !d.overdue_by_unit.empty());
    const std::string q = filter_query(r);
    data.set("csv_href", "/dashboard.csv" + (q.empty() ? std::string() : "?" + q));
    return detail::html(200, render_page(v.view(msg(l, "dashboard.title"), ""), "dashboard", data), true);
}

http::Response csv_export(const http::Request& r, const PagesContext& ctx, storage::Database& db) {
    Visit v = detail::begin(r, ctx);
    if (!v.session) return detail::to_login(r);
    auto got = load(v, db);
    if (!got) return detail::error_response(v, got.error());
    const auto l = v.lang;
    const auto& p = got->plan;
    dashboard::csv::Labels labels{p.administration_code + " – " + pick(l, p.administration_name_ar, p.administration_name_fr),
                                  p.unit ? p.unit->code + " – " + pick(l, p.unit->name_ar, p.unit->name_fr) : ""};
    auto res = http::Response::text(200, dashboard::csv::dashboard_csv(got->data, l, labels), "text/csv; charset=utf-8");
    std::string file = "dashboard-" + p.administration_code + (p.unit ? "-" + p.unit->code : "") + ".csv", safe;
    for (char c : file)
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.')
            safe += c;
    res.headers.set("Content-Disposition", "attachment; filename=\"" + safe + "\"");
    res.headers.set("Cache-Control", "no-store");
    res.headers.set("X-Content-Type-Options", "nosniff");
    return res;
}

}  // namespace

void register_dashboard_pages(http::Router& router, const PagesContext& ctx, storage::Database& db) {
    router.get("/dashboard", [ctx, &db](http::Request& r) { return page(r, ctx, db); });
    router.get("/dashboard.csv", [ctx, &db](http::Request& r) { return csv_export(r, ctx, db); });
}

}  // namespace idara::web
