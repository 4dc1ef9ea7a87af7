// CSV for spreadsheets (RFC 4180): fields separated by commas, records ended by CRLF, a
// field quoted ("…", inner quotes doubled) when it holds a comma, a quote, CR or LF.
// The text starts with a UTF-8 byte order mark so Excel reads Arabic correctly.
//
// Formula injection (CWE-1236) is neutralised: a field that starts with '=', '+', '-', '@',
// a tab or a CR gets a leading apostrophe, so a spreadsheet shows it as text instead of
// running it. Numbers the dashboard writes itself go through number_field() and are
// never negative, so they are left alone.
//
// The dashboard export (dashboard_csv) is ONE file of sections, each a small table with its
// own header row, separated by an empty record (docs/design/dashboards.md):
//   1. period     administration, unit, from, to, generated at
//   2. weeks      one row per ISO week: week, Monday, entries in, letters out, answered,
//                 median days, p90 days; then a "total" row
//   3. types      type code, type name, entries
//   4. overdue    unit code, unit name, overdue entries; then a "total" row
// Headers and names are in the requested language; dates are YYYY-MM-DD (Casablanca),
// decimals use a point.
//
// Thread-safety: pure functions.
#pragma once

#include "core/i18n.hpp"
#include "dashboard/stats.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace idara::dashboard::csv {

inline constexpr std::string_view kBom = "\xEF\xBB\xBF";

// One field, quoted and neutralised as needed.
std::string field(std::string_view s);

class Writer {
public:
    Writer() : out_(kBom) {}
    // A record of fields written with field().
    void row(const std::vector<std::string>& fields);
    // An empty record (between sections).
    void blank() { out_ += "\r\n"; }
    const std::string& str() const { return out_; }

private:
    std::string out_;
};

// What the export names besides the numbers.
struct Labels {
    std::string administration;   // "MEF – Ministère de l'Économie"
    std::string unit;             // empty: the whole administration
};

std::string dashboard_csv(const Dashboard& d, i18n::Lang l, const Labels& labels);

}  // namespace idara::dashboard::csv
