// The correspondence window: what an administration's staff do with a registered entry
// until it is answered (docs/design/correspondence-window.md).
//
// States (entry_flow.state) and who moves an entry between them:
//
//   registered ──assign──▶ assigned ──start──▶ in_progress ──request_documents──▶ missing_documents
//       │                     │                     │    ▲                              │
//       │                     │                     │    └──────complete_documents──────┘
//       ├──reject / transfer──┴──reject / transfer──┴──reject──▶ rejected / transferred
//       │                                           └──(reply dispatched: mark_answered)──▶ answered
//   answered / rejected / transferred ──close──▶ closed          (cancel: registry/deposit.hpp)
//
//   qualify    registry clerk or admin; registered or assigned: type, priority, confidentiality
//   assign     registry clerk or admin; registered, assigned or in_progress: one lead unit,
//              others in copy (re-assigning clears the assignee)
//   dispatch   head of the lead unit (or admin): gives the entry to an agent of that unit
//   start      the assignee: assigned → in_progress
//   annotate   any staff member who may read the entry; optional working document
//   request_opinion  head of the lead unit or the assignee: another unit is asked
//   give_opinion     a member of a unit asked for its opinion
//   request_documents  the assignee or the head of the lead unit, ONCE per entry (Law 55-19):
//              the deadline clock pauses; a second request is processing.documents_already_requested
//   complete_documents  the depositor (their account), or a registry clerk for counter
//              deposits: the clock resumes with the days that were left
//   reject     registry clerk/admin (not for this administration; registered or assigned) or the
//              head of the lead unit (refusal on the merits); a reason is required
//   transfer   registry clerk or admin, to the competent administration on the platform: a new
//              incoming entry there (own number and receipt, same depositor, same tracking code,
//              deadline counted from the original deposit), linked both ways
//   close      registry clerk, admin or head of the lead unit, after answered/rejected/transferred
// Acting for someone: a person with an active delegation (delegations table, a date range in
// Casablanca civil dates) acts with the delegator's assignments and unit-head units; the
// event records "on behalf of".
//
// Every change checks the version the caller saw (`expected_version`) and bumps it: a stale
// version is processing.version_conflict (409) and changes nothing. Every change appends an
// event (who, what, when, from where, the new version); the timeline is built from events.
//
// Visibility: entries of another administration are resource.not_found. A confidential
// entry's content (subject, body, files, notes, timeline) is readable only by members of the
// units it is assigned to (lead, copy or opinion) and by its assignee (or their delegate);
// others in the administration see its register line with the subject masked, and registry
// clerks/admins can still route it. The depositor sees their entry but never internal notes.
//
// Errors (bilingual in web/i18n/*/processing.json):
//   processing.version_conflict (409)   processing.invalid_transition (409)
//   processing.documents_already_requested (409)  processing.reason (400)  processing.text (400)
//   processing.unknown_unit (400)  processing.unknown_agent (400)  processing.unknown_administration (400)
//   processing.transfer_self (400)  processing.priority (400)  processing.delegation (400)
//   processing.documents_missing (400: completing a file needs at least one document)
//   auth.forbidden (403)  resource.not_found (404)
//
// Thread-safety: a WorkflowService may be used from any number of threads.
#pragma once

#include "core/clock.hpp"
#include "core/error.hpp"
#include "identity/principal.hpp"
#include "registry/attachments.hpp"
#include "search/search.hpp"

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
namespace idara::registry {
class DepositService;
}

