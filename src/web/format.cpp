#include "web/format.hpp"

#include "web/render.hpp"

#include <unicode/datefmt.h>
#include <unicode/locid.h>
#include <unicode/timezone.h>
#include <unicode/unistr.h>

#include <memory>

namespace idara::web {
namespace {

icu::Locale locale_of(i18n::Lang l) { return l == i18n::Lang::ar ? icu::Locale("ar", "MA") : icu::Locale("fr", "MA"); }

std::unique_ptr<icu::DateFormat> make_format(i18n::Lang l, bool with_time) {
    std::unique_ptr<icu::DateFormat> f(
        with_time ? icu::DateFormat::createDateTimeInstance(icu::DateFormat::kLong, icu::DateFormat::kShort, locale_of(l))
                  : icu::DateFormat::createDateInstance(icu::DateFormat::kLong, locale_of(l)));
    if (f) f->adoptTimeZone(icu::TimeZone::createTimeZone("Africa/Casablanca"));
    return f;
}

// ICU formatters are costly to build and not documented as safe to share:
// one per thread, language and style.
std::string format(std::chrono::sys_seconds t, i18n::Lang l, bool with_time) {
    thread_local std::unique_ptr<icu::DateFormat> cache[2][2];
    auto& f = cache[l == i18n::Lang::ar ? 0 : 1][with_time ? 1 : 0];
    if (!f) f = make_format(l, with_time);
    if (!f) return {};
    icu::UnicodeString out;
    f->format(static_cast<UDate>(t.time_since_epoch().count()) * 1000.0, out);
    std::string utf8;
    out.toUTF8String(utf8);
    return utf8;
}

}  // namespace

std::string bdi_ltr(std::string_view text) { return "<bdi dir=\"ltr\">" + html_escape(text) + "</bdi>"; }

std::string bdi_auto(std::string_view text) { return "<bdi>" + html_escape(text) + "</bdi>"; }

std::string format_date(std::chrono::sys_seconds t, i18n::Lang l) { return format(t, l, false); }

std::string format_date_time(std::chrono::sys_seconds t, i18n::Lang l) { return format(t, l, true); }

}  // namespace idara::web
