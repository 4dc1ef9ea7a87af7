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

namespace idara::deadline {

// The civil day in Casablanca at instant `ms_utc`.
std::chrono::sys_days casablanca_day(std::int64_t ms_utc);
// The last millisecond of civil day `d` in Casablanca (23:59:59.999 local), in ms UTC.
std::int64_t end_of_casablanca_day_ms(std::chrono::sys_days d);

}  // namespace idara::deadline
