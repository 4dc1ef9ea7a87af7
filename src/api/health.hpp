// Operational endpoints:
//   GET /healthz  200 "ok" while the process serves (cheap, runs on the I/O thread)
//   GET /readyz   200 when the database answers and its schema is the binary's; 503 otherwise
//   GET /metrics  Prometheus text: HTTP metrics plus the database pool state
#pragma once

#include "http/router.hpp"
#include "storage/db.hpp"

namespace idara::http {
class Metrics;
}

namespace idara::api {

void register_health(http::Router& r, storage::Database& db, http::Metrics& metrics);

// The database pool state in Prometheus text format (added to /metrics).
std::string pool_metrics(const storage::Database& db);

}  // namespace idara::api
