// Civil days in Africa/Casablanca, the time zone of every date the deadline
// engine reads or prints. Instants are int64 milliseconds since the Unix epoch
// (UTC), as the project stores them; civil days are std::chrono::sys_days
// used as day labels. Offsets (UTC+1, UTC+0 during Ramadan) come from ICU's
// time zone data.
//
// Thread-safety: any thread (one ICU time zone per thread).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

namespace idara::deadline {

// The civil day in Casablanca at instant `ms_utc`.
std::chrono::sys_days casablanca_day(std::int64_t ms_utc);
// The last millisecond of civil day `d` in Casablanca (23:59:59.999 local), in ms UTC.
std::int64_t end_of_casablanca_day_ms(std::chrono::sys_days d);
// The first millisecond of civil day `d` in Casablanca (00:00 local), in ms UTC.
std::int64_t start_of_casablanca_day_ms(std::chrono::sys_days d);
// "2026-05-14" (four-digit year, two-digit month and day, a real calendar date) as a civil
// day; nullopt for anything else. Callers bound the year when they need to.
std::optional<std::chrono::sys_days> parse_civil_date(std::string_view s);

}  // namespace idara::deadline
