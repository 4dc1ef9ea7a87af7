#include "api/holidays.hpp"

#include "api/auth.hpp"
#include "api/json_io.hpp"
#include "core/dates.hpp"
#include "core/log.hpp"
#include "deadline/holiday_store.hpp"
#include "processing/due_dates.hpp"
#include "processing/legal_clock.hpp"

#include <boost/json.hpp>

#include <limits>
#include <chrono>

namespace idara::api {

namespace json = boost::json;

namespace {

std::optional<int> parse_int(std::string_view s) {
    auto v = parse_decimal(s);
    if (!v || *v < std::numeric_limits<int>::min() || *v > std::numeric_limits<int>::max()) return std::nullopt;
    return static_cast<int>(*v);
}

json::object names(std::string_view code) {
    const auto& c = i18n::catalogue();
    const std::string key = deadline::holiday_name_key(code);
    return {{"ar", c.get(i18n::Lang::ar, key)}, {"fr", c.get(i18n::Lang::fr, key)}};
}

std::string iso_date(std::chrono::year_month_day d) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(d.year()), static_cast<unsigned>(d.month()),
                  static_cast<unsigned>(d.day()));
    return buf;
}

int current_year() {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::system_clock::now().time_since_epoch()).count();
    return parse_int(i18n::casablanca_date_iso(ms).substr(0, 4)).value_or(2026);
}

// The operator making a change, or the error to answer.
Result<identity::Principal> operator_of(const http::Request& req, identity::Service& ids) {
    auto who = authenticate(req, ids);
    if (!who) return who.error();
    if (!who->is_operator()) return errors::forbidden("holiday adjustments are for platform operators");
    return who;
}

// Due dates of open entries on the new calendar; a failure is logged, the change stands.
json::value recompute(storage::Database& db, deadline::HolidayStore& holidays) {
    auto n = processing::recompute_open_due_dates(db, holidays, processing::legal_rules(holidays));
    if (n) return *n;
    log::error("deadline.recompute_failed", {{"code", n.error().code}, {"detail", n.error().detail}});
    return nullptr;
}

}  // namespace

void register_holidays(http::Router& r, identity::Service& ids, deadline::HolidayStore& holidays,
                       storage::Database& db) {
    r.get("/api/v1/holidays", [&holidays](http::Request& req) -> http::Response {
        int year = current_year();
        if (auto y = req.query_param("year")) {
            auto v = parse_int(*y);
            if (!v) return error_response(Error{"holiday.year", 400, *y});
            year = *v;
        }
        auto list = holidays.holidays(year);
        if (!list) return error_response(list.error());
        json::array out;
        for (const auto& h : *list)
            out.push_back(json::object{{"date", iso_date(h.date)},
                                       {"code", h.code},
                                       {"name", names(h.code)},
                                       {"hijri", h.hijri()},
                                       {"hijri_year", h.hijri_year},
                                       {"day", h.day},
                                       {"shift_days", h.shift_days}});
        return json_no_store(200, json::object{{"year", year}, {"holidays", std::move(out)}});
    });

    r.get("/api/v1/holiday-adjustments", [&ids, &holidays](http::Request& req) -> http::Response {
        auto who = authenticate(req, ids);
        const bool op = who && who->is_operator();
        auto list = holidays.list();
        if (!list) return error_response(list.error());
        json::array out;
        for (const auto& s : *list) {
            json::object o{{"code", s.adjustment.code},
                           {"name", names(s.adjustment.code)},
                           {"hijri_year", s.adjustment.hijri_year},
                           {"shift_days", s.adjustment.shift_days},
                           {"set_at", i18n::iso_utc(s.set_at)}};
            if (op) o["set_by"] = s.set_by ? json::value(*s.set_by) : json::value(nullptr);
            out.push_back(std::move(o));
        }
        return json_no_store(200, json::object{{"adjustments", std::move(out)}});
    });

    r.add(http::Method::put, "/api/v1/holiday-adjustments/{code}/{hijri_year}",
          [&ids, &holidays, &db](http::Request& req) -> http::Response {
              auto who = operator_of(req, ids);
              if (!who) return error_response(who.error());
              auto year = parse_int(req.param("hijri_year"));
              if (!year) return error_response(Error{"holiday.hijri_year", 400, std::string(req.param("hijri_year"))});
              auto body = parse_json_object(req);
              if (!body) return error_response(body.error());
              auto shift = optional_int(*body, "shift_days");
              if (!shift) return error_response(shift.error());
              if (!*shift) return error_response(errors::bad_request("missing field 'shift_days'"));
              if (**shift < -deadline::kMaxShiftDays || **shift > deadline::kMaxShiftDays)
                  return error_response(Error{"holiday.shift", 400, std::to_string(**shift)});
              const deadline::Adjustment a{std::string(req.param("code")), *year, static_cast<int>(**shift)};
              auto stored = holidays.set(a, who->account_id);
              if (!stored) return error_response(stored.error());
              log::info("holiday.adjusted", {{"code", a.code},
                                             {"hijri_year", std::to_string(a.hijri_year)},
                                             {"shift_days", std::to_string(a.shift_days)},
                                             {"by", std::to_string(who->account_id)},
                                             {"login", who->login},
                                             {"origin", "api " + req.remote_addr}});
              return json_no_store(200, json::object{{"code", a.code},
                                            {"name", names(a.code)},
                                            {"hijri_year", a.hijri_year},
                                            {"shift_days", a.shift_days},
                                            {"set_at", i18n::iso_utc(stored->set_at)},
                                            {"set_by", who->account_id},
                                            {"recomputed_entries", recompute(db, holidays)}});
          });

    r.add(http::Method::del, "/api/v1/holiday-adjustments/{code}/{hijri_year}",
          [&ids, &holidays, &db](http::Request& req) -> http::Response {
              auto who = operator_of(req, ids);
              if (!who) return error_response(who.error());
              auto year = parse_int(req.param("hijri_year"));
              if (!year) return error_response(Error{"holiday.hijri_year", 400, std::string(req.param("hijri_year"))});
              const std::string code(req.param("code"));
              if (auto s = holidays.clear(code, *year); !s) return error_response(s.error());
              log::info("holiday.adjustment_cleared", {{"code", code},
                                                       {"hijri_year", std::to_string(*year)},
                                                       {"by", std::to_string(who->account_id)},
                                                       {"login", who->login},
                                                       {"origin", "api " + req.remote_addr}});
              return json_no_store(200, json::object{{"code", code},
                                            {"hijri_year", *year},
                                            {"cleared", true},
                                            {"recomputed_entries", recompute(db, holidays)}});
          });
}

}  // namespace idara::api
