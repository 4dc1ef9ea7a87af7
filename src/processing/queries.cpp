// Reading the correspondence window: the dossier of one entry, the inboxes, the digest.
#include "processing/workflow_impl.hpp"

#include "processing/search_viewer.hpp"

#include <algorithm>

namespace idara::processing {

using detail::Acting;
using detail::Flow;
using storage::Tx;

namespace {

constexpr const char* kLineSelect =
    "SELECT e.register_number, e.subject, f.state, f.priority, f.confidential, e.type_code, COALESCE(u.code, ''), "
    "COALESCE(ac.display_name, ''), e.registered_at, f.due_at, f.version, e.id, f.assignee_id "
    "FROM entries e JOIN entry_flow f ON f.entry_id = e.id LEFT JOIN units u ON u.id = f.lead_unit_id "
    "LEFT JOIN accounts ac ON ac.id = f.assignee_id ";

constexpr const char* kOpen = "f.state IN ('registered', 'assigned', 'in_progress', 'missing_documents')";
constexpr const char* kWorking = "f.state IN ('assigned', 'in_progress', 'missing_documents')";

// "(1, 2, 3)" for ids we hold as integers (never text from a request).
std::string id_list(const std::vector<std::int64_t>& ids) {
    std::string s = "(";
    for (std::size_t i = 0; i < ids.size(); ++i) s += (i ? ", " : "") + std::to_string(ids[i]);
    return ids.empty() ? "(0)" : s + ")";
}

Result<std::vector<InboxLine>> lines(Tx& tx, const Acting& a, const std::string& where, const std::string& order,
                                     std::vector<storage::Value> params, int limit) {
    params.insert(params.begin(), a.administration_id);
    const std::string sql = std::string(kLineSelect) + "WHERE e.administration_id = $1 AND " + where + " ORDER BY " +
                            order + " LIMIT " + std::to_string(std::clamp(limit, 1, 200));
    auto rows = tx.query(sql, params);
    if (!rows) return rows.error();
    std::vector<InboxLine> out;
    for (const auto& r : *rows) {
        InboxLine l;
        l.register_number = r.as_text(0);
        l.confidential = r.as_int(4) != 0;
        l.state = parse_state(r.as_text(2)).value_or(State::registered);
        l.priority = parse_priority(r.as_text(3)).value_or(Priority::normal);
        l.type_code = r.as_text(5);
        l.lead_unit_code = r.as_text(6);
        l.assignee_name = r.as_text(7);
        l.registered_at_ms = r.as_int(8);
        l.due_at_ms = r.as_int(9);
        l.version = r.as_int(10);
        l.content_visible = !l.confidential || a.is(r.opt_int(12));
        if (!l.content_visible) {
            auto u = tx.query("SELECT unit_id FROM entry_units WHERE entry_id = $1", {r.as_int(11)});
            if (!u) return u.error();
            for (const auto& x : *u)
                if (a.in_unit(x.as_int(0))) l.content_visible = true;
        }
        if (l.content_visible) l.subject = r.as_text(1);
        out.push_back(std::move(l));
    }
    return out;
}

}  // namespace

Result<std::vector<InboxLine>> WorkflowService::inbox(const identity::Principal& who, Inbox which, int limit) {
    Impl& im = *impl_;
    const std::int64_t now = im.clock.now_ms();
    return im.db.read<std::vector<InboxLine>>([&](Tx& tx) -> Result<std::vector<InboxLine>> {
        auto a = detail::acting(tx, who, now);
        if (!a) return a.error();
        const std::string units = id_list(a->unit_ids);
        switch (which) {
            case Inbox::registry:
                if (!a->clerk && !a->admin) return errors::forbidden("the registry inbox is the registry office's");
                return lines(tx, *a, "f.state = 'registered'", "f.priority DESC, e.registered_at", {}, limit);
            case Inbox::unit:
                return lines(tx, *a, std::string(kOpen) + " AND f.lead_unit_id IN " + id_list(a->head_units),
                             "f.priority DESC, f.due_at", {}, limit);
            case Inbox::mine:
                return lines(tx, *a, std::string(kWorking) + " AND f.assignee_id IN " + id_list(a->ids),
                             "f.priority DESC, f.due_at", {}, limit);
            case Inbox::opinions:
                return lines(tx, *a,
                             std::string(kWorking) +
                                 " AND EXISTS (SELECT 1 FROM entry_units eu WHERE eu.entry_id = e.id AND eu.role = "
                                 "'opinion' AND eu.opinion_at IS NULL AND eu.unit_id IN " + units + ")",
                             "f.due_at", {}, limit);
            case Inbox::overdue:
            case Inbox::due_soon: {
                const std::int64_t horizon =
                    which == Inbox::overdue ? now : now + std::int64_t{im.opts.due_soon_days} * 24 * 3600 * 1000;
                std::string where = std::string(kOpen) + " AND f.paused_at IS NULL AND f.due_at < $2";
                if (which == Inbox::due_soon) where += " AND f.due_at >= $3";
                // Registry clerks and admins see the whole administration; others their units.
                if (!a->clerk && !a->admin)
                    where += " AND (f.lead_unit_id IN " + units + " OR f.assignee_id IN " + id_list(a->ids) + ")";
                std::vector<storage::Value> p{horizon};
                if (which == Inbox::due_soon) p.push_back(now);
                return lines(tx, *a, where, "f.due_at", p, limit);
            }
        }
        return std::vector<InboxLine>{};
    });
}

Result<search::SearchPage> WorkflowService::search(const identity::Principal& who, const search::SearchQuery& q) {
    if (!who.is_staff() || !who.administration_id) return errors::forbidden("search is for staff");
    return search::search(impl_->db, q, search_viewer(who));
}

Result<Allowed> WorkflowService::allowed(const identity::Principal& who, std::string_view number) {
    Impl& im = *impl_;
    const std::int64_t now = im.clock.now_ms();
    auto n = detail::canonical(number);
    if (!n) return errors::not_found("register number");
    return im.db.read<Allowed>([&](Tx& tx) -> Result<Allowed> {
        auto found = detail::flow_by_number(tx, *n);
        if (!found) return found.error();
        const Flow& f = *found;
        Allowed x;
        const bool depositor = f.depositor_account_id && *f.depositor_account_id == who.account_id;
        if (f.state == State::missing_documents && depositor) x.complete_documents = true;
        if (!who.is_staff() || !who.administration_id || *who.administration_id != f.administration_id) {
            if (!depositor) return errors::not_found("entry");
            return x;
        }
        auto a = detail::acting(tx, who, now);
        if (!a) return a.error();
        auto readable = detail::may_read(tx, *a, f);
        if (!readable) return readable.error();
        const bool routes = a->clerk || a->admin;
        const bool head = a->heads(f.lead_unit_id);
        const bool assignee = a->is(f.assignee_id);
        const bool working = f.state == State::assigned || f.state == State::in_progress;
        x.qualify = routes && (f.state == State::registered || f.state == State::assigned);
        x.assign = routes && (f.state == State::registered || working);
        x.transfer = routes && (f.state == State::registered || f.state == State::assigned);
        x.reject = (routes && (f.state == State::registered || f.state == State::assigned)) ||
                   (head && (working || f.state == State::missing_documents));
        x.close = (routes || head) &&
                  (f.state == State::answered || f.state == State::rejected || f.state == State::transferred);
        x.dispatch = (head || a->admin) && working;
        x.start = assignee && f.state == State::assigned;
        x.note = *readable && f.state != State::cancelled && f.state != State::closed;
        x.draft = *readable && (assignee || head) && working;
        x.reply = *readable && (assignee || head || routes) && !is_finished(f.state);
        x.request_opinion = *readable && (assignee || head) && working;
        x.request_documents = *readable && (assignee || head) && working && !f.missing_requested_at;
        if (f.state == State::missing_documents && f.channel == "counter" && routes) x.complete_documents = true;
        auto asked = tx.query(
            "SELECT unit_id FROM entry_units WHERE entry_id = $1 AND role = 'opinion' AND opinion_at IS NULL",
            {f.entry_id});
        if (!asked) return asked.error();
        for (const auto& r : *asked)
            if (a->in_unit(r.as_int(0)) && !is_finished(f.state)) x.give_opinion = true;
        return x;
    });
}

Result<bool> WorkflowService::content_visible(const identity::Principal& who, std::int64_t entry_id) {
    Impl& im = *impl_;
    const std::int64_t now = im.clock.now_ms();
    return im.db.read<bool>([&](Tx& tx) -> Result<bool> {
        auto found = detail::flow_by_id(tx, entry_id);
        if (!found) return found.error().status == 404 ? Result<bool>(false) : Result<bool>(found.error());
        const Flow& f = *found;
        if (f.depositor_account_id && *f.depositor_account_id == who.account_id) return true;
        if (!who.is_staff()) return false;
        auto a = detail::acting(tx, who, now);
        if (!a) return a.error();
        return detail::may_read(tx, *a, f);
    });
}

Result<Dossier> WorkflowService::dossier(const identity::Principal& who, std::string_view number) {
    Impl& im = *impl_;
    const std::int64_t now = im.clock.now_ms();
    auto n = detail::canonical(number);
    if (!n) return errors::not_found("register number");
    return im.db.read<Dossier>([&](Tx& tx) -> Result<Dossier> {
        auto found = detail::flow_by_number(tx, *n);
        if (!found) return found.error();
        const Flow& f = *found;
        const bool depositor = f.depositor_account_id && *f.depositor_account_id == who.account_id;
        bool staff = false, readable = depositor;
        if (who.is_staff() && who.administration_id && *who.administration_id == f.administration_id) {
            auto a = detail::acting(tx, who, now);
            if (!a) return a.error();
            auto ok = detail::may_read(tx, *a, f);
            if (!ok) return ok.error();
            staff = true;
            readable = *ok;
        }
        if (!staff && !depositor) return errors::not_found("entry");

        Dossier d;
        d.entry_id = f.entry_id;
        d.register_number = f.register_number;
        d.state = f.state;
        d.version = f.version;
        d.priority = f.priority;
        d.confidential = f.confidential;
        d.content_visible = readable;
        d.type_code = f.type_code;
        d.channel = f.channel;
        d.registered_at_ms = f.registered_at;
        d.due_at_ms = f.due_at;
        d.paused_at_ms = f.paused_at;
        d.missing_requested_at_ms = f.missing_requested_at;
        d.completed_at_ms = f.completed_at;
        d.deadline_days = f.deadline_days;
        d.working_days = f.working_days;
        d.silence_is_approval = f.silence_is_approval;
        d.assignee_id = f.assignee_id;
        auto more = tx.query_one(
            "SELECT e.subject, e.body, e.depositor_name, COALESCE(ac.display_name, ''), t.register_number, "
            "s.register_number FROM entries e JOIN entry_flow f ON f.entry_id = e.id LEFT JOIN accounts ac ON ac.id = "
            "f.assignee_id LEFT JOIN entries t ON t.id = f.transferred_to LEFT JOIN entries s ON s.id = "
            "f.transferred_from WHERE e.id = $1",
            {f.entry_id});
        if (!more || !*more) return more ? Result<Dossier>(errors::not_found("entry")) : Result<Dossier>(more.error());
        const auto& m = **more;
        d.assignee_name = m.as_text(3);
        d.transferred_to = m.opt_text(4);
        d.transferred_from = m.opt_text(5);
        auto units = tx.query(
            "SELECT u.code, u.name_ar, u.name_fr, eu.role, eu.opinion_at FROM entry_units eu JOIN units u ON u.id = "
            "eu.unit_id WHERE eu.entry_id = $1 ORDER BY CASE eu.role WHEN 'lead' THEN 0 WHEN 'copy' THEN 1 ELSE 2 END, "
            "u.code",
            {f.entry_id});
        if (!units) return units.error();
        for (const auto& u : *units) {
            const std::string role = u.as_text(3);
            d.units.push_back({u.as_text(0), u.as_text(1), u.as_text(2),
                               role == "lead" ? UnitRole::lead : role == "copy" ? UnitRole::copy : UnitRole::opinion,
                               u.opt_int(4)});
        }
        if (!readable) return d;
        d.subject = m.as_text(0);
        d.body = m.as_text(1);
        d.depositor_name = m.as_text(2);
        auto events = tx.query(
            "SELECT ev.at, ev.kind, COALESCE(ac.display_name, ''), ev.origin, ev.version, ev.detail FROM entry_events ev "
            "LEFT JOIN accounts ac ON ac.id = ev.actor_id WHERE ev.entry_id = $1 ORDER BY ev.id",
            {f.entry_id});
        if (!events) return events.error();
        for (const auto& e : *events) {
            TimelineEvent t{e.as_int(0), e.as_text(1), e.as_text(2), e.as_text(3), e.as_int(4), e.as_text(5)};
            // The depositor sees what happened and when, not who inside the administration did it.
            if (!staff) {
                t.actor_name.clear();
                t.origin.clear();
                if (t.kind == "annotated" || t.kind == "draft_saved" || t.kind == "opinion_requested" ||
                    t.kind == "opinion_given" || t.kind == "dispatched" || t.kind == "qualified")
                    continue;
            }
            d.timeline.push_back(std::move(t));
        }
        if (!staff) return d;
        auto notes = tx.query(
            "SELECT n.id, n.at, COALESCE(ac.display_name, ''), COALESCE(u.code, ''), n.kind, n.text, n.file_name, "
            "n.media_type, n.blob, COALESCE(n.size, 0) FROM entry_notes n LEFT JOIN accounts ac ON ac.id = n.author_id "
            "LEFT JOIN units u ON u.id = n.unit_id WHERE n.entry_id = $1 ORDER BY n.id",
            {f.entry_id});
        if (!notes) return notes.error();
        for (const auto& r : *notes)
            d.notes.push_back({r.as_int(0), r.as_int(1), r.as_text(2), r.as_text(3), r.as_text(4), r.as_text(5),
                               r.opt_text(6), r.opt_text(7), r.opt_text(8), r.as_int(9)});
        return d;
    });
}

Result<std::pair<Note, std::string>> WorkflowService::note_file(const identity::Principal& who,
                                                                std::string_view number, std::int64_t note_id) {
    auto d = dossier(who, number);
    if (!d) return d.error();
    for (const auto& n : d->notes) {
        if (n.id != note_id || !n.sha256) continue;
        const std::string digest = *n.sha256;
        auto bytes = impl_->db.read<std::optional<std::string>>(
            [&](Tx& tx) { return impl_->blobs.get(tx, digest); });
        if (!bytes) return bytes.error();
        if (!*bytes) return errors::not_found("note file");
        return std::make_pair(n, std::move(**bytes));
    }
    return errors::not_found("note file");
}

Result<Digest> WorkflowService::digest(const identity::TenantScope& scope, std::string_view unit_code) {
    Impl& im = *impl_;
    const std::int64_t now = im.clock.now_ms();
    return im.db.read<Digest>([&](Tx& tx) -> Result<Digest> {
        auto u = tx.query_one("SELECT id, code, name_ar, name_fr FROM units WHERE administration_id = $1 AND code = $2",
                              {scope.administration_id(), std::string(unit_code)});
        if (!u) return u.error();
        if (!*u) return Error{"processing.unknown_unit", 400, std::string(unit_code)};
        Digest d{(*u)->as_text(1), (*u)->as_text(2), (*u)->as_text(3), {}, {}, {}};
        // The unit's own view: its members read even its confidential entries.
        Acting a;
        a.administration_id = scope.administration_id();
        a.unit_ids = {(*u)->as_int(0)};
        const std::string unit = std::to_string((*u)->as_int(0));
        const std::int64_t day = 24LL * 3600 * 1000;
        auto arrived = lines(tx, a,
                             std::string(kOpen) + " AND f.lead_unit_id = " + unit +
                                 " AND EXISTS (SELECT 1 FROM entry_units eu WHERE eu.entry_id = e.id AND eu.unit_id = " +
                                 unit + " AND eu.assigned_at >= $2)",
                             "e.registered_at", {now - day}, 200);
        if (!arrived) return arrived.error();
        d.arrived = std::move(*arrived);
        auto soon = lines(tx, a,
                          std::string(kOpen) + " AND f.lead_unit_id = " + unit +
                              " AND f.paused_at IS NULL AND f.due_at >= $2 AND f.due_at < $3",
                          "f.due_at", {now, now + std::int64_t{im.opts.due_soon_days} * day}, 200);
        if (!soon) return soon.error();
        d.due_soon = std::move(*soon);
        auto late = lines(tx, a,
                          std::string(kOpen) + " AND f.lead_unit_id = " + unit + " AND f.paused_at IS NULL AND f.due_at < $2",
                          "f.due_at", {now}, 200);
        if (!late) return late.error();
        d.overdue = std::move(*late);
        return d;
    });
}

}  // namespace idara::processing
