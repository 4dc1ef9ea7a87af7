// Internal to the message log: operations on <dir>/gateway.db shared by the MessageLog
// implementation (msglog.cpp) and the command line (app/cmd_exchange_log.cpp).
#pragma once

#include "core/error.hpp"
#include "storage/db.hpp"

#include <cstdint>
#include <memory>
#include <string>

namespace idara::exchange::msglog {

inline constexpr int kMaxOpdataLimit = 10000;

// Opens <dir>/gateway.db (creating it and the schema when `create`; otherwise the file must
// exist: exchange.log_unavailable, 503). Commits are synchronous=FULL (see msglog.cpp).
Result<std::unique_ptr<storage::Database>> open_log_db(const std::string& dir, bool create);

// Operational records with end_ms >= since_ms, oldest first, as a JSON array.
// Errors: exchange.bad_opdata_query (400) when limit is outside 1..10000; storage errors.
Result<std::string> opdata_query(storage::Database& db, std::int64_t since_ms, int limit);

// Moves every stamped, not yet archived batch to <dir>/archive/NNNNNN.json (see msglog.hpp).
// Callers serialise calls on one directory. Returns the number of files written.
Result<int> archive_batches(storage::Database& db, const std::string& dir);

}  // namespace idara::exchange::msglog