namespace idara::processing {

enum class State { registered, assigned, in_progress, missing_documents, answered, rejected, transferred, closed, cancelled };
std::string_view state_name(State s);
std::optional<State> parse_state(std::string_view s);
// answered, rejected, transferred, closed, cancelled: no more work on the entry.
bool is_finished(State s);

enum class Priority { normal, urgent };
std::string_view priority_name(Priority p);
std::optional<Priority> parse_priority(std::string_view s);

enum class UnitRole { lead, copy, opinion };
std::string_view unit_role_name(UnitRole r);

// Who acts and from where ("web 192.0.2.1", "api 192.0.2.1", "cli").
struct Actor {
    const identity::Principal& who;
    std::string origin;
};

// The legal clock (Law 55-19). The defaults count calendar days and skip only weekends;
// the application wires the holiday calendar (deadline/deadline.hpp).
struct DeadlineRules {
    // The due instant for `days` counted from `from_ms`.
    std::function<std::int64_t(std::int64_t from_ms, int days, bool working_days)> due;
    // The due instant after a pause: the days left when the clock stopped at `paused_ms`
    // count again from `resumed_ms`.
    std::function<std::int64_t(std::int64_t registered_ms, std::int64_t paused_ms, std::int64_t resumed_ms, int days,
                               bool working_days)>
        resumed;
    static DeadlineRules weekends_only();
};

struct UnitLink {
    std::string unit_code, unit_name_ar, unit_name_fr;
    UnitRole role = UnitRole::lead;
    std::optional<std::int64_t> opinion_at_ms;
};

struct Note {
    std::int64_t id = 0;
    std::int64_t at_ms = 0;
    std::string author_name;
    std::string unit_code;
    std::string kind;  // annotation, opinion, draft, missing_request
    std::string text;
    std::optional<std::string> file_name, media_type, sha256;
    std::int64_t size = 0;
};

struct TimelineEvent {
    std::int64_t at_ms = 0;
    std::string kind;        // registered, qualified, assigned, dispatched, started, annotated, ...
    std::string actor_name;  // empty for the system
    std::string origin;      // "web 192.0.2.1"
    std::int64_t version = 0;
    std::string detail;      // a JSON object (or plain text for events of the registry office)
};

// Everything the correspondence window shows about one entry.
struct Dossier {
    std::int64_t entry_id = 0;
    std::string register_number;
    State state = State::registered;
    std::int64_t version = 0;
    Priority priority = Priority::normal;
    bool confidential = false;
    bool content_visible = true;  // false: subject masked, no body/files/notes/timeline
    std::string subject, body, depositor_name, type_code, channel;
    std::int64_t registered_at_ms = 0, due_at_ms = 0;
    std::optional<std::int64_t> paused_at_ms, missing_requested_at_ms, completed_at_ms;
    int deadline_days = 0;
    bool working_days = false, silence_is_approval = false;
    std::optional<std::int64_t> assignee_id;
    std::string assignee_name;
    std::vector<UnitLink> units;
    std::vector<Note> notes;  // staff only
    std::vector<TimelineEvent> timeline;
    std::optional<std::string> transferred_to, transferred_from;  // register numbers
};

enum class Inbox {
    registry,   // new entries to qualify and route (registry clerks, admins)
    unit,       // open entries whose lead unit is one the caller heads
    mine,       // open entries assigned to the caller (or to someone they stand in for)
    opinions,   // entries on which a unit of the caller was asked for an opinion, not yet given
    overdue,    // open entries of the caller's units past their due date
    due_soon,   // open entries of the caller's units due within `due_soon_days` days
};
std::optional<Inbox> parse_inbox(std::string_view s);
std::string_view inbox_name(Inbox i);

struct InboxLine {
    std::string register_number;
    std::string subject;  // masked ("") when the caller may not read it
    bool content_visible = true;
    State state = State::registered;
    Priority priority = Priority::normal;
    bool confidential = false;
    std::string type_code;
    std::string lead_unit_code;
    std::string assignee_name;
    std::int64_t registered_at_ms = 0, due_at_ms = 0;
    std::int64_t version = 0;
};

struct Qualification {
    std::optional<std::string> type_code;  // one of the administration's deposit types
    Priority priority = Priority::normal;
    bool confidential = false;
};

struct Assignment {
    std::string lead_unit_code;
    std::vector<std::string> copy_unit_codes;
};

struct Delegation {
    std::int64_t id = 0;
    std::int64_t from_account_id = 0, to_account_id = 0;
    std::string from_name, to_name;
    std::string starts_on, ends_on;  // YYYY-MM-DD, Casablanca, inclusive
};

// One unit's daily digest: what is new, due soon and overdue.
struct Digest {
    std::string unit_code, unit_name_ar, unit_name_fr;
    std::vector<InboxLine> arrived;   // assigned to the unit in the last 24 hours
    std::vector<InboxLine> due_soon;
    std::vector<InboxLine> overdue;
};

// What a person may do on an entry now (the same rules the actions enforce), so pages show
// only the forms that will work.
struct Allowed {
    bool qualify = false, assign = false, transfer = false, reject = false, close = false;
    bool dispatch = false, start = false, note = false, draft = false, reply = false;
    bool request_opinion = false, give_opinion = false, request_documents = false;
    bool complete_documents = false;  // the depositor (or the desk for counter deposits)
};

struct WorkflowOptions {
    DeadlineRules deadlines = DeadlineRules::weekends_only();
    int due_soon_days = 7;
    std::size_t max_text = 20000;  // characters in a note or reason
    registry::AttachmentLimits limits;  // working documents and completed files
};

class WorkflowService {
public:
    WorkflowService(storage::Database& db, storage::BlobStore& blobs, registry::DepositService& deposits,
                    WorkflowOptions o = {}, const Clock& clock = system_clock());
    ~WorkflowService();

