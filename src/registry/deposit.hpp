// The registry office: remote deposit of correspondence with a sealed receipt,
// the register, tracking and cancellation.
//
// Channels (who deposits, and how the depositor is recorded):
//   portal          a signed-in citizen or company representative, for themselves;
//   administration  a staff member (session or API token) on behalf of their own
//                   administration, to another administration;
//   counter         a registry clerk of the receiving administration registers paper
//                   mail for a walk-in person (name and ID number given at the desk);
//   assisted        an agent (role agent) of any administration — the proximity centre —
//                   files for a citizen whose identity document they checked at the desk:
//                   the depositor is the citizen (name and ID number, required), the account
//                   is the agent's (they see the entry and its receipt, and complete it), and
//                   the agent's administration is recorded as where it was filed
//                   (Entry::depositor_administration_code). Stored as channel 'counter' with a
//                   depositor account (see migrations/*/0016_assisted.sql).
// The channel is explicit in the request and checked against the caller:
// deposit.channel_forbidden (403) otherwise.
//
// deposit() registers in ONE write transaction: it allocates the gap-free
// register number, stores the attachments, stores the sealed receipt, inserts the
// entry, its attachments and its first event, and records the idempotency key; then
// commits. Nothing is returned — and no receipt exists — unless all of that
// committed. Validation (fields, types, attachment content) happens before. The
// receipt is normally rendered and sealed before the transaction too, for the number
// the sequencer (sequencer.hpp) expects, so that receipts render in parallel; the
// transaction uses it only when the number it allocates is that one, and renders
// again otherwise.
//
// Idempotency: with a key, a second deposit by the same account with the same
// key returns the first result (replayed = true) when the request is the same,
// and deposit.idempotency_mismatch (422) when it differs. Keys are 1..128
// printable ASCII characters.
//
// Visibility: an entry is visible to its depositor account and to staff of the
// receiving administration (TenantScope); to everyone else it is
// resource.not_found (404), never forbidden. Tracking needs the number and the
// tracking code; a wrong code and an unknown number give the same
// resource.not_found.
//
// Errors (bilingual messages in web/i18n/*/registry.json), each naming what to fix:
//   deposit.subject (400)  deposit.body (400)  deposit.depositor_name (400)
//   deposit.depositor_id_number (400)  deposit.idempotency_key (400)
//   deposit.unknown_administration (400: missing or not in the directory)
//   deposit.unknown_type (400)  deposit.unknown_unit (400)
//   deposit.channel_forbidden (403: this caller cannot use this channel)
//   deposit.idempotency_mismatch (422: same key, different request)
//   entry.cancel_reason (400)  entry.already_cancelled (409)  deposit.type_invalid (400)
// plus the attachment errors of attachments.hpp, and storage, receipt and trust errors.
//
// Thread-safety: a DepositService may be used from any number of threads.
#pragma once

#include "core/clock.hpp"
#include "core/error.hpp"
#include "identity/principal.hpp"
#include "registry/attachments.hpp"

#include <chrono>
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
struct Administration;
}

