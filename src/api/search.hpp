// Searching the register (rules in search/search.hpp), for staff:
//
//   GET /api/v1/search?q=…&state=in_progress&state=…&unit=DB&type=letter&from=YYYY-MM-DD&to=YYYY-MM-DD
//                     &overdue=1&order=best|newest|due&limit=20&offset=0
//       → {"total", "total_capped", "by_relevance", "entries": [{register_number, subject, state, type,
//          registered_at, due_at, confidential, snippet}]}
//
// The viewer is the caller: their administration always; confidential entries only for their
// units; registry clerks, admins and staff without a unit see every other entry.
// Errors: search.query / search.filter (400), auth.required (401), auth.forbidden (403).
#pragma once

#include "core/error.hpp"
#include "http/router.hpp"
#include "identity/principal.hpp"
#include "search/search.hpp"

namespace idara::identity {
class Service;
}
namespace idara::storage {
class Database;
}

namespace idara::api {

// The query parameters of a search request into a SearchQuery (units resolved by code).
Result<search::SearchQuery> read_search_query(const http::Request& req, identity::Service& ids,
                                              const identity::TenantScope& scope, std::int64_t now_ms);

void register_search(http::Router& r, identity::Service& ids, storage::Database& db);

}  // namespace idara::api