    // ---- reading
    Result<Dossier> dossier(const identity::Principal& who, std::string_view register_number);
    Result<std::vector<InboxLine>> inbox(const identity::Principal& who, Inbox which, int limit = 50);
    // A working document attached to a note (same visibility as the notes).
    Result<std::pair<Note, std::string>> note_file(const identity::Principal& who, std::string_view register_number,
                                                   std::int64_t note_id);
    Result<Allowed> allowed(const identity::Principal& who, std::string_view register_number);
    // Full-text search of the register for a staff member (search/search.hpp; the viewer is
    // search_viewer(who): their administration, units and confidentiality). auth.forbidden
    // for anyone else.
    Result<search::SearchPage> search(const identity::Principal& who, const search::SearchQuery& q);
    // Whether `who` may read the entry's content (for other services' checks, e.g. the registry's get()).
    Result<bool> content_visible(const identity::Principal& who, std::int64_t entry_id);
    Result<Digest> digest(const identity::TenantScope& scope, std::string_view unit_code);

    // ---- routing (registry clerk)
    Result<std::int64_t> qualify(const Actor& a, std::string_view number, std::int64_t expected_version,
                                 const Qualification& q);
    Result<std::int64_t> assign(const Actor& a, std::string_view number, std::int64_t expected_version,
                                const Assignment& to);
    Result<std::int64_t> reject(const Actor& a, std::string_view number, std::int64_t expected_version,
                                std::string_view reason);
    // Returns the register number of the new entry at the target administration.
    Result<std::string> transfer(const Actor& a, std::string_view number, std::int64_t expected_version,
                                 std::string_view target_administration_code, std::string_view reason);
    Result<std::int64_t> close(const Actor& a, std::string_view number, std::int64_t expected_version);

    // ---- processing (unit head, agents)
    Result<std::int64_t> dispatch(const Actor& a, std::string_view number, std::int64_t expected_version,
                                  std::int64_t agent_account_id);
    Result<std::int64_t> start(const Actor& a, std::string_view number, std::int64_t expected_version);
    // Notes do not change the entry's state or version (two people can annotate at once).
    Result<std::int64_t> annotate(const Actor& a, std::string_view number, std::string_view text,
                                  std::optional<registry::IncomingFile> file = {});
    Result<std::int64_t> save_draft(const Actor& a, std::string_view number, std::string_view text);
    Result<std::int64_t> request_opinion(const Actor& a, std::string_view number, std::int64_t expected_version,
                                         std::string_view unit_code, std::string_view question);
    Result<std::int64_t> give_opinion(const Actor& a, std::string_view number, std::string_view text);
    Result<std::int64_t> request_documents(const Actor& a, std::string_view number, std::int64_t expected_version,
                                           std::string_view what_is_missing);
    // The depositor completes the file (files are added to the entry's attachments).
    Result<std::int64_t> complete_documents(const Actor& a, std::string_view number, std::int64_t expected_version,
                                            std::vector<registry::IncomingFile> files, std::string_view note);
    // Inside the caller's transaction (the outgoing register's hook when a reply is dispatched):
    // in_progress/assigned/missing_documents → answered.
    static Status mark_answered(storage::Tx& tx, std::int64_t entry_id, std::int64_t actor_id,
                                const std::string& reply_number, std::int64_t at_ms);
    // The outgoing register's hook (app wiring): a letter in reply to entry `entry_id` was
    // registered. When it `answers` (an answer or a refusal, not an acknowledgement or a
    // request for information) and the entry is still open, the entry becomes answered;
    // otherwise the letter is recorded on the timeline ("reply_registered") and the state
    // stays. Only storage errors fail (and roll the approval back).
    static Status record_reply(storage::Tx& tx, std::int64_t entry_id, std::int64_t actor_id,
                               const std::string& reply_number, bool answers, std::int64_t at_ms);

    // ---- delegation during absence
    Result<std::int64_t> delegate(const identity::Principal& who, std::int64_t from_account_id,
                                  std::int64_t to_account_id, std::string_view starts_on, std::string_view ends_on);
    Status revoke_delegation(const identity::Principal& who, std::int64_t delegation_id);
    Result<std::vector<Delegation>> delegations(const identity::Principal& who);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace idara::processing
