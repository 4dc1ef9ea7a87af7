// The holiday calendar over HTTP (deadline/calendar.hpp, deadline/holiday_store.hpp).
//
//   GET    /api/v1/holidays?year=2026     public: {"year", "holidays": [{"date": "2026-03-20",
//          "code", "name": {"ar","fr"}, "hijri": bool, "hijri_year" (0 for fixed), "day",
//          "shift_days"}]}; the current year (Africa/Casablanca) without ?year=.
//          400 holiday.year outside 1970..2200 or not a number.
//   GET    /api/v1/holiday-adjustments    public: {"adjustments": [{"code", "name", "hijri_year",
//          "shift_days", "set_at"}]}; a platform operator also sees "set_by" (account id).
//   PUT    /api/v1/holiday-adjustments/{code}/{hijri_year}   {"shift_days": -2..2}
//          → 200 the adjustment and "recomputed_entries"
//   DELETE /api/v1/holiday-adjustments/{code}/{hijri_year}
//          → 200 {"code","hijri_year","cleared":true,"recomputed_entries"}; 404 when none
// PUT and DELETE: a platform operator only (Principal::is_operator), else 403
// auth.forbidden (401 auth.required without credentials). Errors of the adjustment:
// holiday.unknown, holiday.not_hijri, holiday.hijri_year, holiday.shift (400).
// Every change is logged (holiday.adjusted / holiday.adjustment_cleared, with who) and the
// due dates of open entries are recomputed on the new calendar
// (processing/due_dates.hpp) with the legal rules on this store (processing/legal_clock.hpp).
#pragma once

#include "http/router.hpp"

namespace idara::identity {
class Service;
}
namespace idara::deadline {
class HolidayStore;
}
namespace idara::storage {
class Database;
}

namespace idara::api {

// `db` is the database the entries live in (for recomputing their due dates).
void register_holidays(http::Router& r, identity::Service& ids, deadline::HolidayStore& holidays,
                       storage::Database& db);

}  // namespace idara::api
