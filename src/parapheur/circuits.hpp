// The e-parapheur (issue 5, docs/design/parapheur.md): signature circuits that carry one PDF
// through ordered steps, and the circuit templates of each administration.
//
// Templates. An administration's admin defines templates (code [a-z0-9_]{1,40}, names ar/fr) of
// ordered steps (1..20). A step is
//   kind     visa (an approval; the PDF is not changed) | signature (the acting person's own
//            certificate, trust::Pki::signer_identity) | seal (the administration's seal,
//            trust::Pki::seal_identity)
//   assignees  account ids of the administration, and/or a role: unit_head (of `unit_code`, or
//            when unit_code is empty of the initiator's unit(s), or every unit head when the
//            initiator has no unit or their units have no other head), signer, admin,
//            registry_clerk, agent. The initiator is left out of a role's people when someone
//            else remains (nobody approves their own document through a role).
//   mode     all (every assignee acts) | any (the first assignee to act completes the step)
//   label    ar / fr
// A seal step has no assignees of its own in practice: it is performed by any signer or admin of
// the administration when `accounts`/`role` are empty (role defaults to signer).
//
// Circuits. start() resolves every step's assignees to accounts NOW and copies the steps (the
// snapshot): changing or deleting a template never changes a running circuit. A step whose
// resolution is empty makes start() fail with parapheur.template_invalid. The document's first
// version is the uploaded PDF; every signature or seal appends a version (an incremental PAdES
// B-T signature, trust/pdf_sign.hpp, with a visible stamp on the LAST page; stamps are laid out
// in a grid so successive stamps never overlap). Every version's SHA-256 is kept.
//
// States: in_progress --(last step done)--> completed
//                     --reject (reason)-------> rejected
//                     --cancel (initiator/admin)--> cancelled
// Within in_progress, `current_step` (0-based) moves forward when the step is done (all: every
// assignee acted; any: one did) and back by return_to_previous (the previous step's assignees
// are pending again, the current step's actions are cleared).
//
// Who may act (checked in the action's transaction, in this order):
//   - staff of the circuit's administration; anyone else: resource.not_found (404), never 403;
//   - circuit in_progress, else parapheur.invalid_state (409);
//   - expected_version equals the circuit's version, else parapheur.version_conflict (409);
//   - the caller is an assignee of some step of the circuit, or a valid delegate (processing
//     delegations, active today in Casablanca, not revoked) of one: else parapheur.not_assignee (403);
//   - that assignee belongs to the CURRENT step: else parapheur.not_your_turn (409);
//   - that assignee has not acted on this step yet: else parapheur.already_acted (409);
//   - the action fits the step kind: approve on visa, sign on signature/seal, else
//     parapheur.wrong_action (409). reject and return are allowed on any step kind.
// When the caller is both an assignee and a delegate, they act for themselves first; as a
// delegate they act for the first delegator still pending, and the event records on_behalf_of
// (the stamp then says "by delegation of <name>" / "بالتفويض عن <name>").
//
// sign() needs re-authentication at the action: password + TOTP code, checked by the
// ReAuthenticator given at construction (identity/totp.hpp in the application). Missing
// password/code: parapheur.reauth_required (401); a wrong one: the authenticator's error; in
// both cases nothing is written. The permission checks above run before the re-authentication,
// so a refused action does not use up a one-time code. The signature is time-stamped by the
// TimeStamper (B-T); a TSA outage is trust.tsa_unavailable (503) and nothing is written.
// Certificate problems are the trust.cert_* errors of trust/pki.hpp.
//
// Every action (start, approve, sign, reject, return, opinion request, opinion, cancel) appends
// one history event and ONE journal event (journal/journal.hpp, kind
// "circuit.<action>", subject "circuit:<id>") in the same transaction as the action. Opinion
// requests and opinions do not change the circuit's version (they are non-blocking and do not
// take an expected version); every other action checks and bumps it.
//
// Integration (outgoing letters): start_in_tx() starts a circuit inside the caller's write
// transaction with a `purpose` ("letter") and `subject_ref` (e.g. "letter:17"); the outcome hook
// registered for that purpose is called in the transaction that completes or rejects the
// circuit; an error from the hook rolls the whole action back.
//
// Errors (bilingual under error.parapheur.* in web/i18n/*/parapheur.json):
//   parapheur.not_your_turn (409)   parapheur.not_assignee (403)   parapheur.already_acted (409)
//   parapheur.version_conflict (409) parapheur.invalid_state (409) parapheur.wrong_action (409)
//   parapheur.reason_required (400: reject/return/opinion text empty or over 2000 characters)
//   parapheur.template_invalid (400: bad code/steps/assignees, or an empty resolution at start)
//   parapheur.unknown_template (404)  parapheur.not_pdf (400: the upload is not a PDF)
//   parapheur.title (400: title empty or over 300 characters)
//   parapheur.reauth_required (401)  parapheur.no_previous_step (409: return on the first step)
//   parapheur.opinion_colleague (400: not an active staff member of the administration, or oneself)
//   parapheur.forbidden (403: template changes by a non-admin; starting without a staff role)
//   resource.not_found (404), trust.*, storage.* and journal.* errors.
//
// Thread-safety: a CircuitService may be used from any number of threads; the hooks and the
// re-authenticator must be set before the service is shared.
#pragma once

