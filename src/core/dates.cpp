#include "core/dates.hpp"

#include <unicode/calendar.h>
#include <unicode/datefmt.h>
#include <unicode/locid.h>
#include <unicode/timezone.h>
#include <unicode/unistr.h>

#include <cstdio>
#include <ctime>
#include <memory>

namespace idara::i18n {
namespace {

icu::Locale locale_of(Lang l) { return l == Lang::ar ? icu::Locale("ar", "MA") : icu::Locale("fr", "MA"); }

std::unique_ptr<icu::DateFormat> make_format(Lang l, bool with_time) {
    std::unique_ptr<icu::DateFormat> f(
        with_time ? icu::DateFormat::createDateTimeInstance(icu::DateFormat::kLong, icu::DateFormat::kShort, locale_of(l))
                  : icu::DateFormat::createDateInstance(icu::DateFormat::kLong, locale_of(l)));
    if (f) f->adoptTimeZone(icu::TimeZone::createTimeZone("Africa/Casablanca"));
    return f;
}

// ICU formatters are costly to build and not documented as safe to share:
// one per thread, language and style.
std::string format(std::chrono::sys_seconds t, Lang l, bool with_time) {
    thread_local std::unique_ptr<icu::DateFormat> cache[2][2];
    auto& f = cache[l == Lang::ar ? 0 : 1][with_time ? 1 : 0];
    if (!f) f = make_format(l, with_time);
    if (!f) return {};
    icu::UnicodeString out;
    f->format(static_cast<UDate>(t.time_since_epoch().count()) * 1000.0, out);
    std::string utf8;
    out.toUTF8String(utf8);
    return utf8;
}

}  // namespace

std::string format_date(std::chrono::sys_seconds t, Lang l) { return format(t, l, false); }

std::string format_date_time(std::chrono::sys_seconds t, Lang l) { return format(t, l, true); }

std::string casablanca_date_iso(std::int64_t ms) {
    thread_local std::unique_ptr<icu::Calendar> cal;
    UErrorCode status = U_ZERO_ERROR;
    if (!cal) {
        cal.reset(icu::Calendar::createInstance(icu::TimeZone::createTimeZone("Africa/Casablanca"),
                                                icu::Locale::getRoot(), status));
        if (U_FAILURE(status)) cal.reset();
    }
    if (!cal) return {};
    cal->setTime(static_cast<UDate>(ms), status);
    const int y = cal->get(UCAL_EXTENDED_YEAR, status);
    const int m = cal->get(UCAL_MONTH, status) + 1;
    const int d = cal->get(UCAL_DATE, status);
    if (U_FAILURE(status)) return {};
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
    return buf;
}

std::string iso_utc(std::int64_t ms) {
    const std::time_t secs = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

std::string iso_utc_ms(std::int64_t ms) {
    std::int64_t secs = ms / 1000, rem = ms % 1000;
    if (rem < 0) {
        rem += 1000;
        --secs;
    }
    const std::time_t t = static_cast<std::time_t>(secs);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(rem));
    return buf;
}

}  // namespace idara::i18n
