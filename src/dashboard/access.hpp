// Who may see which dashboard, and the filter of a request (shared by the JSON API and the
// web page so both apply the same rules).
//
//   admin, registry clerk   the whole administration, or any one of its units
//   unit head               only the units they head (membership unit_head with that unit);
//                           without a unit: the first of them by code
//   anyone else             auth.forbidden (403), citizens and operators included
// A unit code that is not the administration's: dashboard.filter (400). A unit that exists
// but is not the caller's: auth.forbidden (403).
//
// Dates are Casablanca civil dates YYYY-MM-DD, both inclusive; a bad date or from > to is
// dashboard.filter (400). The period is then widened to whole ISO weeks by compute().
//
// Thread-safety: any thread.
#pragma once

#include "core/error.hpp"
#include "dashboard/stats.hpp"
#include "identity/principal.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace idara::dashboard {

struct Query {
    std::optional<std::string> unit;  // unit code; empty or absent: the default
    std::optional<std::string> from, to;
};

struct UnitChoice {
    std::int64_t id = 0;
    std::string code, name_ar, name_fr;
};

// A request that may go ahead.
struct Plan {
    identity::TenantScope scope;
    Filter filter;
    std::string administration_code, administration_name_ar, administration_name_fr;
    std::optional<UnitChoice> unit;       // the unit shown, if any
    bool whole_administration_allowed = false;
    std::vector<UnitChoice> units;        // the units the caller may choose, by code
};

Result<Plan> plan(storage::Database& db, const identity::Principal& who, const Query& q, std::int64_t now_ms);

// "2026-05-14" → that civil day; nullopt unless a valid date in [2000, 2100).
std::optional<std::chrono::sys_days> parse_date(std::string_view s);

}  // namespace idara::dashboard
