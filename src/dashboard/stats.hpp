// Dashboards of the correspondence window (issue 4, docs/design/dashboards.md): what an
// administration, or one of its units, received and sent per week, how long answers took
// and what is overdue now. Aggregates only: no subject, body or depositor ever leaves here,
// so confidential entries count like any other and reveal nothing.
//
// Periods are whole ISO weeks (Monday 00:00 to Sunday 24:00) in Africa/Casablanca: the
// period runs from the Monday of the week holding `from_ms` to the end of the week holding
// `to_ms`. Defaults: `to_ms` = `now_ms`, `from_ms` = 12 full weeks before the current one
// (13 weeks in all). At most kMaxWeeks weeks.
//
// What is counted (all inside the tenant's administration, always):
//   entries_in    register entries (not cancelled) by registered_at; with a unit: those whose
//                 lead unit (entry_flow.lead_unit_id) is that unit
//   letters_out   the outgoing register: letters given a register number, by approved_at (the
//                 registration time); with a unit: replies to entries led by that unit
//   processing    entries answered or rejected (answered_at set; also when closed since), by
//                 the week of answered_at: days = (answered_at − registered_at − pause) / 24 h,
//                 where the pause of the missing-documents request is completed_at −
//                 missing_requested_at (answered_at − missing_requested_at if never completed).
//                 Calendar days, elapsed time. Median and 90th percentile by NEAREST RANK on the
//                 sorted durations: the value at rank ceil(p/100 · n) (1-based); no
//                 interpolation, so a percentile is always one real entry's duration.
//   overdue       a snapshot at `now_ms`, not limited to the period: open entries (registered,
//                 assigned, in_progress; not paused, so never missing_documents) with
//                 due_at < now_ms; total and by lead unit (none: "unassigned")
//   by_type       entries_in of the whole period by type_code, with the type's names (the
//                 administration's own deposit type, else the platform default)
// Percentiles are computed here, in C++, from durations read with plain SQL, so both
// backends give the same numbers.
//
// Errors: dashboard.filter (400) when the period is empty, reversed or longer than kMaxWeeks
// weeks, or the unit is not one of the administration's; storage.* from the database.
//
// Thread-safety: compute() may be called from any thread (it only reads, in one transaction).
#pragma once

#include "core/error.hpp"
#include "identity/principal.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace idara::storage {
class Database;
}

namespace idara::dashboard {

inline constexpr int kDefaultPastWeeks = 12;
inline constexpr int kMaxWeeks = 106;  // two years and a bit

struct Filter {
    std::optional<std::int64_t> lead_unit_id;  // nullopt: the whole administration
    std::optional<std::int64_t> from_ms, to_ms;
    std::int64_t now_ms = 0;
};

// Median and 90th percentile (nearest rank) of processing times, in days.
struct Percentiles {
    std::int64_t count = 0;
    std::optional<double> median_days, p90_days;  // nullopt when count == 0
};

struct Week {
    std::string label;                 // ISO week "2026-W07"
    std::chrono::sys_days monday{};    // its first day (Casablanca civil date)
    std::int64_t start_ms = 0, end_ms = 0;  // [start, end] in ms UTC
    std::int64_t entries_in = 0, letters_out = 0;
    Percentiles processing;
};

struct UnitCount {
    std::optional<std::int64_t> unit_id;  // nullopt: no lead unit yet
    std::string code, name_ar, name_fr;   // empty for "unassigned"
    std::int64_t count = 0;
};

struct TypeCount {
    std::string code, name_ar, name_fr;  // names empty when the type is unknown
    std::int64_t count = 0;
};

struct Dashboard {
    std::int64_t administration_id = 0;
    std::optional<std::int64_t> unit_id;
    std::int64_t from_ms = 0, to_ms = 0, now_ms = 0;  // the normalised period (whole weeks)
    std::vector<Week> weeks;                          // oldest first, every week even when empty
    std::int64_t entries_in = 0, letters_out = 0;     // sums over the weeks
    Percentiles processing;                           // over the whole period
    std::int64_t overdue = 0;
    std::vector<UnitCount> overdue_by_unit;           // most overdue first, then by code
    std::vector<TypeCount> by_type;                   // largest first, then by code
};

Result<Dashboard> compute(storage::Database& db, const identity::TenantScope& scope, const Filter& f);

// ---- Helpers, public for the API, the pages and the tests.

// The nearest-rank percentile p (0 < p ≤ 100) of `sorted` (ascending, non-empty).
double nearest_rank(const std::vector<double>& sorted, double p);
// Median and p90 of unsorted durations (in days).
Percentiles percentiles(std::vector<double> days);
// The Monday of the ISO week holding civil day `d`.
std::chrono::sys_days iso_monday(std::chrono::sys_days d);
// "2026-W07" for the ISO week starting on `monday`.
std::string iso_week_label(std::chrono::sys_days monday);

}  // namespace idara::dashboard
