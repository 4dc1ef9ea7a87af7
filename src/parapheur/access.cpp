// Loading circuits, who acts on the current step (assignee or delegate), history + journal.
#include "parapheur/circuits_impl.hpp"

#include "core/dates.hpp"
#include "journal/journal.hpp"

#include <algorithm>

namespace idara::parapheur {

using storage::Tx;

Status CircuitService::Impl::outcome(Tx& tx, const Outcome& o) {
    OutcomeHook h;
    {
        std::lock_guard lock(hook_mu);
        auto it = hooks.find(o.purpose);
        if (it != hooks.end()) h = it->second;
    }
    return h ? h(tx, o) : Status{};
}

namespace detail {

Error version_conflict(std::int64_t id) {
    return Error{"parapheur.version_conflict", 409, "circuit " + std::to_string(id)};
}
Error invalid_state(std::int64_t id) { return Error{"parapheur.invalid_state", 409, "circuit " + std::to_string(id)}; }

bool is_staff_of(const identity::Principal& who, std::int64_t administration_id) {
    return who.is_staff() && who.administration_id && *who.administration_id == administration_id;
}

Result<std::string> display_name(Tx& tx, std::int64_t account_id) {
    auto r = tx.query_one("SELECT display_name, login FROM accounts WHERE id = $1", {account_id});
    if (!r) return r.error();
    if (!*r) return std::string();
    auto name = (*r)->as_text(0);
    return name.empty() ? (*r)->as_text(1) : name;
}

Result<std::optional<Row>> load_row(Tx& tx, std::int64_t id) {
    auto r = tx.query_one(
        "SELECT c.id, c.administration_id, c.template_code, c.template_name_ar, c.template_name_fr, c.title, c.purpose, "
        "c.subject_ref, c.state, c.current_step, c.version, c.initiator_id, a.display_name, c.file_name, "
        "c.reject_reason, c.created_at, c.updated_at, c.finished_at, c.step_count, c.signatures FROM circuits c "
        "JOIN accounts a ON a.id = c.initiator_id WHERE c.id = $1",
        {id});
    if (!r) return r.error();
    if (!*r) return std::optional<Row>();
    const auto& x = **r;
    Row row;
    Circuit& c = row.c;
    c.id = x.as_int(0);
    c.administration_id = x.as_int(1);
    c.template_code = x.as_text(2);
    c.template_name_ar = x.as_text(3);
    c.template_name_fr = x.as_text(4);
    c.title = x.as_text(5);
    c.purpose = x.as_text(6);
    c.subject_ref = x.as_text(7);
    c.state = parse_circuit_state(x.as_text(8)).value_or(CircuitState::in_progress);
    c.current_step = static_cast<int>(x.as_int(9));
    c.version = x.as_int(10);
    c.initiator_id = x.as_int(11);
    c.initiator_name = x.as_text(12);
    c.file_name = x.as_text(13);
    c.reject_reason = x.opt_text(14);
    c.created_at_ms = x.as_int(15);
    c.updated_at_ms = x.as_int(16);
    c.finished_at_ms = x.opt_int(17);
    row.step_count = static_cast<int>(x.as_int(18));
    row.signatures = static_cast<int>(x.as_int(19));
    return std::optional<Row>(std::move(row));
}

Result<Circuit> load_full(Tx& tx, std::int64_t id) {
    auto row = load_row(tx, id);
    if (!row) return row.error();
    if (!*row) return errors::not_found("circuit");
    Circuit c = std::move((*row)->c);
    auto steps = tx.query("SELECT idx, kind, mode, label_ar, label_fr, done FROM circuit_steps WHERE circuit_id = $1 "
                          "ORDER BY idx",
                          {id});
    if (!steps) return steps.error();
    for (const auto& s : *steps) {
        Step st;
        st.index = static_cast<int>(s.as_int(0));
        st.kind = parse_step_kind(s.as_text(1)).value_or(StepKind::visa);
        st.mode = parse_step_mode(s.as_text(2)).value_or(StepMode::any);
        st.label_ar = s.as_text(3);
        st.label_fr = s.as_text(4);
        st.done = s.as_int(5) != 0;
        c.steps.push_back(std::move(st));
    }
    auto as = tx.query(
        "SELECT x.step_idx, x.account_id, a.display_name, x.status, x.acted_at, x.acted_by, b.display_name FROM "
        "circuit_assignees x JOIN accounts a ON a.id = x.account_id LEFT JOIN accounts b ON b.id = x.acted_by WHERE "
        "x.circuit_id = $1 ORDER BY x.step_idx, a.display_name, x.account_id",
        {id});
    if (!as) return as.error();
    for (const auto& r : *as) {
        const auto idx = static_cast<std::size_t>(r.as_int(0));
        if (idx >= c.steps.size()) continue;
        Assignee a;
        a.account_id = r.as_int(1);
        a.name = r.as_text(2);
        const std::string st = r.as_text(3);
        for (auto k : {AssigneeStatus::waiting, AssigneeStatus::pending, AssigneeStatus::done, AssigneeStatus::skipped,
                       AssigneeStatus::rejected})
            if (assignee_status_name(k) == st) a.status = k;
        a.acted_at_ms = r.opt_int(4);
        a.acted_by = r.opt_int(5);
        a.acted_by_name = r.opt_text(6).value_or("");
        c.steps[idx].assignees.push_back(std::move(a));
    }
    auto ev = tx.query(
        "SELECT e.id, e.at, e.kind, e.actor_id, a.display_name, e.on_behalf_of, b.display_name, e.step_idx, e.text, "
        "e.doc_version, e.version, e.origin FROM circuit_events e LEFT JOIN accounts a ON a.id = e.actor_id LEFT JOIN "
        "accounts b ON b.id = e.on_behalf_of WHERE e.circuit_id = $1 ORDER BY e.id",
        {id});
    if (!ev) return ev.error();
    for (const auto& r : *ev) {
        HistoryEvent h;
        h.id = r.as_int(0);
        h.at_ms = r.as_int(1);
        h.kind = r.as_text(2);
        h.actor_id = r.opt_int(3).value_or(0);
        h.actor_name = r.opt_text(4).value_or("");
        h.on_behalf_of = r.opt_int(5);
        h.on_behalf_of_name = r.opt_text(6).value_or("");
        h.step_index = static_cast<int>(r.as_int(7));
        h.text = r.as_text(8);
        if (auto v = r.opt_int(9)) h.document_version = static_cast<int>(*v);
        h.version = r.as_int(10);
        h.origin = r.as_text(11);
        c.history.push_back(std::move(h));
    }
    auto vs = tx.query(
        "SELECT v.number, v.blob, v.size, v.created_at, v.kind, v.signer_id, a.display_name FROM circuit_versions v "
        "LEFT JOIN accounts a ON a.id = v.signer_id WHERE v.circuit_id = $1 ORDER BY v.number",
        {id});
    if (!vs) return vs.error();
    for (const auto& r : *vs) {
        DocumentVersion d;
        d.number = static_cast<int>(r.as_int(0));
        d.sha256 = r.as_text(1);
        d.size = r.as_int(2);
        d.created_at_ms = r.as_int(3);
        d.kind = r.as_text(4);
        d.signer_id = r.opt_int(5);
        d.signer_name = r.opt_text(6).value_or("");
        c.versions.push_back(std::move(d));
    }
    auto ops = tx.query(
        "SELECT o.id, o.requested_by, o.colleague_id, a.display_name, b.display_name, o.question, o.requested_at, "
        "o.opinion, o.given_at FROM circuit_opinions o JOIN accounts a ON a.id = o.requested_by JOIN accounts b ON "
        "b.id = o.colleague_id WHERE o.circuit_id = $1 ORDER BY o.id",
        {id});
    if (!ops) return ops.error();
    for (const auto& r : *ops) {
        OpinionRequest o;
        o.id = r.as_int(0);
        o.requested_by = r.as_int(1);
        o.colleague_id = r.as_int(2);
        o.requested_by_name = r.as_text(3);
        o.colleague_name = r.as_text(4);
        o.question = r.as_text(5);
        o.requested_at_ms = r.as_int(6);
        o.opinion = r.opt_text(7);
        o.given_at_ms = r.opt_int(8);
        c.opinions.push_back(std::move(o));
    }
    return c;
}

Result<std::vector<std::int64_t>> acting_ids(Tx& tx, const identity::Principal& who, std::int64_t adm,
                                             std::int64_t now_ms) {
    std::vector<std::int64_t> ids{who.account_id};
    const std::string today = i18n::casablanca_date_iso(now_ms);
    auto rows = tx.query(
        "SELECT DISTINCT d.from_account_id FROM delegations d JOIN accounts a ON a.id = d.from_account_id WHERE "
        "d.to_account_id = $1 AND d.administration_id = $2 AND d.revoked_at IS NULL AND d.starts_on <= $3 AND "
        "d.ends_on >= $3 ORDER BY d.from_account_id",
        {who.account_id, adm, today});
    if (!rows) return rows.error();
    for (const auto& r : *rows)
        if (std::find(ids.begin(), ids.end(), r.as_int(0)) == ids.end()) ids.push_back(r.as_int(0));
    return ids;
}

Result<Turn> turn(Tx& tx, const Row& r, const std::vector<std::int64_t>& ids) {
    auto rows = tx.query("SELECT step_idx, account_id, status FROM circuit_assignees WHERE circuit_id = $1",
                         {r.c.id});
    if (!rows) return rows.error();
    bool anywhere = false, in_current = false;
    // ids[0] is the caller: their own pending assignment first, then the delegators' in order.
    for (std::size_t i = 0; i < ids.size(); ++i) {
        for (const auto& x : *rows) {
            if (x.as_int(1) != ids[i]) continue;
            anywhere = true;
            if (x.as_int(0) != r.c.current_step) continue;
            in_current = true;
            if (x.as_text(2) == "pending") {
                Turn t;
                t.assignee = ids[i];
                if (i > 0) t.on_behalf_of = ids[i];
                return t;
            }
        }
    }
    if (in_current) return Error{"parapheur.already_acted", 409, "circuit " + std::to_string(r.c.id)};
    if (anywhere) return Error{"parapheur.not_your_turn", 409, "circuit " + std::to_string(r.c.id)};
    return Error{"parapheur.not_assignee", 403, "circuit " + std::to_string(r.c.id)};
}

Status record(Tx& tx, const Circuit& c, std::int64_t at, std::string_view kind, std::int64_t actor,
              std::optional<std::int64_t> on_behalf_of, int step_idx, const std::string& text,
              std::optional<int> doc_version, std::int64_t version, const std::string& origin) {
    auto ins = tx.exec(
        "INSERT INTO circuit_events (circuit_id, at, kind, actor_id, on_behalf_of, step_idx, text, doc_version, "
        "version, origin) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        {c.id, at, std::string(kind), actor ? storage::Value(actor) : storage::Value(nullptr),
         on_behalf_of ? storage::Value(*on_behalf_of) : storage::Value(nullptr), std::int64_t{step_idx}, text,
         doc_version ? storage::Value(std::int64_t{*doc_version}) : storage::Value(nullptr), version, origin});
    if (!ins) return ins.error();
    // The journal leaf carries facts only (no free text): ids, step, versions, the document's digest.
    std::vector<std::pair<std::string, journal::DetailValue>> facts{{"circuit", c.id},
                                                                    {"template", c.template_code},
                                                                    {"step", std::int64_t{step_idx}},
                                                                    {"version", version}};
    if (on_behalf_of) facts.emplace_back("on_behalf_of", *on_behalf_of);
    if (doc_version) {
        facts.emplace_back("document_version", std::int64_t{*doc_version});
        auto d = tx.query_one("SELECT blob FROM circuit_versions WHERE circuit_id = $1 AND number = $2",
                              {c.id, std::int64_t{*doc_version}});
        if (!d) return d.error();
        if (*d) facts.emplace_back("document_sha256", (*d)->as_text(0));
    }
    if (!c.subject_ref.empty()) facts.emplace_back("subject", c.subject_ref);
    journal::JournalEvent e;
    e.administration_id = c.administration_id;
    e.kind = "circuit." + std::string(kind);
    e.subject = "circuit:" + std::to_string(c.id);
    e.actor_id = actor;
    e.at_ms = at;
    e.detail = journal::detail_json(std::move(facts));
    auto leaf = journal::append(tx, e);
    if (!leaf) return leaf.error();
    return {};
}

}  // namespace detail
}  // namespace idara::parapheur
