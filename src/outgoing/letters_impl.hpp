// Internal to the outgoing register: the service state and the helpers its files share.
#pragma once

#include "outgoing/letters.hpp"
#include "parapheur/circuits.hpp"
#include "storage/blob_store.hpp"
#include "storage/db.hpp"
#include "trust/key_store.hpp"

#include <mutex>

namespace idara::outgoing {

struct OutgoingService::Impl {
    Impl(storage::Database& d, storage::BlobStore& b, trust::KeyStore& k, identity::Service& i, OutgoingOptions o,
         const Clock& c)
        : db(d), blobs(b), keys(k), ids(i), opts(std::move(o)), clock(c) {}
    storage::Database& db;
    storage::BlobStore& blobs;
    trust::KeyStore& keys;
    identity::Service& ids;
    OutgoingOptions opts;
    const Clock& clock;

    std::mutex hook_mu;
    std::function<Status(storage::Tx&, const Letter&)> registered_hook;
    std::function<Status(ApprovalStep)> fault_hook;  // tests only
    parapheur::CircuitService* circuits = nullptr;    // set_circuits()

    Status step(ApprovalStep s);
    Status registered(storage::Tx& tx, const Letter& l);
    // The "letter" outcome hook of the circuits: approve (completed) or back to draft.
    Status on_outcome(storage::Tx& tx, const parapheur::Outcome& o);
};

namespace detail {

// A letter as stored, with what visibility needs about its entry.
struct Stored {
    Letter letter;
    std::optional<std::int64_t> entry_depositor;  // the depositor account of the answered entry
    std::optional<std::int64_t> recipient_administration_id;
};

// The letter (with its events), nullopt when there is none.
Result<std::optional<Stored>> load(storage::Tx& tx, std::int64_t id, bool with_events = true);
// Letters matching a WHERE clause over the aliases l (letter), e (entry); no events.
Result<std::vector<Letter>> load_where(storage::Tx& tx, const std::string& where_order, const storage::Params& p);

// Staff of the letter's administration.
bool is_staff_of(const identity::Principal& who, std::int64_t administration_id);
// Staff of its administration; once dispatched, the entry's depositor and the recipient account.
bool can_see(const identity::Principal& who, const Stored& s);

// Roles: drafting (agent, unit_head, registry_clerk, admin), approving (signer, admin),
// dispatching (registry_clerk, signer, admin). outgoing.forbidden (403) otherwise.
Status may_draft(const identity::Principal& who);
Status may_approve(const identity::Principal& who);
Status may_dispatch(const identity::Principal& who);

// Loads a letter for a change by staff `who`: resource.not_found unless visible as staff,
// outgoing.version_conflict when `expected` is stale, outgoing.invalid_state unless in `from`.
Result<Stored> for_change(storage::Tx& tx, const identity::Principal& who, std::int64_t id, std::int64_t expected,
                          LetterState from);

Status add_event(storage::Tx& tx, std::int64_t letter_id, std::int64_t at_ms, std::string_view kind,
                 std::int64_t actor, const std::string& detail, std::int64_t version);

// The letter's text from its template (number and date as given).
Result<std::string> letter_text(storage::Tx& tx, const Letter& l, const std::string& number, std::int64_t date_ms);

Error version_conflict(std::int64_t id);
Error invalid_state(const Letter& l);

}  // namespace detail
}  // namespace idara::outgoing
