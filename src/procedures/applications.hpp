// Applications: a procedure filled in by an applicant, from the first answer to the registered
// entry (docs/design/portal.md).
//
// Life of an application:
//   draft ──submit──▶ submitted                      (no fee)
//   draft ──submit──▶ awaiting_payment ──payment confirmed──▶ submitted   (a fee; payments.hpp)
// A draft is saved at every answer and resumed from the applicant's list. Submitting validates
// every answer against the form schema of the version the draft was started with, then
// registers the application through the registry office (registry::DepositService::deposit,
// channel portal, the procedure's administration, unit and deposit type, the receipt subject,
// the answers as text, the uploaded documents as attachments) with the idempotency key
// "application:<id>": a retry after a failure between the deposit and the state change finds
// the same entry, so an application is registered at most once. The application then keeps the
// register number; it is processed in the correspondence window like any entry (the single
// missing-documents request and the depositor's completion work on that entry).
//
// Once-only data: a step may be followed by a lookup. The applicant sees who is asked, for what
// (Lookup::purpose), and agrees or declines. On agreement the platform calls the exchange
// (ExchangeClient) and stores the fields the lookup fills, which are shown read-only and never
// asked; the consent is recorded (time, account, procedure version, SHA-256 of the consent text
// in both languages, the X-Road-Id of the exchange). On decline the documents that lookup would
// have fetched become uploads the applicant must provide, and the fields it fills are not
// required. Consent and data are stored in one transaction after the exchange answered: a failed
// exchange records nothing (application.exchange_failed, 502, or application.lookup_not_found,
// 422, when the provider has no record for the given data).
//
// Who: the applicant is a citizen or company account (applications are theirs; anyone else gets
// resource.not_found). Staff and operators cannot apply for themselves (application.forbidden,
// 403).
//
// Errors (bilingual in web/i18n/*/portal.json):
//   application.invalid_state (409: not a draft)  application.unknown_step (404)
//   application.unknown_lookup (404)  application.unknown_document (404)
//   application.incomplete (422: detail names the first missing step, lookup or document)
//   application.closed (409: outside the procedure's submission window)
//   application.exchange_failed (502)  application.lookup_not_found (422)
//   application.national_id_missing (422: a lookup by {account.national_id} and the account has none)
//   application.forbidden (403)  resource.not_found (404)
// plus the attachment errors of registry/attachments.hpp and the deposit's errors.
//
// Thread-safety: an ApplicationService may be used from any number of threads.
#pragma once

#include "core/clock.hpp"
#include "core/error.hpp"
#include "identity/principal.hpp"
#include "procedures/catalogue.hpp"
#include "registry/attachments.hpp"

#include <boost/json/object.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace idara::storage {
class Database;
class BlobStore;
}
namespace idara::registry {
class DepositService;
struct NewDeposit;
}
namespace idara::trust {
class KeyStore;
}

namespace idara::procedures {

class ExchangeClient;
class PaymentService;

enum class State { draft, awaiting_payment, submitted };
std::string_view state_name(State s);  // "draft", "awaiting_payment", "submitted"

struct Consent {
    std::string lookup;
    bool agreed = false;
    std::int64_t at_ms = 0;
    std::string text_sha256;          // of the consent text shown: provider and purpose in Arabic,
                                      // then in French, one per line
    std::string x_road_id;            // the exchange's id (agreed only)
};

struct StoredDocument {
    std::string code;                 // Document::code
    std::string name;                 // file name as cleaned by the attachment checks
    std::string media_type;
    std::int64_t size = 0;
    std::string sha256;
};

// ---- Assisted filing (helper E; applications_assisted.cpp) ----
// An agent of a proximity centre files for a citizen whose identity document they checked at the
// desk. Any staff account with the role `agent`, of any administration, may (their administration
// acts as the proximity centre). The application belongs to the agent's account
// (applicant_account_id = the agent: the journey, the list and the receipt are theirs; citizens
// and other staff get resource.not_found like for any application), and records for whom, with
// which document, and when the agent declared the identity checked. It registers through the
// registry office's channel `assisted` (registry/deposit.hpp): the entry's depositor is the
// citizen with their ID number, its account the agent, and the agent's administration is where
// it was filed.
// Errors (bilingual in web/i18n/*/assisted.json): assisted.name (400: 1..200 characters)
//   assisted.id_type (400: cin or passport)  assisted.id_number (400: 4..32 letters or digits)
//   assisted.email (400)  assisted.identity_not_checked (400: the desk check was not declared)
//   application.forbidden (403: not an agent of an administration)
struct AssistedPerson {
    std::string full_name;
    std::string id_document;          // "cin" or "passport"
    std::string id_number;            // stored upper-case, without spaces
    std::optional<std::string> email;
    bool identity_checked = false;    // "I checked the identity document at the desk"
};
struct Assisted {
    AssistedPerson person;
    std::int64_t agent_account_id = 0;
    std::int64_t checked_at_ms = 0;
    std::optional<std::int64_t> receipt_mailed_at_ms;  // email_receipt()
};

struct Application {
    std::string id;                   // public id: 20 lowercase hex characters (80 random bits)
    std::string procedure_code;
    int procedure_version = 0;
    std::int64_t applicant_account_id = 0;
    State state = State::draft;
    boost::json::object answers;      // field -> value (typed as the form schema says)
    std::map<std::string, std::string> sources;  // fetched field -> lookup id
    std::vector<std::string> visited;  // steps saved at least once, and "documents" once seen
    std::vector<Consent> consents;
    std::vector<StoredDocument> documents;
    std::optional<std::string> register_number;  // once submitted
    std::int64_t created_at_ms = 0, updated_at_ms = 0;
    std::optional<std::int64_t> submitted_at_ms;
    std::optional<Assisted> assisted;          // filed by an agent for this person (helper E)
    std::optional<std::string> entry_state;    // once registered: the processing state of its entry
                                               // ("in_progress", "missing_documents", ...)

