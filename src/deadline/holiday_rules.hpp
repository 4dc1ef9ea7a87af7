// Internal: the table of Moroccan public holidays and the computation of one
// civil year's list from it (calendar.hpp states the rules).
#pragma once

#include "deadline/calendar.hpp"

#include <functional>
#include <span>
#include <string_view>
#include <vector>

namespace idara::deadline::detail {

struct FixedRule {
    std::string_view code;
    unsigned month = 1, day = 1;
    int since = 0;  // first civil year it is observed (0: always)
};

struct HijriRule {
    std::string_view code;
    int month = 1, day = 1;  // Hijri month (1..12) and first day
    int length = 1;          // days
};

std::span<const FixedRule> fixed_rules();
std::span<const HijriRule> hijri_rules();

// The shift an administrator set for (code, hijri_year), 0 when none.
using ShiftOf = std::function<int(std::string_view code, int hijri_year)>;

// Every holiday day in civil year `year`, sorted by date (fixed before Hijri on the same day).
std::vector<Holiday> compute_year(int year, const ShiftOf& shift_of);

}  // namespace idara::deadline::detail
