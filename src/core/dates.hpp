// Dates as people read them in Morocco: the day and time in Africa/Casablanca,
// formatted with ICU for the ar-MA locale (Western digits, Moroccan month
// names: "15 يوليوز 2025") or fr-MA ("15 juillet 2025"). Used by the web pages
// and by documents (receipts).
//
// Thread-safety: every function may be called from any thread (one ICU
// formatter per thread, language and style).
#pragma once

#include "core/i18n.hpp"

#include <chrono>
#include <cstdint>
#include <string>

namespace idara::i18n {

// "15 يوليوز 2025" / "15 juillet 2025".
std::string format_date(std::chrono::sys_seconds t, Lang l);
// The same with the local time: "15 يوليوز 2025، 14:05" / "15 juillet 2025 à 14:05".
std::string format_date_time(std::chrono::sys_seconds t, Lang l);

// The civil date in Africa/Casablanca at `ms_since_epoch`, as "2026-05-14" (delegations,
// deadlines, dashboards count in local days).
std::string casablanca_date_iso(std::int64_t ms_since_epoch);

// ISO 8601 in UTC to the second, for machines (APIs, logs, the CLI): "2026-05-14T09:30:00Z".
std::string iso_utc(std::int64_t ms_since_epoch);
// The same to the millisecond: "2026-05-14T09:30:00.125Z" (times before 1970 too).
std::string iso_utc_ms(std::int64_t ms_since_epoch);

}  // namespace idara::i18n
