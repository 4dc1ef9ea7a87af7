#include "deadline/deadline.hpp"

#include "deadline/casablanca_day.hpp"

#include <algorithm>

namespace idara::deadline {

using namespace std::chrono;

namespace {

int clamp_days(int days) { return std::clamp(days, 1, kMaxRuleDays); }

// The `n`-th counted day after `start`, moved to a working day for calendar-day rules.
sys_days count_forward(const HolidayCalendar& cal, const Rule& rule, sys_days start, int n) {
    sys_days d = start;
    for (int k = 0; k < n;) {
        d += days(1);
        if (counts(cal, rule, d)) ++k;
    }
    return rule.working_days ? d : cal.working_day_on_or_after(d);
}

Deadline running(const HolidayCalendar& cal, const Rule& rule, sys_days start, int consumed, int remaining) {
    Deadline out;
    out.consumed_days = consumed;
    out.remaining_days = remaining;
    const sys_days due = count_forward(cal, rule, start, remaining);
    out.due_date = year_month_day(due);
    out.due_ms = end_of_casablanca_day_ms(due);
    return out;
}

}  // namespace

bool counts(const HolidayCalendar& cal, const Rule& rule, year_month_day d) {
    return !rule.working_days || cal.is_working_day(sys_days(d));
}

int counted_days(const HolidayCalendar& cal, const Rule& rule, year_month_day after, year_month_day upto) {
    int n = 0;
    for (sys_days d = sys_days(after) + days(1); d <= sys_days(upto); d += days(1))
        if (counts(cal, rule, d)) ++n;
    return n;
}

year_month_day due_date(const HolidayCalendar& cal, const Rule& rule, year_month_day start) {
    return year_month_day(count_forward(cal, rule, sys_days(start), clamp_days(rule.days)));
}

std::int64_t due_instant(const HolidayCalendar& cal, const Rule& rule, std::int64_t deposit_ms) {
    return end_of_casablanca_day_ms(sys_days(due_date(cal, rule, casablanca_day(deposit_ms))));
}

Deadline compute_deadline(const HolidayCalendar& cal, const Rule& rule, std::int64_t deposit_ms,
                          const std::optional<MissingDocuments>& request) {
    const int total = clamp_days(rule.days);
    const sys_days deposited = casablanca_day(deposit_ms);
    if (!request) return running(cal, rule, deposited, 0, total);

    const sys_days requested = std::max(deposited, casablanca_day(request->requested_ms));
    const int consumed = counted_days(cal, rule, deposited, requested);
    const int remaining = std::max(1, total - consumed);
    if (!request->completed_ms) {
        Deadline out;
        out.paused = true;
        out.consumed_days = consumed;
        out.remaining_days = remaining;
        return out;
    }
    const sys_days completed = std::max(requested, casablanca_day(*request->completed_ms));
    return running(cal, rule, completed, consumed, remaining);
}

int days_left(const HolidayCalendar& cal, const Rule& rule, std::int64_t now_ms, std::int64_t due_ms) {
    const sys_days today = casablanca_day(now_ms), due = casablanca_day(due_ms);
    if (now_ms <= due_ms) return counted_days(cal, rule, today, due);
    return -std::max(1, counted_days(cal, rule, due, today));
}

std::int64_t due_soon_limit(const HolidayCalendar& cal, std::int64_t now_ms, int working_days) {
    sys_days d = casablanca_day(now_ms);
    for (int k = 0, n = std::clamp(working_days, 0, kMaxRuleDays); k < n;) {
        d += days(1);
        if (cal.is_working_day(d)) ++k;
    }
    return end_of_casablanca_day_ms(d);
}

bool due_soon(const HolidayCalendar& cal, std::int64_t now_ms, std::int64_t due_ms, int working_days) {
    return now_ms <= due_ms && due_ms <= due_soon_limit(cal, now_ms, working_days);
}

}  // namespace idara::deadline
