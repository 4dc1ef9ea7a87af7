// Internal to processing: the service state, the entry's flow row, who is acting, and the
// one way every change is written (version check + event).
#pragma once

#include "processing/workflow.hpp"
#include "registry/deposit.hpp"
#include "storage/blob_store.hpp"
#include "storage/db.hpp"

#include <boost/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace idara::processing {

struct WorkflowService::Impl {
    Impl(storage::Database& d, storage::BlobStore& b, registry::DepositService& dep, WorkflowOptions o, const Clock& c)
        : db(d), blobs(b), deposits(dep), opts(std::move(o)), clock(c) {}
    storage::Database& db;
    storage::BlobStore& blobs;
    registry::DepositService& deposits;
    WorkflowOptions opts;
    const Clock& clock;
};

namespace detail {

// The entry and its processing state, as one row.
struct Flow {
    std::int64_t entry_id = 0, administration_id = 0;
    std::string register_number;
    State state = State::registered;
    std::int64_t version = 0;
    Priority priority = Priority::normal;
    bool confidential = false;
    std::optional<std::int64_t> lead_unit_id, assignee_id;
    std::int64_t due_at = 0;
    std::optional<std::int64_t> paused_at, missing_requested_at, completed_at;
    std::optional<std::int64_t> depositor_account_id;
    std::string channel, type_code;
    std::int64_t registered_at = 0;
    int deadline_days = 0;
    bool working_days = false, silence_is_approval = false;
    std::optional<std::int64_t> transferred_to, transferred_from;
};


// The entry with this register number in the caller's administration (nullopt: not found).
Result<std::optional<Flow>> load_flow(storage::Tx& tx, std::int64_t administration_id, const std::string& number);
// The entry by id, or by canonical register number in any administration (the caller then
// decides who may see it); resource.not_found when there is none.
Result<Flow> flow_by_id(storage::Tx& tx, std::int64_t entry_id);
Result<Flow> flow_by_number(storage::Tx& tx, const std::string& number);
// A register number as typed → canonical form, or nullopt.
std::optional<std::string> canonical(std::string_view number);
// The entry an action of `a` is about (resource.not_found for a malformed number or another
// administration's entry).
struct Acting;
Result<Flow> load_for(storage::Tx& tx, const Acting& a, std::string_view number);

// Who is acting: the caller plus everyone who delegated to them today.
struct Acting {
    std::int64_t account_id = 0;
    std::int64_t administration_id = 0;
    std::vector<std::int64_t> ids;         // caller first, then delegators
    std::vector<std::int64_t> unit_ids;    // units of all of them
    std::vector<std::int64_t> head_units;  // units any of them heads
    bool clerk = false, admin = false;     // the caller's own roles (not delegated)
    bool is(std::optional<std::int64_t> account) const;
    bool in_unit(std::optional<std::int64_t> unit) const;
    bool heads(std::optional<std::int64_t> unit) const;
    // The delegator the caller stands in for when acting as `account` (nullopt: themselves).
    std::optional<std::int64_t> on_behalf_of(std::optional<std::int64_t> account) const;
};
Result<Acting> acting(storage::Tx& tx, const identity::Principal& who, std::int64_t now_ms);

// Whether the acting person may read the entry's content (confidentiality).
Result<bool> may_read(storage::Tx& tx, const Acting& a, const Flow& f);

// The change every action makes: checks the expected version, applies `set` (an SQL
// assignment list with parameters from $3 on), bumps the version, appends the event.
// Returns the new version. processing.version_conflict when someone changed it first.
// The entry answered by a reply registered in the outgoing register (the event names it).
Status answer(storage::Tx& tx, const Flow& f, std::int64_t actor_id, const std::string& reply_number,
              std::int64_t at_ms);

Result<std::int64_t> change(storage::Tx& tx, const Flow& f, std::int64_t expected_version, const std::string& set,
                            std::vector<storage::Value> params, const std::string& event_kind,
                            const boost::json::object& detail, std::int64_t actor_id, const std::string& origin,
                            std::int64_t now_ms);
// An event that does not change the entry's state (notes); the version is unchanged.
Status record(storage::Tx& tx, std::int64_t entry_id, std::int64_t version, const std::string& kind,
              const boost::json::object& detail, std::int64_t actor_id, const std::string& origin, std::int64_t now_ms);

Error conflict(const Flow& f);
Error transition(const Flow& f, std::string_view action);
// Checks a free text (reason, note): 1..max characters, no control characters but line breaks.
Status check_text(std::string_view s, std::size_t max, const char* code);
// The unit with this code in the administration (processing.unknown_unit otherwise).
Result<std::int64_t> unit_id(storage::Tx& tx, std::int64_t administration_id, std::string_view code);

}  // namespace detail
}  // namespace idara::processing
