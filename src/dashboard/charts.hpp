// The dashboard's charts as SVG, with titles, descriptions and legends from the message
// catalogues (dashboard.json) in the page's language. Each chart has a data table beside
// it on the page (web/templates/dashboard.mustache) carrying the same numbers.
//
// Thread-safety: pure functions (the catalogue is immutable).
#pragma once

#include "core/i18n.hpp"
#include "dashboard/stats.hpp"

#include <string>

namespace idara::dashboard {

// Entries in and letters out per ISO week (grouped bars, weeks left to right).
std::string weekly_chart(const Dashboard& d, i18n::Lang l);
// Entries of the period by type (horizontal bars).
std::string type_chart(const Dashboard& d, i18n::Lang l);
// Overdue entries now, by lead unit (horizontal bars).
std::string overdue_chart(const Dashboard& d, i18n::Lang l);

// "W07" for week "2026-W07" (the year is in the chart's description and the table).
std::string short_week(const std::string& label);

}  // namespace idara::dashboard
