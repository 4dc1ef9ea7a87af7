#include "dashboard/csv.hpp"

#include "core/dates.hpp"
#include "dashboard/svg.hpp"

namespace idara::dashboard::csv {

namespace {

std::string days(const std::optional<double>& v) { return v ? svg::number(*v) : std::string(); }

const std::string& t(i18n::Lang l, std::string_view key) { return i18n::catalogue().get(l, key); }

std::string date(std::chrono::sys_days d) {
    const std::chrono::year_month_day ymd{d};
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                  static_cast<unsigned>(ymd.day()));
    return buf;
}

}  // namespace

std::string field(std::string_view s) {
    std::string v;
    if (!s.empty() && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' || s[0] == '\r'))
        v = "'";
    v += s;
    if (v.find_first_of(",\"\r\n") == std::string::npos) return v;
    std::string q = "\"";
    for (char c : v) {
        if (c == '"') q += '"';
        q += c;
    }
    return q + "\"";
}

void Writer::row(const std::vector<std::string>& fields) {
    for (std::size_t i = 0; i < fields.size(); ++i) {
        if (i) out_ += ',';
        out_ += field(fields[i]);
    }
    out_ += "\r\n";
}

std::string dashboard_csv(const Dashboard& d, i18n::Lang l, const Labels& labels) {
    const bool ar = l == i18n::Lang::ar;
    Writer w;
    w.row({t(l, "dashboard.csv.administration"), t(l, "dashboard.csv.unit"), t(l, "dashboard.csv.from"),
           t(l, "dashboard.csv.to"), t(l, "dashboard.csv.generated_at")});
    w.row({labels.administration, labels.unit.empty() ? t(l, "dashboard.unit.all") : labels.unit,
           i18n::casablanca_date_iso(d.from_ms), i18n::casablanca_date_iso(d.to_ms), i18n::iso_utc(d.now_ms)});
    w.blank();
    w.row({t(l, "dashboard.table.week"), t(l, "dashboard.table.week_start"), t(l, "dashboard.table.entries_in"),
           t(l, "dashboard.table.letters_out"), t(l, "dashboard.table.answered"), t(l, "dashboard.table.median_days"),
           t(l, "dashboard.table.p90_days")});
    for (const auto& wk : d.weeks)
        w.row({wk.label, date(wk.monday), std::to_string(wk.entries_in), std::to_string(wk.letters_out),
               std::to_string(wk.processing.count), days(wk.processing.median_days), days(wk.processing.p90_days)});
    w.row({t(l, "dashboard.table.total"), "", std::to_string(d.entries_in), std::to_string(d.letters_out),
           std::to_string(d.processing.count), days(d.processing.median_days), days(d.processing.p90_days)});
    w.blank();
    w.row({t(l, "dashboard.table.type_code"), t(l, "dashboard.table.type"), t(l, "dashboard.table.entries_in")});
    for (const auto& ty : d.by_type) w.row({ty.code, ar ? ty.name_ar : ty.name_fr, std::to_string(ty.count)});
    w.blank();
    w.row({t(l, "dashboard.table.unit_code"), t(l, "dashboard.table.unit"), t(l, "dashboard.table.overdue")});
    for (const auto& u : d.overdue_by_unit)
        w.row({u.code, u.unit_id ? (ar ? u.name_ar : u.name_fr) : t(l, "dashboard.unit.unassigned"),
               std::to_string(u.count)});
    w.row({t(l, "dashboard.table.total"), "", std::to_string(d.overdue)});
    return w.str();
}

}  // namespace idara::dashboard::csv