#include "core/clock.hpp"
#include "core/error.hpp"
#include "core/i18n.hpp"
#include "identity/principal.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace idara::storage {
class Database;
class BlobStore;
class Tx;
}  // namespace idara::storage
namespace idara::trust {
class Pki;
class TimeStamper;
}  // namespace idara::trust

namespace idara::parapheur {

enum class StepKind { visa, signature, seal };
std::string_view step_kind_name(StepKind k);  // "visa", "signature", "seal"
std::optional<StepKind> parse_step_kind(std::string_view s);

enum class StepMode { all, any };
std::string_view step_mode_name(StepMode m);  // "all", "any"
std::optional<StepMode> parse_step_mode(std::string_view s);

enum class CircuitState { in_progress, completed, rejected, cancelled };
std::string_view circuit_state_name(CircuitState s);  // "in_progress", "completed", "rejected", "cancelled"
std::optional<CircuitState> parse_circuit_state(std::string_view s);

// One assignee's position on one step of a running circuit.
//   waiting   the step is not current yet
//   pending   the step is current and this person has to act
//   done      acted (approved / signed / sealed)
//   skipped   the step completed without them (mode any)
//   rejected  this person rejected the circuit
enum class AssigneeStatus { waiting, pending, done, skipped, rejected };
std::string_view assignee_status_name(AssigneeStatus s);

// ---- templates

struct StepSpec {
    StepKind kind = StepKind::visa;
    StepMode mode = StepMode::any;
    std::vector<std::int64_t> account_ids;    // named people of the administration
    std::optional<identity::Role> role;       // and/or everyone with this role
    std::string unit_code;                    // for role unit_head: that unit ("" = the initiator's)
    std::string label_ar, label_fr;           // 1..200 characters each
};

struct CircuitTemplate {
    std::int64_t id = 0;                      // 0 for a new template in put_template()
    std::string code;                         // [a-z0-9_]{1,40}, unique per administration
    std::string name_ar, name_fr;             // 1..200 characters each
    std::vector<StepSpec> steps;              // 1..20
    std::int64_t updated_at_ms = 0;
};

// ---- circuits

struct Assignee {
    std::int64_t account_id = 0;
    std::string name;                         // display name
    AssigneeStatus status = AssigneeStatus::waiting;
    std::optional<std::int64_t> acted_at_ms;
    std::optional<std::int64_t> acted_by;     // who acted: the assignee or their delegate
    std::string acted_by_name;
};

struct Step {
    int index = 0;                            // 0-based
    StepKind kind = StepKind::visa;
    StepMode mode = StepMode::any;
    std::string label_ar, label_fr;
    std::vector<Assignee> assignees;
    bool done = false;
};

// One entry of the history, oldest first.
struct HistoryEvent {
    std::int64_t id = 0;
    std::int64_t at_ms = 0;
    std::string kind;       // started, approved, signed, sealed, rejected, returned, opinion_requested,
                            // opinion_given, completed, cancelled
    std::int64_t actor_id = 0;
    std::string actor_name;
    std::optional<std::int64_t> on_behalf_of;  // the assignee a delegate acted for
    std::string on_behalf_of_name;
    int step_index = -1;    // -1: not about a step
    std::string text;       // reason, question or opinion (free text by the actor)
    std::optional<int> document_version;  // signed/sealed: the version produced
    std::int64_t version = 0;             // the circuit's version after the event
    std::string origin;                   // "web 192.0.2.1", "api ...", "system"
};

struct DocumentVersion {
    int number = 1;                 // 1 = the original
    std::string sha256;             // blob digest
    std::int64_t size = 0;
    std::int64_t created_at_ms = 0;
    std::string kind;               // "original", "signature", "seal"
    std::optional<std::int64_t> signer_id;  // the person who signed (or the actor of a seal)
    std::string signer_name;
};

struct OpinionRequest {
    std::int64_t id = 0;
    std::int64_t requested_by = 0, colleague_id = 0;
    std::string requested_by_name, colleague_name;
    std::string question;
    std::int64_t requested_at_ms = 0;
    std::optional<std::string> opinion;
    std::optional<std::int64_t> given_at_ms;
};

// What the caller may do now (the same rules the actions enforce), so pages only offer what works.
struct CircuitAllowed {
    bool approve = false, sign = false, reject = false, return_to_previous = false;
    bool request_opinion = false;             // a pending assignee (or their delegate)
    bool give_opinion = false;                // a colleague with an unanswered request
    bool cancel = false;                      // the initiator or an admin, while in progress
    std::optional<std::int64_t> acting_for;   // set when the caller would act as a delegate
    std::optional<std::int64_t> open_opinion_request;  // the request id give_opinion answers
};

struct Circuit {
    std::int64_t id = 0;
    std::int64_t administration_id = 0;
    std::string template_code;
    std::string template_name_ar, template_name_fr;
    std::string title;
    std::string purpose;                      // "" for documents started here; "letter" for letters
    std::string subject_ref;                  // e.g. "letter:17"
    CircuitState state = CircuitState::in_progress;
    int current_step = 0;
    std::int64_t version = 1;
    std::int64_t initiator_id = 0;
    std::string initiator_name;
    std::string file_name;
    std::optional<std::string> reject_reason;
    std::int64_t created_at_ms = 0, updated_at_ms = 0;
    std::optional<std::int64_t> finished_at_ms;
    std::vector<Step> steps;                  // get() only
    std::vector<HistoryEvent> history;        // get() only
    std::vector<DocumentVersion> versions;    // get() only (oldest first; the last is current)
    std::vector<OpinionRequest> opinions;     // get() only
    CircuitAllowed allowed;                   // get() only, for the caller
};

enum class Box {
    mine,     // in progress, the caller (or someone who delegated to them) is a pending assignee,
              // or the caller has an unanswered opinion request
    started,  // started by the caller (any state)
    all,      // every circuit of the administration (admins; others: parapheur.forbidden)
};
std::optional<Box> parse_box(std::string_view s);
std::string_view box_name(Box b);

struct QueueLine {
    std::int64_t id = 0;
    std::string title;
    std::string template_code, template_name_ar, template_name_fr;
    CircuitState state = CircuitState::in_progress;
    int current_step = 0, step_count = 0;
    std::string current_label_ar, current_label_fr;
    StepKind current_kind = StepKind::visa;
    std::string initiator_name;
    std::int64_t version = 1;
    std::int64_t created_at_ms = 0, updated_at_ms = 0;
    std::optional<std::int64_t> acting_for;   // mine: the delegator when it is in my queue by delegation
    bool opinion_requested = false;           // mine: in my queue for an opinion only
};

// Who acts and from where ("web 192.0.2.1", "api 192.0.2.1", "cli").
struct Actor {
    const identity::Principal& who;
    std::string origin;
};

struct NewCircuit {
    std::string template_code;
    std::string title;                        // 1..300 characters
    std::string file_name;                    // shown to users, e.g. "decision.pdf"
    std::string pdf;                          // the document's bytes (starts with %PDF-)
    std::string purpose;                      // start_in_tx only
    std::string subject_ref;                  // start_in_tx only
};

// Re-authentication at the signing action: password + TOTP code (RFC 6238) of the principal.
struct ReAuth {
    std::string password;
    std::string totp_code;
};
// Returns success when both are right; its own error otherwise (wrong password/code, throttled).
// `origin` is the Actor's ("web 192.0.2.1"): the address for throttling is its last word.
using ReAuthenticator = std::function<Status(const identity::Principal&, std::string_view password,
                                             std::string_view totp_code, std::string_view origin)>;

// How a circuit ended, for the purpose's hook (called inside the completing transaction).
struct Outcome {
    std::int64_t circuit_id = 0;
    std::int64_t administration_id = 0;
    std::string purpose, subject_ref;
    CircuitState state = CircuitState::completed;  // completed | rejected | cancelled
    std::string reason;                            // rejected / cancelled
    std::string pdf_sha256;                        // the current document version
    std::int64_t actor_id = 0;                     // who made the final action
    std::int64_t at_ms = 0;
};
using OutcomeHook = std::function<Status(storage::Tx&, const Outcome&)>;

struct CircuitOptions {
    std::size_t max_pdf_bytes = 20 * 1024 * 1024;
    std::string location = "Rabat";           // /Location in signatures (ASCII)
};

class CircuitService {
public:
    // tsa may be null only in tests (signatures are then B-B); pki, tsa and reauth outlive the service.
    CircuitService(storage::Database& db, storage::BlobStore& blobs, trust::Pki& pki, trust::TimeStamper* tsa,
                   ReAuthenticator reauth, CircuitOptions o = {}, const Clock& clock = system_clock());
    ~CircuitService();
    CircuitService(const CircuitService&) = delete;
    CircuitService& operator=(const CircuitService&) = delete;

