// The dashboards page (issue 4, "Search and dashboards"; rules in dashboard/access.hpp and
// dashboard/stats.hpp):
//
//   GET /dashboard?unit=CODE&from=YYYY-MM-DD&to=YYYY-MM-DD
//       staff who may see a dashboard (admin, registry clerk, unit head): a GET form (unit and
//       period), a summary, three inline SVG charts (in/out per week, by type, overdue by unit)
//       each followed by an HTML table of the same numbers, and a link to the CSV
//   GET /dashboard.csv?…   the same numbers as text/csv (attachment), in the page's language
//
// Anonymous visitors are sent to sign in; others get the 403 page; a bad filter the 400 page
// with error.dashboard.filter. No JavaScript. Both responses are Cache-Control: no-store.
//
// Handlers run on worker threads (identity service and database).
#pragma once

#include "http/router.hpp"
#include "web/pages.hpp"

namespace idara::storage {
class Database;
}

namespace idara::web {

// `db` and what `ctx` refers to (it is copied) must outlive the router.
void register_dashboard_pages(http::Router& router, const PagesContext& ctx, storage::Database& db);

}  // namespace idara::web
