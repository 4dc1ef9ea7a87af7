#include "api/dashboard.hpp"

#include "api/auth.hpp"
#include "api/json_io.hpp"
#include "core/clock.hpp"
#include "core/dates.hpp"
#include "dashboard/access.hpp"
#include "dashboard/csv.hpp"
#include "dashboard/stats.hpp"
#include "identity/service.hpp"

#include <boost/json.hpp>

#include <cmath>

namespace idara::api {

namespace json = boost::json;

namespace {

json::value days(const std::optional<double>& v) {
    if (!v) return nullptr;
    return std::round(*v * 10.0) / 10.0;
}

json::object percentiles_json(const dashboard::Percentiles& p) {
    return {{"count", p.count}, {"median_days", days(p.median_days)}, {"p90_days", days(p.p90_days)}};
}

json::object names(const std::string& ar, const std::string& fr) { return {{"ar", ar}, {"fr", fr}}; }

json::object dashboard_json(const dashboard::Plan& p, const dashboard::Dashboard& d) {
    json::array weeks;
    for (const auto& w : d.weeks)
        weeks.push_back(json::object{{"week", w.label},
                                     {"starts_on", i18n::casablanca_date_iso(w.start_ms)},
                                     {"entries_in", w.entries_in},
                                     {"letters_out", w.letters_out},
                                     {"processing", percentiles_json(w.processing)}});
    json::array by_unit;
    for (const auto& u : d.overdue_by_unit)
        by_unit.push_back(json::object{{"unit", u.unit_id ? json::value(u.code) : json::value(nullptr)},
                                       {"name", names(u.name_ar, u.name_fr)},
                                       {"count", u.count}});
    json::array by_type;
    for (const auto& t : d.by_type)
        by_type.push_back(json::object{{"type", t.code}, {"name", names(t.name_ar, t.name_fr)}, {"count", t.count}});
    return {{"administration", p.administration_code},
            {"unit", p.unit ? json::value(p.unit->code) : json::value(nullptr)},
            {"from", i18n::casablanca_date_iso(d.from_ms)},
            {"to", i18n::casablanca_date_iso(d.to_ms)},
            {"generated_at", i18n::iso_utc(d.now_ms)},
            {"weeks", std::move(weeks)},
            {"totals", json::object{{"entries_in", d.entries_in}, {"letters_out", d.letters_out}}},
            {"processing", percentiles_json(d.processing)},
            {"overdue", json::object{{"total", d.overdue}, {"by_unit", std::move(by_unit)}}},
            {"by_type", std::move(by_type)}};
}

struct Computed {
    identity::Principal who;
    dashboard::Plan plan;
    dashboard::Dashboard data;
};

Result<Computed> run(const http::Request& req, identity::Service& ids, storage::Database& db) {
    auto who = authenticate(req, ids);
    if (!who) return who.error();
    const dashboard::Query q{req.query_param("unit"), req.query_param("from"), req.query_param("to")};
    auto p = dashboard::plan(db, *who, q, system_clock().now_ms());
    if (!p) return p.error();
    auto d = dashboard::compute(db, p->scope, p->filter);
    if (!d) return d.error();
    return Computed{std::move(*who), std::move(*p), std::move(*d)};
}

}  // namespace

void register_dashboard(http::Router& r, identity::Service& ids, storage::Database& db) {
    r.get("/api/v1/dashboard", [&ids, &db](http::Request& req) -> http::Response {
        auto c = run(req, ids, db);
        if (!c) return error_response(c.error());
        return json_no_store(200, dashboard_json(c->plan, c->data));
    });
    r.get("/api/v1/dashboard.csv", [&ids, &db](http::Request& req) -> http::Response {
        auto c = run(req, ids, db);
        if (!c) return error_response(c.error());
        const i18n::Lang l = i18n::parse_lang(req.query_param("lang").value_or("")).value_or(c->who.lang);
        const bool ar = l == i18n::Lang::ar;
        const auto& p = c->plan;
        dashboard::csv::Labels labels{p.administration_code + " – " + (ar ? p.administration_name_ar : p.administration_name_fr),
                                      p.unit ? p.unit->code + " – " + (ar ? p.unit->name_ar : p.unit->name_fr) : ""};
        auto res = http::Response::text(200, dashboard::csv::dashboard_csv(c->data, l, labels), "text/csv; charset=utf-8");
        const std::string file = "dashboard-" + p.administration_code + (p.unit ? "-" + p.unit->code : "") + "-" +
                                 i18n::casablanca_date_iso(c->data.from_ms) + ".csv";
        std::string safe;  // codes are [A-Za-z0-9_-]; anything else is dropped from the file name
        for (char ch : file)
            if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' ||
                ch == '_' || ch == '.')
                safe += ch;
        res.headers.set("Content-Disposition", "attachment; filename=\"" + safe + "\"");
        res.headers.set("Cache-Control", "no-store");
        res.headers.set("X-Content-Type-Options", "nosniff");
        return res;
    });
}

}  // namespace idara::api