    // ---- templates (read: staff of the administration; write: its admins)
    Result<std::vector<CircuitTemplate>> templates(const identity::Principal& who);
    Result<CircuitTemplate> template_by_code(const identity::Principal& who, std::string_view code);
    // Creates or replaces the template with t.code (running circuits keep their snapshot).
    Result<CircuitTemplate> put_template(const identity::Principal& who, CircuitTemplate t);
    Status delete_template(const identity::Principal& who, std::string_view code);
    // Trusted seeding (demo data, tests): the same checks, no principal.
    static Result<CircuitTemplate> put_template_in_tx(storage::Tx& tx, std::int64_t administration_id,
                                                      CircuitTemplate t, std::int64_t now_ms);

    // ---- circuits
    // Any staff member of the administration (agent, unit_head, registry_clerk, signer, admin).
    Result<Circuit> start(const Actor& a, NewCircuit n);
    // Inside the caller's write transaction (outgoing letters). Returns the circuit id.
    Result<std::int64_t> start_in_tx(storage::Tx& tx, const Actor& a, const NewCircuit& n);

    Result<Circuit> approve(const Actor& a, std::int64_t id, std::int64_t expected_version,
                            std::string_view comment = {});
    Result<Circuit> sign(const Actor& a, std::int64_t id, std::int64_t expected_version, const ReAuth& reauth);
    Result<Circuit> reject(const Actor& a, std::int64_t id, std::int64_t expected_version, std::string_view reason);
    Result<Circuit> return_to_previous(const Actor& a, std::int64_t id, std::int64_t expected_version,
                                       std::string_view reason);
    // A pending assignee (or their delegate) asks a colleague of the administration for an opinion.
    Result<Circuit> request_opinion(const Actor& a, std::int64_t id, std::int64_t colleague_account_id,
                                    std::string_view question);
    // The colleague answers their open request on the circuit (parapheur.invalid_state when none).
    Result<Circuit> give_opinion(const Actor& a, std::int64_t id, std::string_view opinion);
    // The initiator or an admin stops a circuit in progress (reason required).
    Result<Circuit> cancel(const Actor& a, std::int64_t id, std::int64_t expected_version, std::string_view reason);

