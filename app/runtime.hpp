// What a command needs at run time, opened from the configuration: the
// database (SQLite in the data directory, or PostgreSQL), the blob store and
// the identity service. Owned together; destroyed in reverse order.
#pragma once

#include "config/config.hpp"
#include "core/error.hpp"
#include "identity/service.hpp"
#include "storage/blob_store.hpp"
#include "storage/db.hpp"

#include <memory>

namespace idara::app {

struct Runtime {
    config::Config cfg;
    std::unique_ptr<storage::Database> db;
    std::unique_ptr<storage::BlobStore> blobs;
    std::unique_ptr<identity::Service> identity;
};

enum class OpenMode {
    create,        // create the data directory and database (idara init)
    existing,      // the database must exist (every other command)
};

// Opens the runtime. With OpenMode::existing and SQLite, a missing database
// file is an error telling the user to run `idara init`.
Result<std::unique_ptr<Runtime>> open_runtime(const config::Config& cfg, OpenMode mode);

// Checks that the database schema is exactly the binary's (serve refuses otherwise).
Status require_current_schema(storage::Database& db);

// Prints "idara: <message>" for an error on stderr and returns exit code 1.
int fail(const Error& e);

}  // namespace idara::app
