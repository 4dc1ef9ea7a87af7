#include "dashboard/stats.hpp"

#include "deadline/casablanca_day.hpp"
#include "storage/db.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

namespace idara::dashboard {

using storage::Tx;

namespace {

constexpr double kDayMs = 86'400'000.0;

Error filter_error(std::string detail) { return {"dashboard.filter", 400, std::move(detail)}; }

// The index of the week holding `ms`, or -1 outside the period.
int week_of(const std::vector<Week>& weeks, std::int64_t ms) {
    auto it = std::upper_bound(weeks.begin(), weeks.end(), ms,
                               [](std::int64_t v, const Week& w) { return v < w.start_ms; });
    if (it == weeks.begin()) return -1;
    --it;
    return ms <= it->end_ms ? static_cast<int>(it - weeks.begin()) : -1;
}

Result<std::vector<Week>> make_weeks(const Filter& f) {
    const std::int64_t to = f.to_ms.value_or(f.now_ms);
    const auto last = iso_monday(deadline::casablanca_day(to));
    const auto first = f.from_ms ? iso_monday(deadline::casablanca_day(*f.from_ms))
                                 : last - std::chrono::days(7 * kDefaultPastWeeks);
    if (first > last) return filter_error("the period ends before it starts");
    const auto n = (last - first).count() / 7 + 1;
    if (n > kMaxWeeks) return filter_error("the period is longer than " + std::to_string(kMaxWeeks) + " weeks");
    std::vector<Week> weeks;
    for (auto m = first; m <= last; m += std::chrono::days(7)) {
        Week w;
        w.monday = m;
        w.label = iso_week_label(m);
        w.start_ms = deadline::start_of_casablanca_day_ms(m);
        w.end_ms = deadline::end_of_casablanca_day_ms(m + std::chrono::days(6));
        weeks.push_back(std::move(w));
    }
    return weeks;
}

// " AND <column> = $n" when a unit is chosen.
std::string unit_clause(const Filter& f, const char* column, storage::Params& p) {
    if (!f.lead_unit_id) return {};
    p.emplace_back(*f.lead_unit_id);
    return std::string(" AND ") + column + " = $" + std::to_string(p.size());
}

Status count_in(Tx& tx, const Filter& f, Dashboard& d) {
    storage::Params p{d.administration_id, d.from_ms, d.to_ms};
    const std::string sql =
        "SELECT e.registered_at, e.type_code FROM entries e LEFT JOIN entry_flow f ON f.entry_id = e.id "
        "WHERE e.administration_id = $1 AND e.registered_at >= $2 AND e.registered_at <= $3 "
        "AND e.status <> 'cancelled'" + unit_clause(f, "f.lead_unit_id", p);
    auto rows = tx.query(sql, p);
    if (!rows) return rows.error();
    std::map<std::string, std::int64_t> types;
    for (const auto& r : *rows) {
        const int w = week_of(d.weeks, r.as_int(0));
        if (w < 0) continue;
        ++d.weeks[static_cast<std::size_t>(w)].entries_in;
        ++d.entries_in;
        ++types[r.as_text(1)];
    }
    auto names = tx.query(
        "SELECT code, name_ar, name_fr, administration_id FROM deposit_types WHERE administration_id IN (0, $1) "
        "ORDER BY administration_id",
        {d.administration_id});
    if (!names) return names.error();
    std::map<std::string, std::pair<std::string, std::string>> by_code;  // the administration's row wins (last)
    for (const auto& r : *names) by_code[r.as_text(0)] = {r.as_text(1), r.as_text(2)};
    for (const auto& [code, n] : types) {
        TypeCount t{code, {}, {}, n};
        if (auto it = by_code.find(code); it != by_code.end()) std::tie(t.name_ar, t.name_fr) = it->second;
        d.by_type.push_back(std::move(t));
    }
    std::stable_sort(d.by_type.begin(), d.by_type.end(),
                     [](const TypeCount& a, const TypeCount& b) { return a.count > b.count; });
    return {};
}

Status count_out(Tx& tx, const Filter& f, Dashboard& d) {
    storage::Params p{d.administration_id, d.from_ms, d.to_ms};
    const std::string sql =
        "SELECT l.approved_at FROM outgoing_letters l LEFT JOIN entry_flow f ON f.entry_id = l.in_reply_to "
        "WHERE l.administration_id = $1 AND l.register_number IS NOT NULL AND l.approved_at >= $2 "
        "AND l.approved_at <= $3" + unit_clause(f, "f.lead_unit_id", p);
    auto rows = tx.query(sql, p);
    if (!rows) return rows.error();
    for (const auto& r : *rows) {
        const int w = week_of(d.weeks, r.as_int(0));
        if (w < 0) continue;
        ++d.weeks[static_cast<std::size_t>(w)].letters_out;
        ++d.letters_out;
    }
    return {};
}

Status processing_times(Tx& tx, const Filter& f, Dashboard& d) {
    storage::Params p{d.administration_id, d.from_ms, d.to_ms};
    const std::string sql =
        "SELECT e.registered_at, f.answered_at, f.missing_requested_at, f.completed_at "
        "FROM entry_flow f JOIN entries e ON e.id = f.entry_id "
        "WHERE f.administration_id = $1 AND e.administration_id = $1 AND f.answered_at IS NOT NULL "
        "AND f.answered_at >= $2 AND f.answered_at <= $3 AND f.state IN ('answered', 'rejected', 'closed')" +
        unit_clause(f, "f.lead_unit_id", p);
    auto rows = tx.query(sql, p);
    if (!rows) return rows.error();
    std::vector<std::vector<double>> per_week(d.weeks.size());
    std::vector<double> all;
    for (const auto& r : *rows) {
        const std::int64_t answered = r.as_int(1);
        const int w = week_of(d.weeks, answered);
        if (w < 0) continue;
        std::int64_t pause = 0;
        if (auto asked = r.opt_int(2)) pause = std::max<std::int64_t>(0, r.opt_int(3).value_or(answered) - *asked);
        const double days = static_cast<double>(std::max<std::int64_t>(0, answered - r.as_int(0) - pause)) / kDayMs;
        per_week[static_cast<std::size_t>(w)].push_back(days);
        all.push_back(days);
    }
    for (std::size_t i = 0; i < d.weeks.size(); ++i) d.weeks[i].processing = percentiles(std::move(per_week[i]));
    d.processing = percentiles(std::move(all));
    return {};
}

Status overdue(Tx& tx, const Filter& f, Dashboard& d) {
    storage::Params p{d.administration_id, d.now_ms};
    const std::string sql =
        "SELECT f.lead_unit_id, u.code, u.name_ar, u.name_fr, COUNT(*) FROM entry_flow f "
        "JOIN entries e ON e.id = f.entry_id LEFT JOIN units u ON u.id = f.lead_unit_id "
        "WHERE f.administration_id = $1 AND e.administration_id = $1 "
        "AND f.state IN ('registered', 'assigned', 'in_progress') AND f.paused_at IS NULL AND f.due_at < $2" +
        unit_clause(f, "f.lead_unit_id", p) + " GROUP BY f.lead_unit_id, u.code, u.name_ar, u.name_fr";
    auto rows = tx.query(sql, p);
    if (!rows) return rows.error();
    for (const auto& r : *rows) {
        UnitCount c{r.opt_int(0), r.opt_text(1).value_or(""), r.opt_text(2).value_or(""), r.opt_text(3).value_or(""),
                    r.as_int(4)};
        d.overdue += c.count;
        d.overdue_by_unit.push_back(std::move(c));
    }
    std::sort(d.overdue_by_unit.begin(), d.overdue_by_unit.end(), [](const UnitCount& a, const UnitCount& b) {
        if (a.count != b.count) return a.count > b.count;
        if (a.unit_id.has_value() != b.unit_id.has_value()) return a.unit_id.has_value();  // unassigned last
        return a.code < b.code;
    });
    return {};
}

}  // namespace

Result<Dashboard> compute(storage::Database& db, const identity::TenantScope& scope, const Filter& f) {
    auto weeks = make_weeks(f);
    if (!weeks) return weeks.error();
    Dashboard d;
    d.administration_id = scope.administration_id();
    d.unit_id = f.lead_unit_id;
    d.now_ms = f.now_ms;
    d.weeks = std::move(*weeks);
    d.from_ms = d.weeks.front().start_ms;
    d.to_ms = d.weeks.back().end_ms;
    return db.read<Dashboard>([&](Tx& tx) -> Result<Dashboard> {
        if (f.lead_unit_id) {
            auto u = tx.query_one("SELECT id FROM units WHERE id = $1 AND administration_id = $2",
                                  {*f.lead_unit_id, d.administration_id});
            if (!u) return u.error();
            if (!*u) return filter_error("not a unit of the administration");
        }
        Dashboard out = d;
        for (auto step : {count_in, count_out, processing_times, overdue})
            if (auto s = step(tx, f, out); !s) return s.error();
        return out;
    });
}

double nearest_rank(const std::vector<double>& sorted, double p) {
    const auto n = static_cast<double>(sorted.size());
    auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * n - 1e-9));
    rank = std::clamp<std::size_t>(rank, 1, sorted.size());
    return sorted[rank - 1];
}

Percentiles percentiles(std::vector<double> days) {
    Percentiles p;
    p.count = static_cast<std::int64_t>(days.size());
    if (days.empty()) return p;
    std::sort(days.begin(), days.end());
    p.median_days = nearest_rank(days, 50);
    p.p90_days = nearest_rank(days, 90);
    return p;
}

std::chrono::sys_days iso_monday(std::chrono::sys_days d) {
    const std::chrono::weekday wd{d};
    return d - (wd - std::chrono::Monday);
}

std::string iso_week_label(std::chrono::sys_days monday) {
    using namespace std::chrono;
    const sys_days thursday = monday + days(3);
    const year y = year_month_day{thursday}.year();
    const auto week = (thursday - sys_days{y / January / 1}).count() / 7 + 1;
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-W%02d", static_cast<int>(y), static_cast<int>(week));
    return buf;
}

}  // namespace idara::dashboard
