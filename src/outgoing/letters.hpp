// The outgoing register: letters an administration sends — replies to incoming entries
// (in_reply_to) and letters that start in the administration — their approval by a
// signer, their registration under the outgoing numbering (MEF-S-2026-000045) and their
// delivery (the recipient's space on the platform, and e-mail through mailer.hpp).
//
// A letter is written in the platform from a template (template.hpp: acknowledgement,
// answer, refusal, information_request; mustache text in web/i18n/*/outgoing.json) with
// the author's own text in `body`, or uploaded as a PDF (checked like a deposit's
// attachment). Each letter is in one language, ar or fr.
//
// States:  draft --submit--> pending_approval --(circuit completed)--> approved --dispatch--> dispatched
//                                 |--(circuit rejected or cancelled: reason)--> draft
// Drafts (create, update, submit) are by staff of the administration with the role agent,
// unit_head, registry_clerk or admin. Approval goes through the e-parapheur (parapheur/circuits.hpp):
// the administration's `outgoing_letter` circuit template (e.g. a unit head's visa, then a signer's
// signature). dispatch() records the postal dispatch of an approved letter (registry_clerk, signer
// or admin).
//
// submit() does, in ONE write transaction: allocates the outgoing number the FIRST time the letter
// is submitted (gap-free; a letter keeps its number for life: after a rejection it is reused on
// resubmission), renders the written letter to PDF with that number and the submission date (or
// takes the uploaded one), and starts a circuit on it (purpose "letter", subject "letter:<id>");
// the letter is pending_approval while the circuit runs. Any failure leaves nothing: no number
// consumed, no blob row, no circuit, no letter change. A letter without an outgoing_letter
// template in its administration cannot be submitted (parapheur.unknown_template, 404).
//
// When the circuit completes — in the transaction of its last action — the letter gets the
// administration's seal (a final incremental PAdES B-T signature over the signed PDF), the sealed
// blob is stored, the letter is approved (approved_by: who made the last action), the e-mail is
// queued in the outbox and the registered hook is called. A letter delivered electronically — to a
// platform account (the depositor of the entry, a named account) or with an e-mail address
// (including another administration's contact address) — is dispatched in that same transaction
// (events "approved" then "dispatched"); a letter with only a postal address stays approved until
// dispatch(). Any failure there, the hook's included, rolls the circuit's last action back too.
// When the circuit is rejected (or cancelled) the letter returns to draft with the reason
// (return_reason, event "returned").

// Optimistic concurrency: every change names the version it was made against; a letter
// changed since is outgoing.version_conflict (409) and nothing is written.
//
// Visibility: a letter is visible to staff of its administration; once dispatched, also to
// the depositor account of the incoming entry it answers and to the recipient account; to
// everyone else it is resource.not_found (404), never forbidden.
//
// Errors (bilingual messages under error.outgoing.* in web/i18n/*/outgoing.json):
//   outgoing.subject (400)  outgoing.body (400)  outgoing.content (400: neither or both of
//   template and upload)  outgoing.template (400: unknown template)  outgoing.upload_not_pdf (400)
//   outgoing.recipient (400)  outgoing.recipient_email (400)  outgoing.in_reply_to (400: not an
//   entry of this administration)  outgoing.forbidden (403: role)
//   outgoing.version_conflict (409)  outgoing.invalid_state (409: not allowed in this state)
//   parapheur.* from starting the circuit (e.g. parapheur.unknown_template, parapheur.template_invalid)
// plus resource.not_found (404), the attachment errors of registry/attachments.hpp, and
// storage, receipt and trust errors.
//
// Thread-safety: an OutgoingService may be used from any number of threads.
#pragma once

#include "core/clock.hpp"
#include "core/error.hpp"
#include "core/i18n.hpp"
#include "identity/principal.hpp"
#include "registry/attachments.hpp"

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
class KeyStore;
}
namespace idara::identity {
class Service;
}
namespace idara::parapheur {
class CircuitService;
}

