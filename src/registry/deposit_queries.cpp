// DepositService: reading the register (entries, receipts, tracking, lists) and cancelling.
#include "registry/deposit_impl.hpp"

#include "core/random.hpp"
#include "core/utf8.hpp"
#include "identity/service.hpp"
#include "journal/journal.hpp"

#include <algorithm>
#include <cctype>

namespace idara::registry {

using identity::Principal;
using identity::Role;
using storage::Row;
using storage::Tx;

namespace detail {

const char* const kEntryColumns =
    "e.id, e.register_number, e.administration_id, a.code, a.name_ar, a.name_fr, COALESCE(u.code, ''), "
    "COALESCE(u.name_ar, ''), COALESCE(u.name_fr, ''), e.channel, e.depositor_name, sa.code, e.type_code, e.subject, "
    "e.body, e.status, e.cancel_reason, e.registered_at, e.due_at, e.receipt_digest, e.receipt_blob, "
    "e.depositor_account_id, e.depositor_administration_id";

Entry entry_from_row(const Row& r) {
    Entry e;
    e.id = r.as_int(0);
    e.register_number = r.as_text(1);
    e.administration_id = r.as_int(2);
    e.administration_code = r.as_text(3);
    e.administration_name_ar = r.as_text(4);
    e.administration_name_fr = r.as_text(5);
    e.unit_code = r.as_text(6);
    e.unit_name_ar = r.as_text(7);
    e.unit_name_fr = r.as_text(8);
    e.channel = parse_channel(r.as_text(9)).value_or(Channel::portal);
    // An assisted deposit is stored as 'counter' with the agent's account (migration 0016).
    if (e.channel == Channel::counter && !r.is_null(21)) e.channel = Channel::assisted;
    e.depositor_name = r.as_text(10);
    e.depositor_administration_code = r.opt_text(11);
    e.type_code = r.as_text(12);
    e.subject = r.as_text(13);
    e.body = r.as_text(14);
    e.status = detail::status_of(r.as_text(15));
    e.cancel_reason = r.opt_text(16);
    e.registered_at_ms = r.as_int(17);
    e.due_at_ms = r.as_int(18);
    e.receipt_digest = r.as_text(19);
    e.receipt_sha256 = r.as_text(20);
    return e;
}

}  // namespace detail

namespace {

constexpr const char* kEntryFrom =
    " FROM entries e JOIN administrations a ON a.id = e.administration_id LEFT JOIN units u ON u.id = e.unit_id "
    "LEFT JOIN administrations sa ON sa.id = e.depositor_administration_id ";

// Whether `who` may see an entry: its depositor account, staff of the receiving
// administration, or staff of the administration that deposited it.
bool may_see(const Principal& who, const Row& r) {
    if (auto dep = r.opt_int(21); dep && *dep == who.account_id) return true;
    if (!who.is_staff() || !who.administration_id) return false;
    if (r.as_int(2) == *who.administration_id) return true;
    auto sender = r.opt_int(22);
    return sender && *sender == *who.administration_id;
}

// A confidential entry (processing/workflow.hpp) is hidden from staff of the receiving
// administration who are neither its assignee nor members of a unit it is assigned to.
Result<bool> hidden_as_confidential(Tx& tx, const Principal& who, const Row& r) {
    if (auto dep = r.opt_int(21); dep && *dep == who.account_id) return false;
    auto f = tx.query_one("SELECT confidential, assignee_id FROM entry_flow WHERE entry_id = $1", {r.as_int(0)});
    if (!f) return f.error();
    if (!*f || (*f)->as_int(0) == 0) return false;
    if (auto a = (*f)->opt_int(1); a && *a == who.account_id) return false;
    auto units = tx.query("SELECT unit_id FROM entry_units WHERE entry_id = $1", {r.as_int(0)});
    if (!units) return units.error();
    for (const auto& u : *units)
        for (const auto& m : who.memberships)
            if (m.unit_id && *m.unit_id == u.as_int(0)) return false;
    return true;
}

// Visible and not hidden by confidentiality.
Result<bool> visible(Tx& tx, const Principal& who, const Row& r) {
    if (!may_see(who, r)) return false;
    auto hidden = hidden_as_confidential(tx, who, r);
    if (!hidden) return hidden.error();
    return !*hidden;
}

// A register number in canonical form, or nullopt (then: not found, like any unknown number).
std::optional<std::string> canonical_number(std::string_view s) {
    auto n = parse_register_number(s);
    if (!n) return std::nullopt;
    return n->text();
}

Result<std::optional<Row>> entry_row(Tx& tx, const std::string& number) {
    return tx.query_one(std::string("SELECT ") + detail::kEntryColumns + kEntryFrom + "WHERE e.register_number = $1",
                        {number});
}

Status load_details(Tx& tx, Entry& e) {
    auto files = tx.query("SELECT name, media_type, size, blob FROM entry_attachments WHERE entry_id = $1 ORDER BY position",
                          {e.id});
    if (!files) return files.error();
    for (const auto& f : *files) e.attachments.push_back({f.as_text(0), f.as_text(1), f.as_int(2), f.as_text(3)});
    auto events = tx.query("SELECT at, kind, detail FROM entry_events WHERE entry_id = $1 ORDER BY id", {e.id});
    if (!events) return events.error();
    for (const auto& ev : *events) e.events.push_back({ev.as_int(0), ev.as_text(1), ev.as_text(2)});
    auto type = detail::find_type(tx, e.administration_id, e.type_code);
    if (type) {
        e.type_name_ar = type->name_ar;
        e.type_name_fr = type->name_fr;
    } else {
        e.type_name_ar = e.type_name_fr = e.type_code;
    }
    return {};
}

// The tracking code as typed: case-insensitive, spaces and hyphens ignored → "XXXX-XXXX".
std::optional<std::string> canonical_code(std::string_view s) {
    std::string raw;
    for (char c : s) {
        if (c == ' ' || c == '-') continue;
        if (!std::isalnum(static_cast<unsigned char>(c))) return std::nullopt;
        raw += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    if (raw.size() != 8) return std::nullopt;
    return raw.substr(0, 4) + "-" + raw.substr(4);
}

RegisterMatch match_from(const Row& r) {
    return RegisterMatch{r.as_text(0), r.as_int(1), r.as_text(2), r.as_text(3), r.as_text(4),
                         detail::status_of(r.as_text(5))};
}

constexpr const char* kMatchSelect =
    "SELECT e.register_number, e.registered_at, a.code, e.receipt_digest, e.receipt_blob, e.status FROM entries e "
    "JOIN administrations a ON a.id = e.administration_id ";

// `subject` is the SQL expression for the subject column (masked for confidential entries).
Result<std::vector<EntrySummary>> summaries(storage::Database& db, const std::string& where, std::int64_t id, int limit,
                                            const std::string& subject = "e.subject") {
    limit = std::clamp(limit, 1, 500);
    return db.read<std::vector<EntrySummary>>([&](Tx& tx) -> Result<std::vector<EntrySummary>> {
        auto rows = tx.query("SELECT e.register_number, a.code, " + subject + ", e.type_code, e.status, e.registered_at, "
                             "COALESCE(f.state, e.status) FROM entries e JOIN administrations a ON a.id = "
                             "e.administration_id LEFT JOIN entry_flow f ON f.entry_id = e.id WHERE " +
                                 where + " ORDER BY e.registered_at DESC, e.id DESC LIMIT $2",
                             {id, std::int64_t{limit}});
        if (!rows) return rows.error();
        std::vector<EntrySummary> out;
        for (const auto& r : *rows)
            out.push_back({r.as_text(0), r.as_text(1), r.as_text(2), r.as_text(3),
                           detail::status_of(r.as_text(4)), r.as_int(5), r.as_text(6)});
        return out;
    });
}

}  // namespace

Result<Entry> DepositService::get(const Principal& who, std::string_view register_number) {
    auto number = canonical_number(register_number);
    if (!number) return errors::not_found("register number");
    return impl_->db.read<Entry>([&](Tx& tx) -> Result<Entry> {
        auto row = entry_row(tx, *number);
        if (!row) return row.error();
        if (!*row) return errors::not_found("entry");
        auto ok = visible(tx, who, **row);
        if (!ok) return ok.error();
        if (!*ok) return errors::not_found("entry");
        Entry e = detail::entry_from_row(**row);
        if (auto s = load_details(tx, e); !s) return s.error();
        return e;
    });
}

Result<std::string> DepositService::receipt_pdf(const Principal& who, std::string_view register_number) {
    auto number = canonical_number(register_number);
    if (!number) return errors::not_found("register number");
    return impl_->db.read<std::string>([&](Tx& tx) -> Result<std::string> {
        auto row = entry_row(tx, *number);
        if (!row) return row.error();
        if (!*row) return errors::not_found("entry");
        auto ok = visible(tx, who, **row);
        if (!ok) return ok.error();
        if (!*ok) return errors::not_found("entry");
        auto pdf = impl_->blobs.get(tx, (*row)->as_text(20));
        if (!pdf) return pdf.error();
        if (!*pdf) return Error{"storage.corrupt", 500, "receipt blob missing"};
        return std::move(**pdf);
    });
}

namespace {

Result<TrackedEntry> track_entry(storage::Database& db, std::string_view register_number,
                                 std::string_view tracking_code) {
    auto number = canonical_number(register_number);
    auto code = canonical_code(tracking_code);
    // The hash is computed even for malformed input so both answers cost about the same.
    const std::string hash = random::sha256_hex(code.value_or(std::string(tracking_code)));
    return db.read<TrackedEntry>([&](Tx& tx) -> Result<TrackedEntry> {
        auto row = tx.query_one(
            "SELECT e.id, e.register_number, a.name_ar, a.name_fr, e.type_code, e.status, e.registered_at, e.due_at, "
            "e.tracking_hash, e.administration_id, COALESCE(f.state, e.status), t.register_number FROM entries e "
            "JOIN administrations a ON a.id = e.administration_id LEFT JOIN entry_flow f ON f.entry_id = e.id "
            "LEFT JOIN entries t ON t.id = f.transferred_to WHERE e.register_number = $1",
            {number.value_or("")});
        if (!row) return row.error();
        const bool found = *row && number && code;
        const std::string stored = found ? (*row)->as_text(8) : std::string(64, '0');
        if (!random::equal_ct(stored, hash) || !found) return errors::not_found("tracking");
        const Row& r = **row;
        TrackedEntry t;
        t.register_number = r.as_text(1);
        t.administration_name_ar = r.as_text(2);
        t.administration_name_fr = r.as_text(3);
        auto type = detail::find_type(tx, r.as_int(9), r.as_text(4));
        t.type_name_ar = type ? type->name_ar : r.as_text(4);
        t.type_name_fr = type ? type->name_fr : r.as_text(4);
        t.status = detail::status_of(r.as_text(5));
        t.registered_at_ms = r.as_int(6);
        t.due_at_ms = r.as_int(7);
        t.state = r.as_text(10);
        t.transferred_to = r.opt_text(11);
        // Public history: the steps that concern the depositor and when; no reasons, notes or names.
        auto events = tx.query(
            "SELECT at, kind FROM entry_events WHERE entry_id = $1 AND kind IN ('registered', 'transferred_in', "
            "'assigned', 'started', 'documents_requested', 'documents_completed', 'answered', 'reply_registered', "
            "'rejected', 'transferred', 'closed', 'cancelled') ORDER BY id",
            {r.as_int(0)});
        if (!events) return events.error();
        for (const auto& ev : *events) t.events.push_back({ev.as_int(0), ev.as_text(1), {}});
        return t;
    });
}

}  // namespace

Result<TrackedEntry> DepositService::track(std::string_view register_number, std::string_view tracking_code,
                                           const std::string& client) {
    const std::string throttle_key = "track:" + std::string(register_number.substr(0, 40));
    if (auto s = impl_->track_throttle.check(throttle_key, client); !s) return s.error();
    auto found = track_entry(impl_->db, register_number, tracking_code);
    if (!found && found.error().status == 404) impl_->track_throttle.record_failure(throttle_key, client);
    return found;
}

Result<RegisterMatch> DepositService::register_facts(std::string_view register_number) {
    auto number = canonical_number(register_number);
    if (!number) return errors::not_found("register number");
    return impl_->db.read<RegisterMatch>([&](Tx& tx) -> Result<RegisterMatch> {
        auto row = tx.query_one(std::string(kMatchSelect) + "WHERE e.register_number = $1", {*number});
        if (!row) return row.error();
        if (!*row) return errors::not_found("entry");
        return match_from(**row);
    });
}

Result<RegisterMatch> DepositService::register_facts_by_receipt(std::string_view receipt_sha256) {
    return impl_->db.read<RegisterMatch>([&](Tx& tx) -> Result<RegisterMatch> {
        auto row = tx.query_one(std::string(kMatchSelect) + "WHERE e.receipt_blob = $1", {std::string(receipt_sha256)});
        if (!row) return row.error();
        if (!*row) return errors::not_found("entry");
        return match_from(**row);
    });
}

Status DepositService::cancel(const Principal& who, std::string_view register_number, std::string_view reason) {
    const std::string why(reason);
    auto len = utf8::length(why);
    if (!len || *len < 1 || *len > 500 || utf8::has_controls(why, true)) return Error{"entry.cancel_reason", 400, {}};
    auto scope = identity::TenantScope::of(who);
    if (!scope || !(who.has_role(Role::registry_clerk) || who.has_role(Role::admin)))
        return errors::forbidden("cancel needs a registry clerk or an administrator");
    auto number = canonical_number(register_number);
    if (!number) return errors::not_found("register number");
    const std::int64_t now = impl_->clock.now_ms();
    return impl_->db.write_tx([&](Tx& tx) -> Status {
        auto row = tx.query_one("SELECT id, status FROM entries WHERE register_number = $1 AND administration_id = $2",
                                {*number, scope->administration_id()});
        if (!row) return row.error();
        if (!*row) return errors::not_found("entry");
        if (detail::status_of((*row)->as_text(1)) == EntryStatus::cancelled) return Error{"entry.already_cancelled", 409, *number};
        const std::int64_t id = (*row)->as_int(0);
        auto up = tx.exec("UPDATE entries SET status = 'cancelled', cancel_reason = $1, version = version + 1 "
                          "WHERE id = $2 AND status = 'registered'",
                          {why, id});
        if (!up) return up.error();
        if (*up != 1) return Error{"entry.already_cancelled", 409, *number};
        auto flow = tx.exec("UPDATE entry_flow SET state = 'cancelled', version = version + 1, updated_at = $1 "
                            "WHERE entry_id = $2",
                            {now, id});
        if (!flow) return flow.error();
        auto ev = tx.exec("INSERT INTO entry_events (entry_id, at, kind, actor_id, detail) VALUES ($1, $2, 'cancelled', $3, $4)",
                          {id, now, who.account_id, why});
        if (!ev) return ev.error();
        // The journal records the fact, not the reason (free text).
        auto leaf = journal::append(tx, {scope->administration_id(), "deposit.cancelled", "entry:" + *number,
                                         who.account_id, now,
                                         journal::detail_json({{"entry_id", id}, {"register_number", *number}})});
        if (!leaf) return leaf.error();
        return {};
    });
}

Result<std::vector<EntrySummary>> DepositService::list_mine(const Principal& who, int limit) {
    return summaries(impl_->db, "e.depositor_account_id = $1", who.account_id, limit);
}

Result<std::vector<EntrySummary>> DepositService::list_register(const Principal& who, int limit) {
    auto scope = identity::TenantScope::of(who);
    if (!scope) return errors::forbidden("the register is for staff");
    // Confidential entries keep their line in the register; their subject only for the units
    // they are assigned to and their assignee. Ids are integers we hold, never request text.
    std::string units = "0";
    for (const auto& m : who.memberships)
        if (m.unit_id) units += ", " + std::to_string(*m.unit_id);
    const std::string subject =
        "CASE WHEN f.confidential = 1 AND NOT (f.assignee_id = " + std::to_string(who.account_id) +
        " OR EXISTS (SELECT 1 FROM entry_units eu WHERE eu.entry_id = e.id AND eu.unit_id IN (" + units +
        "))) THEN '' ELSE e.subject END";
    return summaries(impl_->db, "e.administration_id = $1", scope->administration_id(), limit, subject);
}

Result<std::vector<DepositType>> DepositService::types(std::string_view administration_code) {
    auto adm = impl_->ids.find_administration(administration_code);
    if (!adm) return Error{"deposit.unknown_administration", 400, std::string(administration_code)};
    return impl_->db.read<std::vector<DepositType>>([&](Tx& tx) -> Result<std::vector<DepositType>> {
        auto rows = tx.query(
            "SELECT code, name_ar, name_fr, deadline_days, working_days, silence_is_approval, administration_id "
            "FROM deposit_types WHERE administration_id IN (0, $1) ORDER BY code, administration_id DESC",
            {adm->id});
        if (!rows) return rows.error();
        std::vector<DepositType> out;
        for (const auto& r : *rows) {
            if (!out.empty() && out.back().code == r.as_text(0)) continue;  // the administration's own row came first
            out.push_back({r.as_text(0), r.as_text(1), r.as_text(2), static_cast<int>(r.as_int(3)), r.as_int(4) != 0,
                           r.as_int(5) != 0});
        }
        return out;
    });
}

Status DepositService::set_type(const identity::TenantScope& scope, const DepositType& t) {
    auto bad = [](const char* what) { return Error{"deposit.type_invalid", 400, what}; };
    if (t.code.empty() || t.code.size() > 32 ||
        !std::all_of(t.code.begin(), t.code.end(), [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; }))
        return bad("code");
    for (const auto* name : {&t.name_ar, &t.name_fr}) {
        auto n = utf8::length(*name);
        if (!n || *n == 0 || *n > 200 || utf8::has_controls(*name, false)) return bad("name");
    }
    if (t.deadline_days < 1 || t.deadline_days > 365) return bad("deadline_days");
    return impl_->db.write_tx([&](Tx& tx) -> Status {
        auto r = tx.exec(
            "INSERT INTO deposit_types (administration_id, code, name_ar, name_fr, deadline_days, working_days, "
            "silence_is_approval) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (administration_id, code) DO UPDATE SET "
            "name_ar = excluded.name_ar, name_fr = excluded.name_fr, deadline_days = excluded.deadline_days, "
            "working_days = excluded.working_days, silence_is_approval = excluded.silence_is_approval",
            {scope.administration_id(), t.code, t.name_ar, t.name_fr, std::int64_t{t.deadline_days},
             std::int64_t{t.working_days ? 1 : 0}, std::int64_t{t.silence_is_approval ? 1 : 0}});
        if (!r) return r.error();
        return {};
    });
}

}  // namespace idara::registry
