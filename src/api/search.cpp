#include "api/search.hpp"

#include "api/auth.hpp"
#include "api/json_io.hpp"
#include "core/clock.hpp"
#include "core/dates.hpp"
#include "deadline/casablanca_day.hpp"
#include "identity/service.hpp"
#include "processing/search_viewer.hpp"

#include <boost/json.hpp>


namespace idara::api {

namespace json = boost::json;

namespace {

Error filter(std::string detail) { return Error{"search.filter", 400, std::move(detail)}; }

// "YYYY-MM-DD" → the start of that day in Casablanca (ms UTC); with `next`, of the day after.
std::optional<std::int64_t> day_start(std::string_view s, bool next = false) {
    auto d = deadline::parse_civil_date(s);
    if (!d) return std::nullopt;
    return deadline::start_of_casablanca_day_ms(*d + std::chrono::days(next ? 1 : 0));
}

}  // namespace

Result<search::SearchQuery> read_search_query(const http::Request& req, identity::Service& ids,
                                              const identity::TenantScope& scope, std::int64_t now_ms) {
    search::SearchQuery q;
    q.text = req.query_param("q").value_or("");
    q.now_ms = now_ms;
    for (const auto& [k, v] : http::parse_urlencoded(req.query))
        if (k == "state" && !v.empty()) q.states.insert(v);
    if (auto u = req.query_param("unit"); u && !u->empty()) {
        auto unit = ids.find_unit(scope, *u);
        if (!unit) return filter("unknown unit " + *u);
        q.lead_unit_id = unit->id;
    }
    if (auto t = req.query_param("type"); t && !t->empty()) q.type_code = *t;
    if (auto f = req.query_param("from"); f && !f->empty()) {
        auto ms = day_start(*f);
        if (!ms) return filter("from");
        q.registered_from = *ms;
    }
    if (auto t = req.query_param("to"); t && !t->empty()) {
        auto ms = day_start(*t, /*next=*/true);  // the whole day, inclusive
        if (!ms) return filter("to");
        q.registered_to = *ms;
    }
    q.overdue = req.query_param("overdue").value_or("") == "1";
    if (auto o = req.query_param("order"); o && !o->empty()) {
        if (*o == "best") q.order = search::Order::best;
        else if (*o == "newest") q.order = search::Order::newest;
        else if (*o == "due") q.order = search::Order::due;
        else return filter("order");
    }
    if (auto l = req.query_param("limit"); l && !l->empty()) {
        auto n = parse_decimal(*l);
        if (!n || *n < 1 || *n > search::kMaxLimit) return filter("limit");
        q.limit = static_cast<int>(*n);
    }
    if (auto o = req.query_param("offset"); o && !o->empty()) {
        auto n = parse_decimal(*o);
        if (!n || *n < 0 || *n > search::kMaxCount) return filter("offset");
        q.offset = *n;
    }
    return q;
}

void register_search(http::Router& r, identity::Service& ids, storage::Database& db) {
    r.get("/api/v1/search", [&ids, &db](http::Request& req) -> http::Response {
        auto who = authenticate(req, ids);
        if (!who) return error_response(who.error());
        auto scope = staff_scope(*who);
        if (!scope) return error_response(scope.error());
        auto q = read_search_query(req, ids, *scope, system_clock().now_ms());
        if (!q) return error_response(q.error());
        auto page = search::search(db, *q, processing::search_viewer(*who));
        if (!page) return error_response(page.error());
        json::array rows;
        for (const auto& row : page->rows)
            rows.push_back(json::object{{"register_number", row.register_number},
                                        {"subject", row.subject},
                                        {"state", row.state},
                                        {"type", row.type_code},
                                        {"registered_at", i18n::iso_utc(row.registered_at)},
                                        {"due_at", i18n::iso_utc(row.due_at)},
                                        {"confidential", row.confidential},
                                        {"snippet", row.snippet}});
        return json_no_store(200, json::object{{"total", page->total},
                                                   {"total_capped", page->total_capped},
                                                   {"by_relevance", page->by_relevance},
                                                   {"entries", std::move(rows)}});
    });
}

}  // namespace idara::api
