// What a command needs at run time, opened from the configuration: the
// database (SQLite in the data directory, or PostgreSQL), the blob store and
// the identity service, the key store, the registry office, the correspondence window and the
// outgoing register (with its mailer when [mail] is configured). Owned together;
// destroyed in reverse order.
//
// The master key that encrypts private keys at rest comes from the environment
// variable IDARA_MASTER_KEY (base64 of 32 bytes), else from security.master_key_file,
// else from <data_dir>/keys/master.key; when that default file does not exist it is
// created (mode 0600) — a data directory made before keys existed gets one on open.
#pragma once

#include "config/config.hpp"
#include "core/error.hpp"
#include "deadline/holiday_store.hpp"
#include "identity/service.hpp"
#include "outgoing/letters.hpp"
#include "outgoing/mailer.hpp"
#include "processing/attestation.hpp"
#include "processing/workflow.hpp"
#include "registry/deposit.hpp"
#include "storage/blob_store.hpp"
#include "storage/db.hpp"
#include "registry/verify.hpp"
#include "trust/key_store.hpp"

#include <memory>

namespace idara::app {

struct Runtime {
    config::Config cfg;
    std::unique_ptr<storage::Database> db;
    std::unique_ptr<storage::BlobStore> blobs;
    std::unique_ptr<identity::Service> identity;
    std::unique_ptr<trust::KeyStore> keys;
    std::unique_ptr<deadline::HolidayStore> holidays;  // the legal clock's calendar
    std::unique_ptr<registry::DepositService> deposits;
    std::unique_ptr<processing::WorkflowService> workflow;
    std::unique_ptr<processing::AttestationService> attestations;  // silence-as-approval attestations
    std::unique_ptr<outgoing::OutgoingService> letters;  // replies and outgoing mail; answers entries
    std::unique_ptr<outgoing::Mailer> mailer;            // null when [mail] smtp_url is empty
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

// Makes the platform's and every administration's seal and QR keys where missing.
Status ensure_all_keys(Runtime& rt);

// The published QR keys and trust anchors.
Result<registry::VerifyKeys> verify_keys(Runtime& rt);

// Prints "idara: <message>" for an error on stderr and returns exit code 1.
int fail(const Error& e);

}  // namespace idara::app
