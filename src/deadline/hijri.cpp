#include "deadline/hijri.hpp"

#include "core/error.hpp"

#include <unicode/calendar.h>
#include <unicode/locid.h>
#include <unicode/timezone.h>

#include <memory>
#include <string>

namespace idara::deadline::detail {
namespace {

// ICU's Julian day of 1970-01-01.
constexpr int kUnixEpochJulianDay = 2440588;

[[noreturn]] void fail(const char* what, UErrorCode st) {
    throw ErrorException(errors::internal(std::string("ICU Islamic calendar: ") + what + ": " + u_errorName(st)));
}

// ICU calendars are mutable objects: one per thread.
icu::Calendar& islamic() {
    thread_local std::unique_ptr<icu::Calendar> cal;
    if (!cal) {
        UErrorCode st = U_ZERO_ERROR;
        const std::string locale = std::string("@calendar=") + kHijriVariant;
        cal.reset(icu::Calendar::createInstance(icu::TimeZone::getGMT()->clone(), icu::Locale(locale.c_str()), st));
        if (U_FAILURE(st) || !cal) fail("create", st);
        if (std::string(cal->getType()) != kHijriVariant) fail("variant not available", U_UNSUPPORTED_ERROR);
    }
    return *cal;
}

}  // namespace

std::chrono::sys_days hijri_to_civil(int year, int month, int day) {
    auto& cal = islamic();
    UErrorCode st = U_ZERO_ERROR;
    cal.clear();
    cal.set(UCAL_EXTENDED_YEAR, year);
    cal.set(UCAL_MONTH, month - 1);
    cal.set(UCAL_DATE, day);
    const int jd = cal.get(UCAL_JULIAN_DAY, st);
    if (U_FAILURE(st)) fail("to civil", st);
    return std::chrono::sys_days(std::chrono::days(jd - kUnixEpochJulianDay));
}

int hijri_year_of(std::chrono::sys_days d) {
    auto& cal = islamic();
    UErrorCode st = U_ZERO_ERROR;
    cal.clear();
    cal.set(UCAL_JULIAN_DAY, static_cast<int>(d.time_since_epoch().count()) + kUnixEpochJulianDay);
    const int year = cal.get(UCAL_EXTENDED_YEAR, st);
    if (U_FAILURE(st)) fail("from civil", st);
    return year;
}

}  // namespace idara::deadline::detail
