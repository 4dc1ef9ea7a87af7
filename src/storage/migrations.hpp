// Versioned schema migrations, one folder of SQL files per backend:
//   migrations/sqlite/0001_core.sql, migrations/postgres/0001_core.sql, ...
// embedded in the binary. Versions are the leading number; they must run
// 1, 2, 3, ... with no gap or duplicate (a test checks the embedded files).
//
// migrate() creates `schema_migrations(version, name, applied_at)` if needed
// and applies each pending file in its own write transaction together with
// its record, so a failed migration leaves the previous version intact.
// A database that records a version this binary does not know was written by
// a newer binary: every function here refuses it with "storage.schema_too_new".
#pragma once

#include "storage/db.hpp"

#include <string>
#include <vector>

namespace idara::storage {

struct Migration {
    int version = 0;
    std::string name;  // file name without the extension
    std::string sql;
};

// The migrations embedded for a backend, in version order.
std::vector<Migration> embedded_migrations(Backend b);
// The highest embedded version for a backend.
int latest_version(Backend b);
// The version recorded in the database (0 when it has no schema yet).
Result<int> schema_version(Database& db);
// Applies the pending migrations; returns the resulting version.
Result<int> migrate(Database& db);
// Applies `list` (used by tests with synthetic migrations).
Result<int> migrate_with(Database& db, const std::vector<Migration>& list);

}  // namespace idara::storage