    const Consent* consent(std::string_view lookup) const;
    const StoredDocument* document(std::string_view code) const;
};

struct ApplicationSummary {
    std::string id;
    std::string procedure_code;
    int procedure_version = 0;
    Text title;                       // the procedure's title in that version
    State state = State::draft;
    std::optional<std::string> register_number;
    std::int64_t updated_at_ms = 0;
    std::optional<std::string> assisted_name;  // assisted filing: for whom (helper E)
    std::optional<std::string> entry_state;    // once registered: the processing state of its entry
};

// A field whose answer does not fit: `code` is "required" or "invalid"; the page shows the
// field's error text (Field::error) or the catalogue's "required" message with its label.
struct FieldProblem {
    std::string field;
    std::string code;
    std::string detail;               // the schema validator's reason (logs, API)
};

// Where the journey goes next (the first thing not done, in order): a step whose answers are
// missing or invalid, a lookup not yet agreed or declined, the required documents, then check.
struct Next {
    enum class Kind { step, lookup, documents, check } kind = Kind::check;
    std::string id;                   // the step or lookup id; documents: the first missing one ("" when
                                      // none is missing but the page was never seen)
};

struct Submitted {
    std::string register_number;
    std::string tracking_code;        // shown once (empty when replayed)
    std::int64_t registered_at_ms = 0;
    bool replayed = false;
};

class ApplicationService {
public:
    ApplicationService(storage::Database& db, storage::BlobStore& blobs, Catalogue& catalogue,
                       registry::DepositService& deposits, ExchangeClient* exchange,
                       registry::AttachmentLimits limits, const Clock& clock = system_clock());
    ~ApplicationService();

    // A new draft of the current version of `procedure_code`.
    Result<Application> start(const identity::Principal& who, std::string_view procedure_code);
    Result<Application> get(const identity::Principal& who, std::string_view id);
    // The applicant's applications, most recently changed first.
    Result<std::vector<ApplicationSummary>> list_mine(const identity::Principal& who, int limit = 100);

    // Saves the answers of one step (form values as typed; empty means no answer). Returns the
    // problems found, in the step's field order; nothing is saved unless there are none.
    Result<std::vector<FieldProblem>> answer(const identity::Principal& who, std::string_view id,
                                             std::string_view step, const std::map<std::string, std::string>& form);
    // Saves typed answers (the API: JSON values as the form schema wants them) for any fields the
    // applicant is asked (not those a lookup fills: application.field_not_asked problems). Same
    // contract as answer(): problems in field order, nothing saved unless there are none.
    Result<std::vector<FieldProblem>> answer_json(const identity::Principal& who, std::string_view id,
                                                  const boost::json::object& data);
    // The applicant agrees (the exchange is called) or declines a lookup.
    Result<Application> decide_lookup(const identity::Principal& who, std::string_view id, std::string_view lookup,
                                      bool agree);
    // Marks the documents page as seen (the journey moves on to check when nothing required is missing).
    Status documents_seen(const identity::Principal& who, std::string_view id);
    // Adds or replaces the file of an upload document; removes it.
    Result<Application> put_document(const identity::Principal& who, std::string_view id, std::string_view code,
                                     registry::IncomingFile file);
    Result<Application> remove_document(const identity::Principal& who, std::string_view id, std::string_view code);
    // The bytes of a stored document (the applicant only).
    Result<std::string> document_bytes(const identity::Principal& who, std::string_view id, std::string_view code);

