#include "deadline/holiday_rules.hpp"

#include "deadline/hijri.hpp"

#include <algorithm>
#include <array>

namespace idara::deadline::detail {
namespace {

using namespace std::chrono;

constexpr std::array<FixedRule, 10> kFixed{{
    {"new_year", 1, 1, 0},
    {"independence_manifesto", 1, 11, 0},
    {"amazigh_new_year", 1, 14, 2024},  // Royal decision of May 2023, first observed 14 January 2024
    {"labour_day", 5, 1, 0},
    {"throne_day", 7, 30, 0},
    {"oued_eddahab", 8, 14, 0},
    {"revolution_king_people", 8, 20, 0},
    {"youth_day", 8, 21, 0},
    {"green_march", 11, 6, 0},
    {"independence_day", 11, 18, 0},
}};

constexpr std::array<HijriRule, 4> kHijri{{
    {"hijri_new_year", 1, 1, 1},
    {"mawlid", 3, 12, 2},
    {"eid_al_fitr", 10, 1, 2},
    {"eid_al_adha", 12, 10, 2},
}};

void add_fixed(int year, std::vector<Holiday>& out) {
    for (const auto& r : kFixed) {
        if (year < r.since) continue;
        out.push_back({std::chrono::year(year) / month(r.month) / day(r.day), std::string(r.code), 0, 1, 0});
    }
}

// A Hijri year runs about 354 days, so the Hijri years whose holidays can fall
// in a civil year (after a shift of up to two days) are those of 1 January and
// 31 December, plus one on each side.
void add_hijri(int year, const ShiftOf& shift_of, std::vector<Holiday>& out) {
    const sys_days first = sys_days(std::chrono::year(year) / January / 1);
    const sys_days last = sys_days(std::chrono::year(year) / December / 31);
    const int from = hijri_year_of(first) - 1, to = hijri_year_of(last) + 1;
    for (int hy = from; hy <= to; ++hy) {
        for (const auto& r : kHijri) {
            const int shift = shift_of ? shift_of(r.code, hy) : 0;
            const sys_days start = hijri_to_civil(hy, r.month, r.day) + days(shift);
            for (int i = 0; i < r.length; ++i) {
                const sys_days d = start + days(i);
                if (d < first || d > last) continue;
                out.push_back({year_month_day(d), std::string(r.code), hy, i + 1, shift});
            }
        }
    }
}

}  // namespace

std::span<const FixedRule> fixed_rules() { return kFixed; }
std::span<const HijriRule> hijri_rules() { return kHijri; }

std::vector<Holiday> compute_year(int year, const ShiftOf& shift_of) {
    std::vector<Holiday> out;
    add_fixed(year, out);
    add_hijri(year, shift_of, out);
    // Stable: on the same day, fixed holidays (added first) stay before Hijri ones.
    std::stable_sort(out.begin(), out.end(),
                     [](const Holiday& a, const Holiday& b) { return sys_days(a.date) < sys_days(b.date); });
    return out;
}

}  // namespace idara::deadline::detail
