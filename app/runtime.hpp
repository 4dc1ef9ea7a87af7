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
#include "identity/totp.hpp"
#include "outgoing/letters.hpp"
#include "outgoing/mailer.hpp"
#include "parapheur/circuits.hpp"
#include "processing/attestation.hpp"
#include "processing/workflow.hpp"
#include "procedures/applications.hpp"
#include "procedures/catalogue.hpp"
#include "procedures/evaluation.hpp"
#include "procedures/payments.hpp"
#include "procedures/exchange_client.hpp"
#include "registry/deposit.hpp"
#include "storage/blob_store.hpp"
#include "storage/db.hpp"
#include "registry/verify.hpp"
#include "trust/key_store.hpp"
#include "trust/pki.hpp"
#include "trust/tsa.hpp"
#include "trust/validate.hpp"

#include <memory>
#include <mutex>

namespace idara::app {

// The runtime's time-stamping authority: the HTTP client of [trust] tsa_url, else the built-in
// authority over the PKI's TSA identity, installed by prepare_signing(). Until one is installed
// every timestamp() is trust.tsa_unavailable (503): never a silent downgrade. Thread-safe.
class RuntimeTsa : public trust::TimeStamper {
public:
    Result<std::string> timestamp(std::span<const unsigned char, 32> sha256) override;
    void install(std::shared_ptr<trust::TimeStamper> inner);
    bool installed() const;

private:
    mutable std::mutex mu_;
    std::shared_ptr<trust::TimeStamper> inner_;
};

struct Runtime {
    config::Config cfg;
    std::unique_ptr<storage::Database> db;
    std::unique_ptr<storage::BlobStore> blobs;
    std::unique_ptr<identity::Service> identity;
    std::unique_ptr<trust::KeyStore> keys;
    std::unique_ptr<trust::Pki> pki;  // certificates: dev hierarchy, imports, checks, CRL ([trust] section)
    std::unique_ptr<identity::TotpService> totp;  // second factor; secrets sealed with the master key
    std::unique_ptr<deadline::HolidayStore> holidays;  // the legal clock's calendar
    std::unique_ptr<registry::DepositService> deposits;
    std::unique_ptr<processing::WorkflowService> workflow;
    std::unique_ptr<processing::AttestationService> attestations;  // silence-as-approval attestations
    // Declared before letters so that they outlive it (letters keeps a pointer to circuits).
    std::unique_ptr<RuntimeTsa> tsa;                     // time-stamps of every signature (B-T)
    std::unique_ptr<parapheur::CircuitService> circuits; // e-parapheur; re-authentication by totp
    std::unique_ptr<outgoing::OutgoingService> letters;  // replies and outgoing mail; answers entries
    std::unique_ptr<outgoing::Mailer> mailer;            // null when [mail] smtp_url is empty
    std::unique_ptr<procedures::Catalogue> catalogue;    // the portal's procedures (load_procedures)
    std::unique_ptr<procedures::ExchangeClient> exchange;  // null when [portal] exchange_client_url is empty
    std::unique_ptr<procedures::ApplicationService> applications;
    // Fees: the sandbox payment provider (no real money) and the payment flow; the applications
    // reach it through ApplicationService::payments().
    std::unique_ptr<procedures::PaymentProvider> payment_provider;
    std::unique_ptr<procedures::PaymentService> payments;
    // Reviewers, ranking and decisions of evaluated procedures; ranking decisions are signed
    // through the parapheur (its outcome hook, purpose "evaluation", is attached at start).
    std::unique_ptr<procedures::EvaluationService> evaluation;
};

// Publishes the procedure packs shipped in the binary whose administration exists (the others are
// skipped: a platform without that administration does not offer them), then every file of
// [portal] procedures_dir (any error there stops: it names the file, line and reason).
Status load_procedures(Runtime& rt);

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

// Makes the development PKI where missing and installs the built-in time-stamping authority in
// rt.tsa (unless [trust] tsa_url names an external one, installed by open_runtime). serve calls it.
Status prepare_signing(Runtime& rt);

// The published QR keys and trust anchors.
Result<registry::VerifyKeys> verify_keys(Runtime& rt);
// What the signature validator checks against: the platform's anchors (dev root + [trust]
// anchors_file), the issuing CA's current CRL, and OCSP when [trust] ocsp is on.
Result<trust::ValidationOptions> validation_options(Runtime& rt);

// Prints "idara: <message>" for an error on stderr and returns exit code 1.
int fail(const Error& e);

}  // namespace idara::app
