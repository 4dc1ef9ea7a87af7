// The dashboards' JSON API and CSV export (rules in dashboard/stats.hpp and dashboard/access.hpp):
//
//   GET /api/v1/dashboard?unit=CODE&from=YYYY-MM-DD&to=YYYY-MM-DD
//       200 {"administration","unit"|null,"from","to","generated_at",
//            "weeks":[{"week":"2026-W20","starts_on","entries_in","letters_out",
//                      "processing":{"count","median_days","p90_days"}}],
//            "totals":{"entries_in","letters_out"},"processing":{…},
//            "overdue":{"total","by_unit":[{"unit"|null,"name":{"ar","fr"},"count"}]},
//            "by_type":[{"type","name":{"ar","fr"},"count"}]}
//       median_days / p90_days: nearest rank, one decimal, null when nothing was answered.
//   GET /api/v1/dashboard.csv?…  the same as text/csv (UTF-8 with BOM, CRLF, sections; see
//       dashboard/csv.hpp), Content-Disposition: attachment; headers in the caller's language
//       (?lang=ar|fr, else the account's).
//
// Who: admin and registry clerk of the administration (any unit or all); a unit head for
// the units they head (another unit: 403 auth.forbidden); anyone else 403. Bad dates or an
// unknown unit: 400 dashboard.filter. Aggregates only: never a subject or a name of a person.
// Responses are Cache-Control: no-store.
#pragma once

#include "http/router.hpp"

namespace idara::identity {
class Service;
}
namespace idara::storage {
class Database;
}

namespace idara::api {

void register_dashboard(http::Router& r, identity::Service& ids, storage::Database& db);

}  // namespace idara::api
