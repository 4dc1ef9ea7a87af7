// GovStack statistics (the specification's separate statistics API):
//   GET /api/govstack/data/statistics[?startDate&endDate&registrationName&operator&role&timeframe]
//   GET /api/govstack/data/statistics/1.0   the same (the path of the specification's test harness)
// The Information-Mediator-Client header is required. Staff only (auth.forbidden otherwise): counts over the applications their administration
// received, by the Casablanca date they were submitted (startDate..endDate inclusive,
// YYYY-MM-DD). registrationName is a serviceId (a procedure code); operator filters on the
// assignee's name; role is accepted and ignored (idara has no per-role statistics).
// processed: submitted; approved / rejected: the status model's APPROVED / REJECTED;
// sentBack: files that received the missing-documents request. Items have exactly the fields of
// the specification. Without timeframe the answer is one item; with day|week (from Monday)|month|
// year one item per period that has files, oldest first, whose references.startDate/endDate are
// the period's first and last days (within the requested range).
#include "api/govstack_common.hpp"

#include "api/json_io.hpp"
#include "core/dates.hpp"
#include "identity/service.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <chrono>
#include <map>

namespace idara::api::govstack {

namespace json = boost::json;

namespace {

bool valid_date(std::string_view s) {
    if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
    for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
        if (s[i] < '0' || s[i] > '9') return false;
    const std::chrono::year_month_day d{std::chrono::year{std::stoi(std::string(s.substr(0, 4)))},
                                        std::chrono::month{static_cast<unsigned>(std::stoi(std::string(s.substr(5, 2))))},
                                        std::chrono::day{static_cast<unsigned>(std::stoi(std::string(s.substr(8, 2))))}};
    return d.ok();
}

// The first day of the period holding `date` (a valid YYYY-MM-DD).
std::string period_of(const std::string& date, std::string_view timeframe) {
    if (timeframe == "month") return date.substr(0, 7) + "-01";
    if (timeframe == "year") return date.substr(0, 4) + "-01-01";
    if (timeframe == "week") {
        using namespace std::chrono;
        const year_month_day d{year{std::stoi(date.substr(0, 4))}, month{static_cast<unsigned>(std::stoi(date.substr(5, 2)))},
                               day{static_cast<unsigned>(std::stoi(date.substr(8, 2)))}};
        const sys_days sd{d};
        const auto monday = sd - (weekday{sd} - Monday);
        const year_month_day m{monday};
        char buf[16];
        std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(m.year()), static_cast<unsigned>(m.month()),
                      static_cast<unsigned>(m.day()));
        return buf;
    }
    return date;
}

// The last day of the period starting on `first` (a day, a Monday, the 1st of a month or of January).
std::string period_end(const std::string& first, std::string_view timeframe) {
    using namespace std::chrono;
    const year_month_day d{year{std::stoi(first.substr(0, 4))}, month{static_cast<unsigned>(std::stoi(first.substr(5, 2)))},
                           day{static_cast<unsigned>(std::stoi(first.substr(8, 2)))}};
    year_month_day e = d;
    if (timeframe == "week") e = year_month_day{sys_days{d} + days{6}};
    if (timeframe == "month") e = year_month_day{year_month_day_last{d.year(), month_day_last{d.month()}}};
    if (timeframe == "year") e = year_month_day{d.year(), December, day{31}};
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(e.year()), static_cast<unsigned>(e.month()),
                  static_cast<unsigned>(e.day()));
    return buf;
}

struct Counts {
    std::int64_t processed = 0, approved = 0, sent_back = 0, rejected = 0;
};

http::Response statistics(const GovStackApi& api, const http::Request& req) {
    auto c = caller(req, api.identity, true);
    if (!c) return error_response(c.error());
    if (!c->who.is_staff()) return error_response(errors::forbidden("staff only"));
    const auto start = req.query_param("startDate").value_or("");
    const auto end = req.query_param("endDate").value_or("");
    const auto service = req.query_param("registrationName").value_or("");
    const auto op = req.query_param("operator").value_or("");
    const auto tf = req.query_param("timeframe").value_or("");
    const auto role = req.query_param("role").value_or("");
    if (service.size() > 200 || op.size() > 200 || role.size() > 200)
        return error_response(errors::bad_request("registrationName, operator and role are at most 200 bytes"));
    if (!start.empty() && !valid_date(start)) return error_response(errors::bad_request("startDate must be YYYY-MM-DD"));
    if (!end.empty() && !valid_date(end)) return error_response(errors::bad_request("endDate must be YYYY-MM-DD"));
    if (!start.empty() && !end.empty() && end < start) return error_response(errors::bad_request("endDate before startDate"));
    if (!tf.empty() && tf != "day" && tf != "week" && tf != "month" && tf != "year")
        return error_response(errors::bad_request("timeframe must be day, week, month or year"));
    auto list = api.applications.list_received(c->who, service, 100000);
    if (!list) return error_response(list.error());
    std::map<std::string, Counts> by_period;
    for (const auto& s : *list) {
        auto a = api.applications.get_received(c->who, s.id);
        if (!a) return error_response(a.error());
        if (!a->submitted_at_ms) continue;
        const auto date = i18n::casablanca_date_iso(*a->submitted_at_ms);
        if ((!start.empty() && date < start) || (!end.empty() && date > end)) continue;
        auto d = dossier_of(api, c->who, *a);
        if (!d) return error_response(d.error());
        if (!op.empty() && (!*d || (*d)->assignee_name != op)) continue;
        auto& n = by_period[tf.empty() ? std::string() : period_of(date, tf)];
        ++n.processed;
        const auto st = status_of(a->state, *d);
        if (st.code == "APPROVED") ++n.approved;
        else if (st.code == "REJECTED") ++n.rejected;
        if (*d && (*d)->missing_requested_at_ms) ++n.sent_back;
    }
    if (tf.empty() && by_period.empty()) by_period[""];
    json::array out;
    for (const auto& [period, n] : by_period) {
        json::object refs{{"timeframeDay", tf == "day"}, {"timeframeWeek", tf == "week"},
                          {"timeframeMonth", tf == "month"}, {"timeframeYear", tf == "year"}};
        std::string from = start, to = end;
        if (!period.empty()) {
            from = std::max(start, period);
            const auto last = period_end(period, tf);
            to = end.empty() ? last : std::min(end, last);
        }
        if (!from.empty()) refs["startDate"] = from;
        if (!to.empty()) refs["endDate"] = to;
        if (!service.empty()) refs["registrationName"] = service;
        if (!op.empty()) refs["operator"] = op;
        if (!role.empty()) refs["role"] = role;
        out.push_back(json::object{{"processed", n.processed}, {"approved", n.approved}, {"sentBack", n.sent_back},
                                   {"rejected", n.rejected}, {"references", std::move(refs)}});
    }
    return json_no_store(200, out);
}

}  // namespace

void register_statistics(http::Router& r, const GovStackApi& api) {
    r.get("/api/govstack/data/statistics", [api](http::Request& req) { return statistics(api, req); });
    r.get("/api/govstack/data/statistics/1.0", [api](http::Request& req) { return statistics(api, req); });
}

}  // namespace idara::api::govstack
