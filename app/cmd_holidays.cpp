// idara holidays list / adjust / clear: the holiday calendar the legal deadlines count on,
// and the operator's adjustments of Hijri holidays (deadline/holiday_store.hpp). A change
// recomputes the due dates of open entries (processing/due_dates.hpp) and is logged.
#include "cli_common.hpp"
#include "commands.hpp"
#include "runtime.hpp"

#include "core/dates.hpp"
#include "core/log.hpp"
#include "processing/due_dates.hpp"
#include "processing/legal_clock.hpp"

#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iomanip>
#include <iostream>
#include <memory>

namespace idara::app {

namespace {

struct HolidayArgs {
    std::optional<int> year;
    std::string code;
    int hijri_year = 0;
    int shift = 0;
};

Result<std::unique_ptr<Runtime>> open(const GlobalOptions& g) { return open_runtime(load_config(g), OpenMode::existing); }

std::string iso_date(std::chrono::year_month_day d) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(d.year()), static_cast<unsigned>(d.month()),
                  static_cast<unsigned>(d.day()));
    return buf;
}

// Who made the change, for the log: the console and the system user.
std::string console_user() {
    const char* u = std::getenv("USER");
    return std::string("cli ") + (u ? u : "?");
}

int print_recomputed(Runtime& rt) {
    auto n = processing::recompute_open_due_dates(*rt.db, *rt.holidays, processing::legal_rules(*rt.holidays));
    if (!n) return fail(n.error());
    std::cout << *n << " open entries got a new due date\n";
    return 0;
}

int cmd_list(const GlobalOptions& g, const HolidayArgs& a) {
    auto rt = open(g);
    if (!rt) return fail(rt.error());
    auto& store = *(*rt)->holidays;
    const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch()).count();
    const int year = a.year.value_or(std::stoi(i18n::casablanca_date_iso(now_ms).substr(0, 4)));
    auto list = store.holidays(year);
    if (!list) return fail(list.error());
    for (const auto& h : *list) {
        std::cout << iso_date(h.date) << "  " << std::left << std::setw(24) << h.code;
        if (h.hijri())
            std::cout << "hijri " << h.hijri_year << " day " << h.day << " shift " << std::showpos << h.shift_days
                      << std::noshowpos << "  ";
        else
            std::cout << std::setw(29) << "fixed";
        std::cout << h.name(i18n::Lang::fr) << " — " << h.name(i18n::Lang::ar) << "\n";
    }
    auto adjustments = store.list();
    if (!adjustments) return fail(adjustments.error());
    std::cout << "adjustments: " << adjustments->size() << "\n";
    for (const auto& s : *adjustments)
        std::cout << "  " << std::left << std::setw(16) << s.adjustment.code << s.adjustment.hijri_year << " "
                  << std::showpos << s.adjustment.shift_days << std::noshowpos << " day(s), set "
                  << i18n::iso_utc(s.set_at) << "\n";
    return 0;
}

int cmd_adjust(const GlobalOptions& g, const HolidayArgs& a) {
    auto rt = open(g);
    if (!rt) return fail(rt.error());
    const deadline::Adjustment adj{a.code, a.hijri_year, a.shift};
    auto stored = (*rt)->holidays->set(adj, std::nullopt);
    if (!stored) return fail(stored.error());
    log::info("holiday.adjusted", {{"code", adj.code},
                                   {"hijri_year", std::to_string(adj.hijri_year)},
                                   {"shift_days", std::to_string(adj.shift_days)},
                                   {"by", console_user()}});
    std::cout << "adjusted " << adj.code << " " << adj.hijri_year << " by " << std::showpos << adj.shift_days
              << std::noshowpos << " day(s)\n";
    return print_recomputed(**rt);
}

int cmd_clear(const GlobalOptions& g, const HolidayArgs& a) {
    auto rt = open(g);
    if (!rt) return fail(rt.error());
    if (auto s = (*rt)->holidays->clear(a.code, a.hijri_year); !s) return fail(s.error());
    log::info("holiday.adjustment_cleared",
              {{"code", a.code}, {"hijri_year", std::to_string(a.hijri_year)}, {"by", console_user()}});
    std::cout << "cleared " << a.code << " " << a.hijri_year << ": the computed date applies\n";
    return print_recomputed(**rt);
}

}  // namespace

template <class Cli>
void add_holidays_commands(Cli& app, GlobalOptions& g, int& rc) {
    auto a = std::make_shared<HolidayArgs>();
    auto* holidays = app.add_subcommand("holidays", "The public holidays deadlines count on, and their adjustments");
    holidays->require_subcommand(1);

    auto* list = holidays->add_subcommand("list", "List a year's holidays (with adjustments) and every adjustment");
    add_global(*list, g);
    list->add_option("--year", a->year, "Civil year (default: this year)")->check(CLI::Range(1970, 2200));
    list->callback([&g, &rc, a] { rc = cmd_list(g, *a); });

    auto* adjust = holidays->add_subcommand("adjust", "Move one occurrence of a Hijri holiday by -2..+2 days");
    add_global(*adjust, g);
    adjust->add_option("code", a->code, "hijri_new_year, mawlid, eid_al_fitr or eid_al_adha")->required();
    adjust->add_option("hijri_year", a->hijri_year, "Hijri year, e.g. 1447")->required();
    adjust->add_option("shift", a->shift, "Days, -2..2")->required();
    adjust->callback([&g, &rc, a] { rc = cmd_adjust(g, *a); });

    auto* clear = holidays->add_subcommand("clear", "Remove an adjustment: the computed date applies again");
    add_global(*clear, g);
    clear->add_option("code", a->code, "Holiday code")->required();
    clear->add_option("hijri_year", a->hijri_year, "Hijri year")->required();
    clear->callback([&g, &rc, a] { rc = cmd_clear(g, *a); });
}

template void add_holidays_commands<CLI::App>(CLI::App& app, GlobalOptions& g, int& rc);

}  // namespace idara::app
