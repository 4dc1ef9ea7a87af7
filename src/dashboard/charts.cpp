#include "dashboard/charts.hpp"

#include "core/dates.hpp"
#include "dashboard/svg.hpp"

namespace idara::dashboard {

namespace {

const std::string& t(i18n::Lang l, std::string_view key) { return i18n::catalogue().get(l, key); }

std::string period_desc(const Dashboard& d, i18n::Lang l, std::string_view key) {
    return i18n::catalogue().format(l, key,
                                    {{"from", i18n::casablanca_date_iso(d.from_ms)},
                                     {"to", i18n::casablanca_date_iso(d.to_ms)},
                                     {"in", std::to_string(d.entries_in)},
                                     {"out", std::to_string(d.letters_out)},
                                     {"total", std::to_string(d.overdue)}});
}

}  // namespace

std::string short_week(const std::string& label) {
    const auto w = label.find('W');
    return w == std::string::npos ? label : label.substr(w);
}

std::string weekly_chart(const Dashboard& d, i18n::Lang l) {
    svg::GroupedBarChart c;
    c.id = "chart-weeks";
    c.title = t(l, "dashboard.chart.weeks.title");
    c.desc = period_desc(d, l, "dashboard.chart.weeks.desc");
    svg::Series in{t(l, "dashboard.table.entries_in"), {}}, out{t(l, "dashboard.table.letters_out"), {}};
    for (const auto& w : d.weeks) {
        c.categories.push_back(short_week(w.label));
        in.values.push_back(static_cast<double>(w.entries_in));
        out.values.push_back(static_cast<double>(w.letters_out));
    }
    c.series = {std::move(in), std::move(out)};
    return svg::grouped_bar_chart(c);
}

std::string type_chart(const Dashboard& d, i18n::Lang l) {
    svg::BarChart c;
    c.id = "chart-types";
    c.title = t(l, "dashboard.chart.types.title");
    c.desc = period_desc(d, l, "dashboard.chart.types.desc");
    c.empty_text = t(l, "dashboard.empty");
    for (const auto& ty : d.by_type) {
        const std::string& name = l == i18n::Lang::ar ? ty.name_ar : ty.name_fr;
        c.bars.push_back({name.empty() ? ty.code : name, static_cast<double>(ty.count)});
    }
    return svg::bar_chart(c);
}

std::string overdue_chart(const Dashboard& d, i18n::Lang l) {
    svg::BarChart c;
    c.id = "chart-overdue";
    c.title = t(l, "dashboard.chart.overdue.title");
    c.desc = period_desc(d, l, "dashboard.chart.overdue.desc");
    c.empty_text = t(l, "dashboard.overdue.none");
    for (const auto& u : d.overdue_by_unit) {
        const std::string& name = l == i18n::Lang::ar ? u.name_ar : u.name_fr;
        c.bars.push_back({u.unit_id ? (name.empty() ? u.code : name) : t(l, "dashboard.unit.unassigned"),
                          static_cast<double>(u.count)});
    }
    return svg::bar_chart(c);
}

}  // namespace idara::dashboard