    // ---- reads (staff of the administration; resource.not_found otherwise)
    Result<std::vector<QueueLine>> queue(const identity::Principal& who, Box box, int limit = 50, int offset = 0);
    Result<Circuit> get(const identity::Principal& who, std::int64_t id);
    // The current PDF (the last version).
    Result<std::string> document(const identity::Principal& who, std::int64_t id);
    // One version's bytes (1-based); resource.not_found when there is none.
    Result<std::string> document_version(const identity::Principal& who, std::int64_t id, int number);
    // Inside a transaction, no permission check (integration: the letter's current PDF).
    Result<std::string> current_pdf_in_tx(storage::Tx& tx, std::int64_t id);

    // ---- integration
    // Seals a PDF with the administration's seal (trust::Pki::seal_identity), time-stamped with the
    // service's TimeStamper (B-T), as one more invisible incremental signature named `field_name`,
    // inside the caller's transaction (letters, when their circuit completes). Errors: trust.*.
    Result<std::string> seal_in_tx(storage::Tx& tx, std::int64_t administration_id, std::string_view pdf,
                                   const std::string& field_name, const std::string& reason);
    // The hook called when a circuit of `purpose` completes, is rejected or cancelled.
    void set_outcome_hook(std::string purpose, OutcomeHook hook);

    struct Impl;

private:
    std::unique_ptr<Impl> impl_;
};

}  // namespace idara::parapheur
