// Moroccan public holidays, the calendar every Law 55-19 deadline is counted on.
//
// Fixed holidays (civil dates): new_year 1 Jan, independence_manifesto 11 Jan,
// amazigh_new_year 14 Jan (observed since 2024), labour_day 1 May, throne_day
// 30 Jul, oued_eddahab 14 Aug, revolution_king_people 20 Aug, youth_day 21 Aug,
// green_march 6 Nov, independence_day 18 Nov.
// Hijri holidays: hijri_new_year 1 Muharram, mawlid 12-13 Rabi' al-awwal,
// eid_al_fitr 1-2 Shawwal, eid_al_adha 10-11 Dhu al-Hijja.
//
// Hijri variant: ICU's "islamic-civil" (the arithmetic calendar, civil epoch
// 16 July 622). It was chosen because it gives the dates Morocco observed for
// Eid al-Fitr 1445 and 1446 (2024-04-10, 2025-03-31), Eid al-Adha 1445 and
// 1446 (2024-06-17, 2025-06-07) and Mawlid 1446 (2024-09-16); each other
// variant misses four or five of them by a day (tests/deadline pin these).
// "islamic-umalqura" follows Saudi Arabia, usually one day earlier than
// Morocco (not always: Eid al-Fitr 1445 fell on the same day); "islamic"
// (astronomical) and "islamic-tbla" are a day earlier on all five.
// Known error: Morocco starts a month on the sighting of the crescent, which
// no arithmetic rule predicts; the computed date is regularly one day off
// (occasionally two), either way. That is what adjustments are for: an
// administrator moves one occurrence (code + Hijri year, every day of it) by
// -2..+2 days once the Ministry of Habous announces the sighting.
//
// A Gregorian year can hold the same Hijri holiday twice (Eid al-Fitr on
// 2033-01-03 and 2033-12-23), and a two-day holiday can straddle 31 December:
// holidays(year) lists every day that falls in the year, whatever the Hijri
// year of its occurrence. Each day of a several-day holiday is its own entry.
// A fixed and a Hijri holiday on the same day are both listed.
//
// Working day: Monday to Friday and not a holiday. Civil dates are days in
// Africa/Casablanca (see casablanca_day.hpp for instants).
//
// Errors (validate / create), status 400:
//   holiday.unknown      the code is not a holiday code
//   holiday.not_hijri    the code is a fixed holiday (those never move)
//   holiday.hijri_year   the Hijri year is outside 1400..1600 (1979..2174)
//   holiday.shift        the shift is outside -2..+2 days
//   holiday.duplicate    two adjustments for the same code and Hijri year
//
// Thread-safety: a HolidayCalendar is immutable once created and may be shared
// between threads; the per-year lists it caches are guarded internally.
#pragma once

#include "core/error.hpp"
#include "core/i18n.hpp"

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace idara::deadline {

inline constexpr int kMaxShiftDays = 2;
inline constexpr int kMinHijriYear = 1400;
inline constexpr int kMaxHijriYear = 1600;

struct Holiday {
    std::chrono::year_month_day date;
    std::string code;     // stable code, e.g. "eid_al_fitr"; catalogue key "deadline.holiday.<code>"
    int hijri_year = 0;   // Hijri year of the occurrence; 0 for fixed holidays
    int day = 1;          // day within a holiday of several days (Eid al-Fitr day 1, day 2)
    int shift_days = 0;   // the administrator's adjustment applied to this occurrence

    bool hijri() const { return hijri_year != 0; }
    // The holiday's name from the message catalogue (same for each of its days).
    std::string name(i18n::Lang l) const;
    bool operator==(const Holiday&) const = default;
};

// Moves one occurrence of a Hijri holiday by shift_days (-2..+2).
struct Adjustment {
    std::string code;
    int hijri_year = 0;
    int shift_days = 0;
    bool operator==(const Adjustment&) const = default;
};

// Every holiday code: the fixed ones in date order, then the Hijri ones.
std::span<const std::string_view> holiday_codes();
bool is_holiday_code(std::string_view code);
bool is_hijri_code(std::string_view code);
// The catalogue key of a holiday's name: "deadline.holiday.<code>".
std::string holiday_name_key(std::string_view code);

// Checks one adjustment (codes above, except holiday.duplicate).
Status validate(const Adjustment& a);

class HolidayCalendar {
public:
    // A calendar with these adjustments (validated; any error refuses them all).
    static Result<std::shared_ptr<const HolidayCalendar>> create(std::vector<Adjustment> adjustments = {});

    // The holiday days of civil year `year`, in date order (fixed before Hijri on the same day).
    std::vector<Holiday> holidays(int year) const;
    bool is_holiday(std::chrono::sys_days d) const;
    bool is_working_day(std::chrono::sys_days d) const;
    // The first working day on or after `d`.
    std::chrono::sys_days working_day_on_or_after(std::chrono::sys_days d) const;
    // The adjustments this calendar was built with, sorted by Hijri year then code.
    const std::vector<Adjustment>& adjustments() const { return adjustments_; }

    HolidayCalendar(const HolidayCalendar&) = delete;
    HolidayCalendar& operator=(const HolidayCalendar&) = delete;

    struct Year;  // one civil year's holidays (defined in calendar.cpp)

private:
    struct Key {
        explicit Key() = default;
    };

public:
    // Use create(); the key keeps construction there (validation first).
    HolidayCalendar(Key, std::vector<Adjustment> adjustments);

private:
    std::shared_ptr<const Year> year(int y) const;

    std::vector<Adjustment> adjustments_;
    mutable std::shared_mutex mutex_;
    mutable std::map<int, std::shared_ptr<const Year>> years_;  // guarded by mutex_
};

}  // namespace idara::deadline
