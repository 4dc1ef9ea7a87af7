// Internal: Hijri <-> civil days through ICU's Islamic calendar, in the
// variant chosen in calendar.hpp (islamic-civil). Days are plain day numbers
// (ICU's Julian day), so no time zone is involved.
//
// Thread-safety: any thread (one ICU calendar per thread). An ICU failure
// (a broken installation) throws ErrorException with code "internal".
#pragma once

#include <chrono>

namespace idara::deadline::detail {

// The ICU calendar keyword of the variant in use: "islamic-civil".
inline constexpr const char* kHijriVariant = "islamic-civil";

// The civil day of Hijri `year` / `month` (1..12) / `day` (1..30).
std::chrono::sys_days hijri_to_civil(int year, int month, int day);
// The Hijri year that contains civil day `d`.
int hijri_year_of(std::chrono::sys_days d);

}  // namespace idara::deadline::detail