    // Staff of the procedure's administration: its submitted applications (newest first;
    // `procedure_code` empty: all), and one of them (resource.not_found for other administrations).
    Result<std::vector<ApplicationSummary>> list_received(const identity::Principal& staff,
                                                          std::string_view procedure_code = {}, int limit = 100);
    Result<Application> get_received(const identity::Principal& staff, std::string_view id);

    // Where the journey of `a` continues.
    static Next next(const Procedure& p, const Application& a);
    // The problems of the answers of `step` as they stand.
    static std::vector<FieldProblem> step_problems(const Procedure& p, const Application& a, std::string_view step);

    // Validates everything and registers the application (see the header comment).
    // ---- Payments (helper D; payments.hpp, applications_submit.cpp) ----
    // A procedure with a fee: on a complete draft, submit() is application.payment_required
    // (402) and changes nothing; PaymentService::start (same validation) records a pending
    // payment and moves the draft to awaiting_payment, and PaymentService::current gives its
    // checkout URL. Once a payment of the application is paid, submit() registers the
    // awaiting_payment application without validating again (its answers were frozen when the
    // payment started) with the same idempotency key; a failed payment returns it to draft.
    // An awaiting_payment application without a paid payment is application.invalid_state (409).
    Result<Submitted> submit(const identity::Principal& who, std::string_view id);
    // The payment service of fees (wired by the runtime; null: no provider, fees cannot be paid).
    // The portal's pages reach it through here.
    void set_payments(PaymentService* p) { payments_ = p; }
    PaymentService* payments() const { return payments_; }

    // ---- Scored questionnaires (scoring.hpp; applications_report.cpp)
    // The report of a submitted application of a procedure with `scoring`: rendered, then sealed
    // with the platform seal (platform_seal.hpp) of the KeyStore given to set_seal. Who: the
    // applicant, or staff of the administration that received it; anyone else resource.not_found.
    // Errors: resource.not_found (also: the procedure has no scoring), application.invalid_state
    // (409: not submitted yet), internal (no KeyStore set), trust.*.
    struct ScoreReportFile {
        std::string pdf;
        std::string file_name;        // "maturity-report-ADD-2026-000012.pdf"
    };
    Result<ScoreReportFile> score_report(const identity::Principal& who, std::string_view id);
    // The keys of the platform seal on reports (wired by the runtime; tests set them too).
    void set_seal(trust::KeyStore* keys) { seal_keys_ = keys; }

    // The procedure version an application was filed under.
    Result<Published> procedure_of(const Application& a);
    // The national id a lookup's {account.national_id} stands for: the applicant account's, or for
    // an assisted filing the CIN checked at the desk; nullopt when there is none.
    Result<std::optional<std::string>> national_id_of(const Application& a);

    // ---- Assisted filing (helper E; see AssistedPerson above) ----
    // A new draft of the current version of `procedure_code` filed by `agent` for `person`.
    Result<Application> start_assisted(const identity::Principal& agent, std::string_view procedure_code,
                                       const AssistedPerson& person);
    // Whether `who` may file assisted applications (staff with the role agent).
    static bool may_assist(const identity::Principal& who);
    // Queues the sealed receipt of the registered assisted application `id` in the e-mail outbox
    // (outgoing/mailer.hpp; sent by the Mailer when e-mail is configured) to the citizen's
    // address, with a bilingual text; records when. Returns the address. Errors:
    // resource.not_found (not the agent's), application.invalid_state (409: not registered yet),
    // assisted.not_assisted (409), assisted.no_email (409: no address was given).
    Result<std::string> email_receipt(const identity::Principal& agent, std::string_view id);

private:
    // The deposit an application registers as (applications_deposit.cpp): channel, routing, subject
    // from the receipt wording, the answers as text, the documents, the idempotency key.
    Result<registry::NewDeposit> deposit_for(const Procedure& p, const Application& a, const identity::Principal& who);
    // Registers a validated application through the deposit and marks it submitted (submit()).
    Result<Submitted> register_now(const identity::Principal& who, const Application& a, const Procedure& p);
    PaymentService* payments_ = nullptr;
    trust::KeyStore* seal_keys_ = nullptr;

    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace idara::procedures
