// Law 55-19 processing deadlines: pure functions over a HolidayCalendar.
//
// Counting:
//  - Days are civil days in Africa/Casablanca. Counting starts the day after
//    the deposit's civil date (a deposit at 23:50 on Monday starts on Tuesday).
//  - Working-day rules count only working days (Monday-Friday, not a
//    holiday); the due date is the N-th working day.
//  - Calendar-day rules count every day; when the N-th day is not a working
//    day the due date moves to the next working day.
//  - The due instant is the end of the due civil day in Casablanca
//    (23:59:59.999 local), as ms since the epoch (UTC).
//  - Rule::days is taken in 1..3660 (smaller or larger values are clamped).
//
// The one missing-documents request pauses the clock:
//  - consumed = counted days in (deposit date, request date]; while the
//    request is pending there is no due date;
//  - when the depositor completes the file, counting restarts the day after
//    the completion date with remaining = days - consumed, and the same rule
//    (working days, or calendar days with the move to a working day);
//  - a request made on or after the last day (consumed >= days) still leaves
//    1 day: the administration gets one counted day after the completion.
//    The pause never shortens the deadline a depositor was promised before it;
//  - a completion dated before the request counts as made on the request
//    date, a request dated before the deposit as made on the deposit date.
// Refusing a second request is the caller's job (only one is modelled here).
//
// Errors: none; ICU failures (a broken installation) throw ErrorException.
// Thread-safety: all functions may be called from any thread.
#pragma once

#include "deadline/calendar.hpp"

#include <chrono>
#include <cstdint>
#include <optional>

namespace idara::deadline {

inline constexpr int kMaxRuleDays = 3660;

struct Rule {
    int days = 60;
    bool working_days = false;  // count working days (else calendar days)
};

struct MissingDocuments {
    std::int64_t requested_ms = 0;                // when the administration asked (ms UTC)
    std::optional<std::int64_t> completed_ms;     // when the depositor completed the file; nullopt: pending
};

struct Deadline {
    bool paused = false;       // a request is pending: no due date until the file is complete
    int consumed_days = 0;     // counted days used before the request (0 without one)
    int remaining_days = 0;    // days counted from the restart (Rule::days without a request)
    std::optional<std::chrono::year_month_day> due_date;  // absent while paused
    std::optional<std::int64_t> due_ms;                   // end of due_date in Casablanca, ms UTC
};

// Whether the rule counts day `d` (every day, or working days only).
bool counts(const HolidayCalendar& cal, const Rule& rule, std::chrono::year_month_day d);
// The number of days the rule counts in (after, upto]; 0 when upto <= after.
int counted_days(const HolidayCalendar& cal, const Rule& rule, std::chrono::year_month_day after,
                 std::chrono::year_month_day upto);

// The due civil date for `days` counted days starting the day after `start`
// (a deposit or completion date), with the calendar-day move to a working day.
std::chrono::year_month_day due_date(const HolidayCalendar& cal, const Rule& rule, std::chrono::year_month_day start);

// The due instant of a deposit made at `deposit_ms` with no pause.
std::int64_t due_instant(const HolidayCalendar& cal, const Rule& rule, std::int64_t deposit_ms);

// The deadline of a deposit, with the missing-documents request if there was one.
Deadline compute_deadline(const HolidayCalendar& cal, const Rule& rule, std::int64_t deposit_ms,
                          const std::optional<MissingDocuments>& request = std::nullopt);

// For lists. Counted days left from `now_ms` to `due_ms`: the days the rule
// counts in (today, due date]; 0 on the due date itself. Negative when overdue
// (now_ms > due_ms): minus the counted days in (due date, today], at least -1,
// so a negative value always means overdue.
int days_left(const HolidayCalendar& cal, const Rule& rule, std::int64_t now_ms, std::int64_t due_ms);

// The end (ms UTC) of the `working_days`-th working day after today (today
// itself for 0; taken in 0..3660): entries with now_ms <= due_ms <= this
// limit are "due soon" (a bound for SQL queries).
std::int64_t due_soon_limit(const HolidayCalendar& cal, std::int64_t now_ms, int working_days);
// Not overdue and due within `working_days` working days (see due_soon_limit).
bool due_soon(const HolidayCalendar& cal, std::int64_t now_ms, std::int64_t due_ms, int working_days);

}  // namespace idara::deadline
