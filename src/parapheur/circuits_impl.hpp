// Internal to the e-parapheur: the service state and the helpers its files share.
#pragma once

#include "parapheur/circuits.hpp"
#include "storage/blob_store.hpp"
#include "storage/db.hpp"

#include <map>
#include <mutex>

namespace idara::parapheur {

struct CircuitService::Impl {
    Impl(storage::Database& d, storage::BlobStore& b, trust::Pki& p, trust::TimeStamper* t, ReAuthenticator r,
         CircuitOptions o, const Clock& c)
        : db(d), blobs(b), pki(p), tsa(t), reauth(std::move(r)), opts(std::move(o)), clock(c) {}
    storage::Database& db;
    storage::BlobStore& blobs;
    trust::Pki& pki;
    trust::TimeStamper* tsa;
    ReAuthenticator reauth;
    CircuitOptions opts;
    const Clock& clock;

    std::mutex hook_mu;
    std::map<std::string, OutcomeHook, std::less<>> hooks;
    Status outcome(storage::Tx& tx, const Outcome& o);
};

namespace detail {

// The circuit row (no steps/history).
struct Row {
    Circuit c;
    int step_count = 0;
    int signatures = 0;
};
// nullopt when there is no such circuit.
Result<std::optional<Row>> load_row(storage::Tx& tx, std::int64_t id);
// The full view (steps, history, versions, opinions); allowed is left empty.
Result<Circuit> load_full(storage::Tx& tx, std::int64_t id);

// Staff of that administration (any role).
bool is_staff_of(const identity::Principal& who, std::int64_t administration_id);
// The caller plus everyone who delegated to them today (caller first).
Result<std::vector<std::int64_t>> acting_ids(storage::Tx& tx, const identity::Principal& who,
                                             std::int64_t administration_id, std::int64_t now_ms);

// Who the caller acts as on the current step: themselves or a delegator (on_behalf_of).
struct Turn {
    std::int64_t assignee = 0;                // the account whose assignment is used
    std::optional<std::int64_t> on_behalf_of; // set when the caller is a delegate
};
// parapheur.not_assignee / not_your_turn / already_acted (see circuits.hpp).
Result<Turn> turn(storage::Tx& tx, const Row& r, const std::vector<std::int64_t>& ids);

Result<std::string> display_name(storage::Tx& tx, std::int64_t account_id);

// Appends a history event and the matching journal event ("circuit.<kind>").
Status record(storage::Tx& tx, const Circuit& c, std::int64_t at_ms, std::string_view kind, std::int64_t actor,
              std::optional<std::int64_t> on_behalf_of, int step_idx, const std::string& text,
              std::optional<int> doc_version, std::int64_t version, const std::string& origin);

// Text fields: trimmed length in characters within [min, max], no control characters
// (line breaks allowed when multiline).
bool text_ok(std::string_view s, std::size_t min, std::size_t max, bool multiline);

Error version_conflict(std::int64_t id);
Error invalid_state(std::int64_t id);

// Template steps as stored (JSON) and back.
std::string steps_to_json(const std::vector<StepSpec>& steps);
Result<std::vector<StepSpec>> steps_from_json(std::string_view json);

// The accounts a step resolves to at start (sorted, unique).
Result<std::vector<std::int64_t>> resolve(storage::Tx& tx, std::int64_t administration_id, const StepSpec& s,
                                          std::int64_t initiator_id);

}  // namespace detail
}  // namespace idara::parapheur