namespace idara::outgoing {

enum class LetterState { draft, pending_approval, approved, dispatched };
std::string_view state_name(LetterState s);  // "draft", "pending_approval", "approved", "dispatched"
std::optional<LetterState> parse_state(std::string_view s);

enum class Template { acknowledgement, answer, refusal, information_request };
std::string_view template_name(Template t);  // "acknowledgement", "answer", "refusal", "information_request"
std::optional<Template> parse_template(std::string_view s);

enum class RecipientKind { depositor, account, administration, address };
std::string_view recipient_kind_name(RecipientKind k);  // "depositor", "account", "administration", "address"
std::optional<RecipientKind> parse_recipient_kind(std::string_view s);

// Who the letter goes to.
//   depositor       replies only: the depositor of the incoming entry (their account when they
//                   deposited on the platform; the name given at the counter otherwise)
//   account         an account on the platform (account_id)
//   administration  another administration (administration_code); e-mail to its contact address
//   address         a person or body off the platform: name, and a postal address and/or e-mail
// `email` (optional for all kinds) overrides the address the platform would use.
struct Recipient {
    RecipientKind kind = RecipientKind::depositor;
    std::optional<std::int64_t> account_id;
    std::optional<std::string> administration_code;
    std::string name;            // filled in from the account / administration / entry when empty
    std::string postal_address;  // 0..500 characters, line breaks allowed
    std::string email;           // "" or an e-mail address
};

// What the author writes. Exactly one of `tmpl` and `upload`.
struct LetterContent {
    i18n::Lang lang = i18n::Lang::ar;
    std::string subject;                             // 1..300 characters
    std::optional<Template> tmpl;
    std::string body;                                // the author's text for the template, 0..20000
    std::optional<registry::IncomingFile> upload;    // a PDF
};

struct NewLetter {
    std::optional<std::int64_t> in_reply_to;  // an entry id of the author's administration
    Recipient recipient;
    LetterContent content;
};

struct LetterEvent {
    std::int64_t at_ms = 0;
    std::string kind;  // created, edited, submitted, returned, approved, dispatched
    std::int64_t actor_id = 0;
    std::string detail;  // the return reason
    std::int64_t version = 0;
};

struct Letter {
    std::int64_t id = 0;
    std::int64_t administration_id = 0;
    std::string administration_code;
    LetterState state = LetterState::draft;
    std::int64_t version = 1;
    i18n::Lang lang = i18n::Lang::ar;
    std::optional<std::int64_t> in_reply_to;
    std::optional<std::string> in_reply_to_number;  // the incoming entry's register number
    Recipient recipient;                             // resolved (name filled in)
    std::string subject;
    std::optional<Template> tmpl;
    std::string body;
    std::optional<std::string> upload_sha256, upload_name;
    std::int64_t author_id = 0;
    std::optional<std::string> return_reason;        // the circuit's rejection reason, while a draft
    std::optional<std::string> register_number;      // from the first submission on (kept for life)
    std::optional<std::int64_t> circuit_id;          // the last circuit (parapheur) it went through
    std::optional<std::int64_t> approved_by, approved_at_ms, dispatched_at_ms;
    std::optional<std::string> pdf_sha256;           // the sealed PDF (blob digest)
    std::int64_t created_at_ms = 0, updated_at_ms = 0;
    std::vector<LetterEvent> events;                 // oldest first (get() only)
};

// One line of the outgoing register.
struct RegisterLine {
    std::int64_t id = 0;
    std::string register_number;
    std::int64_t approved_at_ms = 0;
    LetterState state = LetterState::approved;
    std::string subject;
    std::string recipient_name;
    std::optional<std::string> in_reply_to_number;
};

// Steps, in order, for fault injection in tests: numbered, rendered, circuit_started in submit();
// sealed, stored, recorded, mail_queued when the circuit completes.
enum class ApprovalStep { numbered, rendered, circuit_started, sealed, stored, recorded, mail_queued };

struct OutgoingOptions {
    registry::AttachmentLimits limits;  // for uploaded PDFs (max_bytes)
};

class OutgoingService {
public:
    OutgoingService(storage::Database& db, storage::BlobStore& blobs, trust::KeyStore& keys, identity::Service& ids,
                    OutgoingOptions o = {}, const Clock& clock = system_clock());
    ~OutgoingService();

    // Drafting.
    Result<Letter> create(const identity::Principal& who, NewLetter n);
    // Replaces the recipient and content of a draft.
    Result<Letter> update(const identity::Principal& who, std::int64_t id, std::int64_t expected_version,
                          Recipient r, LetterContent c);
    // Numbers (first time), renders and starts the letter's circuit (see above).
    Result<Letter> submit(const identity::Principal& who, std::int64_t id, std::int64_t expected_version);
    Result<Letter> dispatch(const identity::Principal& who, std::int64_t id, std::int64_t expected_version);

    // Reads.
    Result<Letter> get(const identity::Principal& who, std::int64_t id);
    // The outgoing register of the scope's administration (numbered letters), newest first.
    Result<std::vector<RegisterLine>> list_register(const identity::TenantScope& scope, std::optional<int> year,
                                                    int limit = 50, int offset = 0);
    // Letters of the scope's administration in a state (e.g. pending_approval), newest first.
    Result<std::vector<Letter>> list_in_state(const identity::TenantScope& scope, LetterState s, int limit = 50,
                                              int offset = 0);
    // Letters in reply to an entry: every one for staff of the entry's administration; the
    // dispatched ones for its depositor account; resource.not_found for everyone else.
    Result<std::vector<Letter>> list_for_entry(const identity::Principal& who, std::int64_t entry_id);
    // The sealed PDF of an approved letter (same visibility as get(); resource.not_found before approval).
    Result<std::string> pdf(const identity::Principal& who, std::int64_t id);
    // The letter's text as it will be printed (template rendered; number shown as "…" before
    // approval). outgoing.content (400) for uploaded letters.
    Result<std::string> preview_text(const identity::Principal& who, std::int64_t id);

    // Connects the letters to the e-parapheur: submit() starts circuits there and the "letter"
    // outcome hook of `circuits` approves or returns letters. Call once, before use; `circuits`
    // must outlive this service (and be destroyed after it). Without it submit() fails (internal).
    void set_circuits(parapheur::CircuitService& circuits);
    // Called last inside the approval transaction with the registered letter; an error rolls
    // the whole approval back. The processing layer marks the incoming entry answered here.
    void set_registered_hook(std::function<Status(storage::Tx&, const Letter&)> hook);
    // Tests only: called after each step of submit() and of the approval; an error aborts there.
    void set_fault_hook(std::function<Status(ApprovalStep)> hook);

    struct Impl;

private:
    std::unique_ptr<Impl> impl_;
};

}  // namespace idara::outgoing
