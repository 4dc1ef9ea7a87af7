// Test helpers: civil dates as "YYYY-MM-DD" so failures print readably, and instants in UTC.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

namespace idara::deadline::test {

inline std::string iso(std::chrono::year_month_day d) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(d.year()), static_cast<unsigned>(d.month()),
                  static_cast<unsigned>(d.day()));
    return buf;
}

inline std::chrono::year_month_day ymd(int y, unsigned m, unsigned d) {
    return std::chrono::year(y) / std::chrono::month(m) / std::chrono::day(d);
}

// Milliseconds since the epoch of y-m-d h:min in UTC.
inline std::int64_t utc_ms(int y, unsigned m, unsigned d, int h = 11, int min = 0) {
    using namespace std::chrono;
    const auto t = sys_days(ymd(y, m, d)) + hours(h) + minutes(min);
    return duration_cast<milliseconds>(t.time_since_epoch()).count();
}

}  // namespace idara::deadline::test