namespace idara::registry {

enum class Channel { portal, administration, counter, assisted };
std::string_view channel_name(Channel c);  // "portal", "administration", "counter", "assisted"
std::optional<Channel> parse_channel(std::string_view s);

// A type of correspondence an administration accepts, with the deadline and
// silence regime that apply to it (Law 55-19). Configured per administration;
// every administration gets letter, complaint, request and application.
struct DepositType {
    std::string code;             // "letter"
    std::string name_ar, name_fr;
    int deadline_days = 60;
    bool working_days = false;    // deadline counted in working days (else calendar days)
    bool silence_is_approval = false;
    bool operator==(const DepositType&) const = default;
};

struct NewDeposit {
    Channel channel = Channel::portal;
    std::string administration_code;        // receiving administration
    std::optional<std::string> unit_code;   // receiving unit; default: the registry office
    std::string type_code;                  // a DepositType code of that administration
    std::string subject;                    // 1..300 characters
    std::string body;                       // 0..20000 characters
    std::vector<IncomingFile> files;
    // counter and assisted only: the walk-in depositor
    std::optional<std::string> depositor_name;       // 1..200 characters
    std::optional<std::string> depositor_id_number;  // national ID (CIN) or passport, 4..32 [A-Za-z0-9]
    std::optional<std::string> idempotency_key;
};

struct DepositResult {
    std::string register_number;     // "MEF-2026-000123"
    std::int64_t registered_at_ms = 0;
    std::string tracking_code;       // "K7QX-M3PA": shown once; stored hashed
    std::string receipt_digest;      // SHA-256 hex of the registered facts (also in the QR)
    std::string receipt_sha256;      // SHA-256 hex of the sealed receipt PDF
    bool replayed = false;           // an idempotent retry of an earlier deposit
};

enum class EntryStatus { registered, cancelled };
std::string_view status_name(EntryStatus s);  // "registered", "cancelled"

struct EntryAttachment {
    std::string name;
    std::string media_type;   // "application/pdf"
    std::int64_t size = 0;
    std::string sha256;
};

struct EntryEvent {
    std::int64_t at_ms = 0;
    std::string kind;         // "registered", "cancelled"
    std::string detail;       // e.g. the cancellation reason
};

struct Entry {
    std::int64_t id = 0;
    std::string register_number;
    std::int64_t administration_id = 0;
    std::string administration_code, administration_name_ar, administration_name_fr;
    std::string unit_code, unit_name_ar, unit_name_fr;
    Channel channel = Channel::portal;
    std::string depositor_name;
    std::optional<std::string> depositor_administration_code;  // channel administration
    std::string type_code, type_name_ar, type_name_fr;
    std::string subject, body;
    EntryStatus status = EntryStatus::registered;
    std::optional<std::string> cancel_reason;
    std::int64_t registered_at_ms = 0;
    std::int64_t due_at_ms = 0;
    std::string receipt_digest, receipt_sha256;
    std::vector<EntryAttachment> attachments;
    std::vector<EntryEvent> events;
};

// What tracking shows without login: no body, no depositor, no attachments.
struct TrackedEntry {
    std::string register_number;
    std::string administration_name_ar, administration_name_fr;
    std::string type_name_ar, type_name_fr;
    EntryStatus status = EntryStatus::registered;
    std::string state;                          // the processing state ("in_progress", ...)
    std::optional<std::string> transferred_to;  // the competent administration's register number
    std::int64_t registered_at_ms = 0;
    std::int64_t due_at_ms = 0;
    std::vector<EntryEvent> events;
};

// One line of a list (the depositor's space, the registry's list).
struct EntrySummary {
    std::string register_number;
    std::string administration_code;
    std::string subject;
    std::string type_code;
    EntryStatus status = EntryStatus::registered;
    std::int64_t registered_at_ms = 0;
    std::string state;        // the processing state (processing/workflow.hpp): "in_progress", ...
    // An empty subject in the register list: a confidential entry the caller may not read.
};

// Where register facts are compared on verification.
struct RegisterMatch {
    std::string register_number;
    std::int64_t registered_at_ms = 0;
    std::string administration_code;
    std::string receipt_digest, receipt_sha256;
    EntryStatus status = EntryStatus::registered;
};

struct DepositOptions {
    AttachmentLimits limits;
    // Failed tracking attempts allowed per register number and per client in the window.
    int track_failures_per_number = 10;
    int track_failures_per_client = 30;
    std::chrono::milliseconds track_window = std::chrono::minutes(15);
    std::string public_url = "http://127.0.0.1:8080";  // for the QR's verification URL
    // The legal due instant for a deadline of `days` from `registered_at_ms`. Empty: calendar
    // days, or working days skipping weekends only; the application wires the holiday
    // calendar (deadline/deadline.hpp).
    std::function<std::int64_t(std::int64_t registered_at_ms, int days, bool working_days)> due_date;
};

// An entry registered at another administration by transfer (register_transfer).
struct TransferredEntry {
    std::int64_t entry_id = 0;
    std::string register_number;
    std::int64_t due_at_ms = 0;
};

// Steps of the registration transaction, for fault injection in tests.
// In the order they happen.
enum class Step { numbered, files_stored, receipt_rendered, receipt_sealed, receipt_stored, entry_inserted };

class DepositService {
public:
    DepositService(storage::Database& db, storage::BlobStore& blobs, trust::KeyStore& keys,
                   identity::Service& ids, DepositOptions o, const Clock& clock = system_clock());
    ~DepositService();

    Result<DepositResult> deposit(const identity::Principal& who, NewDeposit d);

    // The entry for its depositor or for staff of the receiving administration.
    Result<Entry> get(const identity::Principal& who, std::string_view register_number);
    // The sealed receipt PDF (same visibility as get()).
    Result<std::string> receipt_pdf(const identity::Principal& who, std::string_view register_number);
    // Public tracking with the tracking code. Failed attempts are throttled per register number
    // and per client address (`client`, e.g. the peer IP): past the limit every attempt is
    // auth.rate_limited (429) until the window passes, so codes cannot be guessed online.
    Result<TrackedEntry> track(std::string_view register_number, std::string_view tracking_code,
                               const std::string& client = {});
    // The register's facts for a number (verification; no personal data). not_found when unknown.
    Result<RegisterMatch> register_facts(std::string_view register_number);
    // The register's facts for a receipt file digest (verification of an uploaded PDF).
    Result<RegisterMatch> register_facts_by_receipt(std::string_view receipt_sha256);

    // Cancels an entry (registry clerk or admin of the receiving administration); it stays
    // in the register, marked cancelled with the reason (1..500 characters).
    Status cancel(const identity::Principal& who, std::string_view register_number, std::string_view reason);

    // The depositor's own entries, newest first (at most `limit`).
    Result<std::vector<EntrySummary>> list_mine(const identity::Principal& who, int limit = 50);
    // The receiving administration's register, newest first (staff).
    Result<std::vector<EntrySummary>> list_register(const identity::Principal& who, int limit = 50);

    // The deposit types an administration accepts (public).
    Result<std::vector<DepositType>> types(std::string_view administration_code);
    // Adds or replaces one of the scope's administration's own types (it then wins over the
    // platform default of the same code). deposit.type_invalid (400): code not [a-z0-9_]{1,32},
    // names empty or over 200 characters, deadline outside 1..365 days. Trusted (CLI) or admin.
    Status set_type(const identity::TenantScope& scope, const DepositType& t);

    // Transfer to the competent administration, inside the caller's write transaction: registers
    // at `target` a copy of entry `source_entry_id` — same channel, depositor, subject, body,
    // attachments and tracking code (the depositor's code works for both numbers) — with its
    // own number and sealed receipt, registered by `actor_account_id`. The deadline counts from
    // the original deposit (the depositor loses no time to the administration's mistake).
    // entry_flow links both entries. The caller checks permissions and the source's state.
    Result<TransferredEntry> register_transfer(storage::Tx& tx, std::int64_t source_entry_id,
                                               const identity::Administration& target, std::int64_t actor_account_id,
                                               const std::string& origin);

    // Tests only: called after each step inside the transaction; an error or an exception
    // aborts the registration there.
    void set_fault_hook(std::function<Status(Step)> hook);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace idara::registry
