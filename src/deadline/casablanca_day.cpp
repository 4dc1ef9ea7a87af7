#include "deadline/casablanca_day.hpp"

#include "core/error.hpp"

#include <unicode/timezone.h>
#include <unicode/unistr.h>

#include <memory>

namespace idara::deadline {
namespace {

constexpr std::int64_t kDayMs = 86'400'000;

const icu::TimeZone& casablanca() {
    thread_local std::unique_ptr<icu::TimeZone> tz;
    if (!tz) {
        tz.reset(icu::TimeZone::createTimeZone("Africa/Casablanca"));
        icu::UnicodeString id;
        if (!tz || tz->getID(id) != icu::UnicodeString("Africa/Casablanca"))
            throw ErrorException(errors::internal("ICU has no Africa/Casablanca time zone"));
    }
    return *tz;
}

// The offset from UTC at `date` (UTC ms when !local, wall-clock ms when local).
std::int64_t offset_ms(double date, bool local) {
    UErrorCode st = U_ZERO_ERROR;
    std::int32_t raw = 0, dst = 0;
    casablanca().getOffset(date, local, raw, dst, st);
    if (U_FAILURE(st)) throw ErrorException(errors::internal(std::string("ICU getOffset: ") + u_errorName(st)));
    return static_cast<std::int64_t>(raw) + dst;
}

std::int64_t floor_div(std::int64_t a, std::int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

}  // namespace

std::chrono::sys_days casablanca_day(std::int64_t ms_utc) {
    const std::int64_t local = ms_utc + offset_ms(static_cast<double>(ms_utc), false);
    return std::chrono::sys_days(std::chrono::days(floor_div(local, kDayMs)));
}

std::int64_t end_of_casablanca_day_ms(std::chrono::sys_days d) {
    // Midnight starting the next day, as wall-clock time (Morocco never changes its clocks at midnight).
    const std::int64_t next_midnight_local = (d.time_since_epoch().count() + 1) * kDayMs;
    return next_midnight_local - offset_ms(static_cast<double>(next_midnight_local), true) - 1;
}

std::int64_t start_of_casablanca_day_ms(std::chrono::sys_days d) {
    return end_of_casablanca_day_ms(d - std::chrono::days(1)) + 1;
}

std::optional<std::chrono::sys_days> parse_civil_date(std::string_view s) {
    if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
    auto num = [&](std::size_t at, std::size_t len) -> std::optional<int> {
        int v = 0;
        for (std::size_t i = at; i < at + len; ++i) {
            if (s[i] < '0' || s[i] > '9') return std::nullopt;
            v = v * 10 + (s[i] - '0');
        }
        return v;
    };
    auto y = num(0, 4), m = num(5, 2), d = num(8, 2);
    if (!y || !m || !d) return std::nullopt;
    const std::chrono::year_month_day ymd{std::chrono::year(*y), std::chrono::month(static_cast<unsigned>(*m)),
                                          std::chrono::day(static_cast<unsigned>(*d))};
    if (!ymd.ok()) return std::nullopt;
    return std::chrono::sys_days(ymd);
}

}  // namespace idara::deadline
