// The entry's flow row, who is acting, and the one way every change is written.
#include "processing/workflow_impl.hpp"

#include "core/dates.hpp"
#include "core/utf8.hpp"
#include "journal/journal.hpp"
#include "registry/numbering.hpp"

#include <algorithm>

namespace idara::processing {

std::string_view state_name(State s) {
    switch (s) {
        case State::registered: return "registered";
        case State::assigned: return "assigned";
        case State::in_progress: return "in_progress";
        case State::missing_documents: return "missing_documents";
        case State::answered: return "answered";
        case State::rejected: return "rejected";
        case State::transferred: return "transferred";
        case State::closed: return "closed";
        case State::cancelled: return "cancelled";
    }
    return "registered";
}

std::optional<State> parse_state(std::string_view s) {
    for (State st : {State::registered, State::assigned, State::in_progress, State::missing_documents, State::answered,
                     State::rejected, State::transferred, State::closed, State::cancelled})
        if (state_name(st) == s) return st;
    return std::nullopt;
}

bool is_finished(State s) {
    return s == State::answered || s == State::rejected || s == State::transferred || s == State::closed ||
           s == State::cancelled;
}

std::string_view priority_name(Priority p) { return p == Priority::urgent ? "urgent" : "normal"; }

std::optional<Priority> parse_priority(std::string_view s) {
    if (s == "normal") return Priority::normal;
    if (s == "urgent") return Priority::urgent;
    return std::nullopt;
}

std::string_view unit_role_name(UnitRole r) {
    switch (r) {
        case UnitRole::lead: return "lead";
        case UnitRole::copy: return "copy";
        case UnitRole::opinion: return "opinion";
    }
    return "lead";
}

std::optional<Inbox> parse_inbox(std::string_view s) {
    for (Inbox i : {Inbox::registry, Inbox::unit, Inbox::mine, Inbox::opinions, Inbox::overdue, Inbox::due_soon})
        if (inbox_name(i) == s) return i;
    return std::nullopt;
}

std::string_view inbox_name(Inbox i) {
    switch (i) {
        case Inbox::registry: return "registry";
        case Inbox::unit: return "unit";
        case Inbox::mine: return "mine";
        case Inbox::opinions: return "opinions";
        case Inbox::overdue: return "overdue";
        case Inbox::due_soon: return "due_soon";
    }
    return "mine";
}

namespace detail {

namespace {

constexpr const char* kFlowSelect =
    "SELECT e.id, e.administration_id, e.register_number, f.state, f.version, f.priority, f.confidential, "
    "f.lead_unit_id, f.assignee_id, f.due_at, f.paused_at, f.missing_requested_at, f.completed_at, "
    "e.depositor_account_id, e.channel, e.type_code, e.registered_at, e.deadline_days, e.working_days, "
    "e.silence_is_approval, f.transferred_to, f.transferred_from "
    "FROM entries e JOIN entry_flow f ON f.entry_id = e.id ";

Flow flow_from_row(const storage::Row& r) {
    Flow f;
    f.entry_id = r.as_int(0);
    f.administration_id = r.as_int(1);
    f.register_number = r.as_text(2);
    f.state = parse_state(r.as_text(3)).value_or(State::registered);
    f.version = r.as_int(4);
    f.priority = parse_priority(r.as_text(5)).value_or(Priority::normal);
    f.confidential = r.as_int(6) != 0;
    f.lead_unit_id = r.opt_int(7);
    f.assignee_id = r.opt_int(8);
    f.due_at = r.as_int(9);
    f.paused_at = r.opt_int(10);
    f.missing_requested_at = r.opt_int(11);
    f.completed_at = r.opt_int(12);
    f.depositor_account_id = r.opt_int(13);
    f.channel = r.as_text(14);
    f.type_code = r.as_text(15);
    f.registered_at = r.as_int(16);
    f.deadline_days = static_cast<int>(r.as_int(17));
    f.working_days = r.as_int(18) != 0;
    f.silence_is_approval = r.as_int(19) != 0;
    f.transferred_to = r.opt_int(20);
    f.transferred_from = r.opt_int(21);
    return f;
}

}  // namespace

Result<std::optional<Flow>> load_flow(storage::Tx& tx, std::int64_t administration_id, const std::string& number) {
    auto row = tx.query_one(std::string(kFlowSelect) + "WHERE e.register_number = $1 AND e.administration_id = $2",
                            {number, administration_id});
    if (!row) return row.error();
    if (!*row) return std::optional<Flow>();
    return std::optional<Flow>(flow_from_row(**row));
}

namespace {
Result<Flow> one_flow(storage::Tx& tx, const char* where, storage::Value key) {
    auto row = tx.query_one(std::string(kFlowSelect) + where, {std::move(key)});
    if (!row) return row.error();
    if (!*row) return errors::not_found("entry");
    return flow_from_row(**row);
}
}  // namespace

Result<Flow> flow_by_id(storage::Tx& tx, std::int64_t entry_id) { return one_flow(tx, "WHERE e.id = $1", entry_id); }

Result<Flow> flow_by_number(storage::Tx& tx, const std::string& number) {
    return one_flow(tx, "WHERE e.register_number = $1", number);
}

Status answer(storage::Tx& tx, const Flow& f, std::int64_t actor_id, const std::string& reply_number,
              std::int64_t at_ms) {
    boost::json::object d{{"reply", reply_number}};
    auto v = change(tx, f, f.version, "state = 'answered', paused_at = NULL, answered_at = $3", {at_ms}, "answered", d,
                    actor_id, "system", at_ms);
    if (!v) return v.error();
    return {};
}

std::optional<std::string> canonical(std::string_view number) {
    auto n = registry::parse_register_number(number);
    if (!n) return std::nullopt;
    return n->text();
}

Result<Flow> load_for(storage::Tx& tx, const Acting& a, std::string_view number) {
    auto n = canonical(number);
    if (!n) return errors::not_found("register number");
    auto f = load_flow(tx, a.administration_id, *n);
    if (!f) return f.error();
    if (!*f) return errors::not_found("entry");
    return std::move(**f);
}

bool Acting::is(std::optional<std::int64_t> account) const {
    return account && std::find(ids.begin(), ids.end(), *account) != ids.end();
}

bool Acting::in_unit(std::optional<std::int64_t> unit) const {
    return unit && std::find(unit_ids.begin(), unit_ids.end(), *unit) != unit_ids.end();
}

bool Acting::heads(std::optional<std::int64_t> unit) const {
    return unit && std::find(head_units.begin(), head_units.end(), *unit) != head_units.end();
}

std::optional<std::int64_t> Acting::on_behalf_of(std::optional<std::int64_t> account) const {
    if (!account || *account == account_id || !is(account)) return std::nullopt;
    return account;
}

Result<Acting> acting(storage::Tx& tx, const identity::Principal& who, std::int64_t now_ms) {
    if (!who.is_staff() || !who.administration_id) return errors::forbidden("the correspondence window is for staff");
    Acting a;
    a.account_id = who.account_id;
    a.administration_id = *who.administration_id;
    a.ids.push_back(who.account_id);
    for (const auto& m : who.memberships) {
        if (m.administration_id != a.administration_id) continue;
        if (m.role == identity::Role::registry_clerk) a.clerk = true;
        if (m.role == identity::Role::admin) a.admin = true;
        if (m.unit_id) {
            a.unit_ids.push_back(*m.unit_id);
            if (m.role == identity::Role::unit_head) a.head_units.push_back(*m.unit_id);
        }
    }
    const std::string today = i18n::casablanca_date_iso(now_ms);
    auto rows = tx.query(
        "SELECT m.account_id, m.unit_id, m.role FROM delegations d JOIN memberships m ON m.account_id = d.from_account_id "
        "AND m.administration_id = d.administration_id WHERE d.to_account_id = $1 AND d.administration_id = $2 "
        "AND d.revoked_at IS NULL AND d.starts_on <= $3 AND d.ends_on >= $3 ORDER BY m.account_id",
        {who.account_id, a.administration_id, today});
    if (!rows) return rows.error();
    for (const auto& r : *rows) {
        const std::int64_t from = r.as_int(0);
        if (std::find(a.ids.begin(), a.ids.end(), from) == a.ids.end()) a.ids.push_back(from);
        if (auto u = r.opt_int(1)) {
            a.unit_ids.push_back(*u);
            if (r.as_text(2) == "unit_head") a.head_units.push_back(*u);
        }
    }
    return a;
}

Result<bool> may_read(storage::Tx& tx, const Acting& a, const Flow& f) {
    if (f.administration_id != a.administration_id) return false;
    if (!f.confidential) return true;
    if (a.is(f.assignee_id)) return true;
    auto rows = tx.query("SELECT unit_id FROM entry_units WHERE entry_id = $1", {f.entry_id});
    if (!rows) return rows.error();
    for (const auto& r : *rows)
        if (a.in_unit(r.as_int(0))) return true;
    return false;
}

Result<std::int64_t> change(storage::Tx& tx, const Flow& f, std::int64_t expected_version, const std::string& set,
                            std::vector<storage::Value> params, const std::string& event_kind,
                            const boost::json::object& detail, std::int64_t actor_id, const std::string& origin,
                            std::int64_t now_ms) {
    if (f.version != expected_version) return conflict(f);
    std::vector<storage::Value> p{f.entry_id, expected_version};
    for (auto& v : params) p.push_back(std::move(v));
    const std::string n = std::to_string(p.size() + 1);
    p.push_back(now_ms);
    std::string sql = "UPDATE entry_flow SET version = version + 1, updated_at = $" + n;
    if (!set.empty()) sql += ", " + set;
    sql += " WHERE entry_id = $1 AND version = $2";
    auto up = tx.exec(sql, p);
    if (!up) return up.error();
    if (*up != 1) return conflict(f);
    const std::int64_t version = expected_version + 1;
    if (auto s = record(tx, f.entry_id, version, event_kind, detail, actor_id, origin, now_ms); !s) return s.error();
    return version;
}

Status record(storage::Tx& tx, std::int64_t entry_id, std::int64_t version, const std::string& kind,
              const boost::json::object& detail, std::int64_t actor_id, const std::string& origin, std::int64_t now_ms) {
    auto ev = tx.exec(
        "INSERT INTO entry_events (entry_id, at, kind, actor_id, detail, origin, version) VALUES ($1, $2, $3, $4, $5, $6, "
        "$7)",
        {entry_id, now_ms, kind, actor_id, boost::json::serialize(detail), origin, version});
    if (!ev) return ev.error();
    // The journal (journal/journal.hpp) gets the same event in the same transaction, with facts
    // only: integers, booleans and the strings of the keys below (numbers, codes, digests);
    // free text (notes, reasons, questions, names) stays out.
    static const char* const kFactKeys[] = {"reply", "type", "priority", "lead", "unit", "to", "administration", "by", "blob"};
    auto owner = tx.query_one("SELECT administration_id, register_number FROM entries WHERE id = $1", {entry_id});
    if (!owner) return owner.error();
    if (!*owner) return errors::not_found("entry");
    const std::string number = (*owner)->as_text(1);
    std::vector<std::pair<std::string, journal::DetailValue>> facts{
        {"entry_id", entry_id}, {"register_number", number}, {"version", version}};
    for (const auto& [key, value] : detail) {
        const std::string k(key);
        if (k == "entry_id" || k == "register_number" || k == "version") continue;
        if (value.is_int64()) facts.emplace_back(k, value.get_int64());
        else if (value.is_bool()) facts.emplace_back(k, std::int64_t{value.get_bool() ? 1 : 0});
        else if (value.is_string() && std::find(std::begin(kFactKeys), std::end(kFactKeys), k) != std::end(kFactKeys))
            facts.emplace_back(k, std::string(value.get_string()));
        else if (value.is_array() && k == "copies") {
            std::string codes;
            for (const auto& c : value.get_array())
                if (c.is_string()) codes += (codes.empty() ? "" : ",") + std::string(c.get_string());
            facts.emplace_back(k, codes);
        }
    }
    auto leaf = journal::append(tx, {(*owner)->as_int(0), "processing." + kind, "entry:" + number, actor_id, now_ms,
                                     journal::detail_json(std::move(facts))});
    if (!leaf) return leaf.error();
    return {};
}

Error conflict(const Flow& f) { return Error{"processing.version_conflict", 409, f.register_number}; }

Error transition(const Flow& f, std::string_view action) {
    return Error{"processing.invalid_transition", 409,
                 std::string(action) + " from " + std::string(state_name(f.state)) + " (" + f.register_number + ")"};
}

Status check_text(std::string_view s, std::size_t max, const char* code) {
    auto len = utf8::length(s);
    if (!len || *len < 1 || *len > max || utf8::has_controls(s, true)) return Error{code, 400, {}};
    bool blank = true;
    for (char c : s)
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') blank = false;
    if (blank) return Error{code, 400, "blank"};
    return {};
}

Result<std::int64_t> unit_id(storage::Tx& tx, std::int64_t administration_id, std::string_view code) {
    auto row = tx.query_one("SELECT id FROM units WHERE administration_id = $1 AND code = $2",
                            {administration_id, std::string(code)});
    if (!row) return row.error();
    if (!*row) return Error{"processing.unknown_unit", 400, std::string(code)};
    return (*row)->as_int(0);
}

}  // namespace detail

DeadlineRules DeadlineRules::weekends_only() {
    DeadlineRules r;
    constexpr std::int64_t kDay = 24LL * 3600 * 1000;
    auto add = [](std::int64_t from, int days, bool working) {
        if (!working) return from + days * kDay;
        std::int64_t t = from;
        for (int left = days; left > 0;) {
            t += kDay;
            const auto wd = std::chrono::weekday(std::chrono::floor<std::chrono::days>(
                std::chrono::sys_time<std::chrono::milliseconds>(std::chrono::milliseconds(t))));
            if (wd != std::chrono::Saturday && wd != std::chrono::Sunday) --left;
        }
        return t;
    };
    r.due = add;
    r.resumed = [add](std::int64_t registered, std::int64_t paused, std::int64_t resumed, int days, bool working) {
        int used = 0;
        while (used < days && add(registered, used + 1, working) <= paused) ++used;
        return add(resumed, std::max(1, days - used), working);
    };
    return r;
}

}  // namespace idara::processing
