// The silence attestation (Law 55-19): for a type of request where the administration's
// silence is approval, once the legal deadline has passed without an answer the depositor
// may download a sealed PDF that proves it (docs/design/correspondence-window.md).
//
// The document: one A4 page, French on the left and Arabic on the right like the deposit
// receipt, stating the administration, the register number, the depositor, the type and its
// legal basis, the deposit date and time, the date the file was complete (the completion
// after the one missing-documents request, else the deposit), the deadline (days, working or
// calendar) and the due date, that no answer was registered by then, and when the attestation
// was issued. Sealed (PAdES) with the receiving administration's seal identity
// (trust/key_store.hpp), so pdfsig and trust::verify_pdf accept it. Labels come from the
// catalogues (web/i18n/*/attestation.json).
//
// Who may have it: the entry's depositor account; for counter deposits (no account) a
// registry clerk or admin of the receiving administration. Anyone else: resource.not_found.
//
// When (checked in this order, after access):
//   the type's silence regime (entries.silence_is_approval) is approval,
//     else attestation.not_applicable (409);
//   no answer or decision: the state is not answered, rejected, transferred, closed or
//     cancelled and entry_flow.answered_at is NULL, else attestation.answered (409);
//   the clock runs (paused_at NULL) and now > due_at, else attestation.not_due (409).
//
// Issued once. The first successful call stores the PDF (BlobStore::put) and records the
// event `silence_attested` (detail {"blob","due_at","issued_at"}; version = the entry's
// current version, unchanged) in ONE write transaction. Later calls by someone who may
// have it return that same stored PDF, byte for byte, even if an answer was registered
// since: the attestation states facts as of its issue (the tacit approval took effect at
// the due date), and a late answer does not undo them. Rendering and sealing happen
// outside the transaction; the conditions are checked again inside it, and when a
// concurrent call stored an attestation first, that one is returned.
//
// Errors: resource.not_found (404), attestation.not_applicable (409),
// attestation.answered (409), attestation.not_due (409), receipt.render (500),
// trust.* (500) and storage errors.
//
// Thread-safety: an AttestationService may be used from any number of threads; the
// Database, BlobStore, KeyStore and Clock must outlive it.
#pragma once

#include "core/clock.hpp"
#include "core/error.hpp"
#include "identity/principal.hpp"

#include <string>
#include <string_view>

namespace idara::storage {
class Database;
class BlobStore;
}  // namespace idara::storage
namespace idara::trust {
class KeyStore;
}

namespace idara::processing {

class AttestationService {
public:
    AttestationService(storage::Database& db, storage::BlobStore& blobs, trust::KeyStore& keys,
                       const Clock& clock = system_clock());

    // The sealed PDF bytes. `origin` is recorded with the event ("api 192.0.2.1", "web ...").
    Result<std::string> silence_attestation(const identity::Principal& who, std::string_view register_number,
                                            std::string_view origin = "api");

    // Whether silence_attestation() would give `who` an attestation now (one was issued, or
    // the conditions hold); false rather than an error for everyone else. For pages.
    Result<bool> available(const identity::Principal& who, std::string_view register_number);

private:
    storage::Database& db_;
    storage::BlobStore& blobs_;
    trust::KeyStore& keys_;
    const Clock& clock_;
};

}  // namespace idara::processing
