#include "deadline/calendar.hpp"

#include "deadline/holiday_rules.hpp"

#include <algorithm>
#include <array>
#include <bitset>
#include <tuple>

namespace idara::deadline {

using namespace std::chrono;

struct HolidayCalendar::Year {
    sys_days first;
    std::vector<Holiday> list;
    std::bitset<366> off;  // bit i: first + i days is a holiday
};

namespace {

constexpr std::array<std::string_view, 14> kCodes{
    "new_year",     "independence_manifesto", "amazigh_new_year", "labour_day",      "throne_day",
    "oued_eddahab", "revolution_king_people", "youth_day",        "green_march",     "independence_day",
    "hijri_new_year", "mawlid",               "eid_al_fitr",      "eid_al_adha",
};

Error invalid(const char* code, std::string detail) { return Error(code, 400, std::move(detail)); }

}  // namespace

std::span<const std::string_view> holiday_codes() { return kCodes; }

bool is_holiday_code(std::string_view code) {
    return std::find(kCodes.begin(), kCodes.end(), code) != kCodes.end();
}

bool is_hijri_code(std::string_view code) {
    const auto rules = detail::hijri_rules();
    return std::any_of(rules.begin(), rules.end(), [&](const auto& r) { return r.code == code; });
}

std::string holiday_name_key(std::string_view code) { return "deadline.holiday." + std::string(code); }

std::string Holiday::name(i18n::Lang l) const { return i18n::catalogue().get(l, holiday_name_key(code)); }

Status validate(const Adjustment& a) {
    if (!is_holiday_code(a.code)) return invalid("holiday.unknown", "unknown holiday code: " + a.code);
    if (!is_hijri_code(a.code)) return invalid("holiday.not_hijri", "fixed holidays cannot move: " + a.code);
    if (a.hijri_year < kMinHijriYear || a.hijri_year > kMaxHijriYear)
        return invalid("holiday.hijri_year", "Hijri year out of range: " + std::to_string(a.hijri_year));
    if (a.shift_days < -kMaxShiftDays || a.shift_days > kMaxShiftDays)
        return invalid("holiday.shift", "shift out of range: " + std::to_string(a.shift_days));
    return {};
}

Result<std::shared_ptr<const HolidayCalendar>> HolidayCalendar::create(std::vector<Adjustment> adjustments) {
    for (const auto& a : adjustments)
        if (auto s = validate(a); !s) return s.error();
    std::sort(adjustments.begin(), adjustments.end(), [](const Adjustment& a, const Adjustment& b) {
        return std::tie(a.hijri_year, a.code) < std::tie(b.hijri_year, b.code);
    });
    for (std::size_t i = 1; i < adjustments.size(); ++i) {
        if (adjustments[i].hijri_year == adjustments[i - 1].hijri_year && adjustments[i].code == adjustments[i - 1].code)
            return invalid("holiday.duplicate", "two adjustments for " + adjustments[i].code + " " +
                                                    std::to_string(adjustments[i].hijri_year));
    }
    return std::make_shared<const HolidayCalendar>(Key{}, std::move(adjustments));
}

HolidayCalendar::HolidayCalendar(Key, std::vector<Adjustment> adjustments) : adjustments_(std::move(adjustments)) {}

std::shared_ptr<const HolidayCalendar::Year> HolidayCalendar::year(int y) const {
    {
        std::shared_lock lock(mutex_);
        if (auto it = years_.find(y); it != years_.end()) return it->second;
    }
    // Computed outside the lock (two threads may both compute a year; the first one stored wins).
    auto shift_of = [this](std::string_view code, int hijri_year) {
        for (const auto& a : adjustments_)
            if (a.hijri_year == hijri_year && a.code == code) return a.shift_days;
        return 0;
    };
    auto data = std::make_shared<Year>();
    data->first = sys_days(std::chrono::year(y) / January / 1);
    data->list = detail::compute_year(y, shift_of);
    for (const auto& h : data->list)
        data->off.set(static_cast<std::size_t>((sys_days(h.date) - data->first).count()));
    std::unique_lock lock(mutex_);
    return years_.emplace(y, std::move(data)).first->second;
}

std::vector<Holiday> HolidayCalendar::holidays(int y) const { return year(y)->list; }

bool HolidayCalendar::is_holiday(sys_days d) const {
    const auto data = year(static_cast<int>(year_month_day(d).year()));
    return data->off.test(static_cast<std::size_t>((d - data->first).count()));
}

bool HolidayCalendar::is_working_day(sys_days d) const {
    const weekday wd(d);
    if (wd == Saturday || wd == Sunday) return false;
    return !is_holiday(d);
}

sys_days HolidayCalendar::working_day_on_or_after(sys_days d) const {
    while (!is_working_day(d)) d += days(1);
    return d;
}

}  // namespace idara::deadline
