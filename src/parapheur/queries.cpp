// Reads: queues, one circuit with what the caller may do, the document's versions.
#include "parapheur/circuits_impl.hpp"

#include <algorithm>

namespace idara::parapheur {

using identity::Principal;
using storage::Tx;

namespace {

constexpr const char* kLine =
    "SELECT c.id, c.title, c.template_code, c.template_name_ar, c.template_name_fr, c.state, c.current_step, "
    "c.step_count, s.label_ar, s.label_fr, s.kind, a.display_name, c.version, c.created_at, c.updated_at FROM circuits "
    "c JOIN accounts a ON a.id = c.initiator_id LEFT JOIN circuit_steps s ON s.circuit_id = c.id AND s.idx = "
    "c.current_step ";

QueueLine line(const storage::Row& r) {
    QueueLine q;
    q.id = r.as_int(0);
    q.title = r.as_text(1);
    q.template_code = r.as_text(2);
    q.template_name_ar = r.as_text(3);
    q.template_name_fr = r.as_text(4);
    q.state = parse_circuit_state(r.as_text(5)).value_or(CircuitState::in_progress);
    q.current_step = static_cast<int>(r.as_int(6));
    q.step_count = static_cast<int>(r.as_int(7));
    q.current_label_ar = r.opt_text(8).value_or("");
    q.current_label_fr = r.opt_text(9).value_or("");
    q.current_kind = parse_step_kind(r.opt_text(10).value_or("visa")).value_or(StepKind::visa);
    q.initiator_name = r.as_text(11);
    q.version = r.as_int(12);
    q.created_at_ms = r.as_int(13);
    q.updated_at_ms = r.as_int(14);
    return q;
}

std::string id_list(const std::vector<std::int64_t>& ids) {
    std::string s;
    for (auto id : ids) s += (s.empty() ? "" : ",") + std::to_string(id);
    return s;
}

}  // namespace

Result<std::vector<QueueLine>> CircuitService::queue(const Principal& who, Box box, int limit, int offset) {
    Impl& im = *impl_;
    auto scope = identity::TenantScope::of(who);
    if (!scope) return Error{"parapheur.forbidden", 403, "staff only"};
    if (box == Box::all && !who.has_role(identity::Role::admin)) return Error{"parapheur.forbidden", 403, "admins"};
    limit = std::clamp(limit, 1, 200);
    offset = std::max(offset, 0);
    const std::int64_t adm = scope->administration_id();
    const std::int64_t now = im.clock.now_ms();
    return im.db.read<std::vector<QueueLine>>([&](Tx& tx) -> Result<std::vector<QueueLine>> {
        std::vector<QueueLine> out;
        const std::string page = " ORDER BY c.updated_at DESC, c.id DESC LIMIT " + std::to_string(limit) + " OFFSET " +
                                 std::to_string(offset);
        if (box == Box::started || box == Box::all) {
            auto rows = box == Box::started
                            ? tx.query(std::string(kLine) + "WHERE c.administration_id = $1 AND c.initiator_id = $2" + page,
                                       {adm, who.account_id})
                            : tx.query(std::string(kLine) + "WHERE c.administration_id = $1" + page, {adm});
            if (!rows) return rows.error();
            for (const auto& r : *rows) out.push_back(line(r));
            return out;
        }
        auto ids = detail::acting_ids(tx, who, adm, now);
        if (!ids) return ids.error();
        // Integers only in the list (account ids), so building it into the SQL is safe.
        auto rows = tx.query(
            std::string(kLine) +
                "WHERE c.administration_id = $1 AND c.state = 'in_progress' AND (EXISTS (SELECT 1 FROM "
                "circuit_assignees x WHERE x.circuit_id = c.id AND x.step_idx = c.current_step AND x.status = "
                "'pending' AND x.account_id IN (" +
                id_list(*ids) +
                ")) OR EXISTS (SELECT 1 FROM circuit_opinions o WHERE o.circuit_id = c.id AND o.colleague_id = $2 AND "
                "o.given_at IS NULL))" +
                page,
            {adm, who.account_id});
        if (!rows) return rows.error();
        for (const auto& r : *rows) {
            QueueLine q = line(r);
            auto mine = tx.query(
                "SELECT account_id FROM circuit_assignees WHERE circuit_id = $1 AND step_idx = $2 AND status = "
                "'pending' AND account_id IN (" +
                    id_list(*ids) + ")",
                {q.id, std::int64_t{q.current_step}});
            if (!mine) return mine.error();
            bool self = false;
            std::optional<std::int64_t> other;
            for (const auto& m : *mine) {
                if (m.as_int(0) == who.account_id) self = true;
                else if (!other) other = m.as_int(0);
            }
            if (!self && other) q.acting_for = other;
            q.opinion_requested = !self && !other;
            out.push_back(std::move(q));
        }
        return out;
    });
}

Result<Circuit> CircuitService::get(const Principal& who, std::int64_t id) {
    Impl& im = *impl_;
    const std::int64_t now = im.clock.now_ms();
    return im.db.read<Circuit>([&](Tx& tx) -> Result<Circuit> {
        auto row = detail::load_row(tx, id);
        if (!row) return row.error();
        if (!*row || !detail::is_staff_of(who, (*row)->c.administration_id)) return errors::not_found("circuit");
        auto c = detail::load_full(tx, id);
        if (!c) return c.error();
        CircuitAllowed& al = c->allowed;
        if (c->state == CircuitState::in_progress) {
            auto ids = detail::acting_ids(tx, who, c->administration_id, now);
            if (!ids) return ids.error();
            auto t = detail::turn(tx, **row, *ids);
            if (t) {
                const auto kind = c->steps.at(static_cast<std::size_t>(c->current_step)).kind;
                al.approve = kind == StepKind::visa;
                al.sign = kind != StepKind::visa;
                al.reject = true;
                al.return_to_previous = c->current_step > 0;
                al.request_opinion = true;
                al.acting_for = t->on_behalf_of;
            } else if (t.error().code != "parapheur.not_assignee" && t.error().code != "parapheur.not_your_turn" &&
                       t.error().code != "parapheur.already_acted") {
                return t.error();
            }
            for (const auto& o : c->opinions)
                if (o.colleague_id == who.account_id && !o.given_at_ms) {
                    al.give_opinion = true;
                    al.open_opinion_request = o.id;
                    break;
                }
            al.cancel = c->initiator_id == who.account_id || who.has_role(identity::Role::admin);
        }
        return std::move(*c);
    });
}

Result<std::string> CircuitService::current_pdf_in_tx(Tx& tx, std::int64_t id) {
    auto r = tx.query_one("SELECT blob FROM circuit_versions WHERE circuit_id = $1 ORDER BY number DESC LIMIT 1", {id});
    if (!r) return r.error();
    if (!*r) return errors::not_found("circuit");
    auto bytes = impl_->blobs.get(tx, (*r)->as_text(0));
    if (!bytes) return bytes.error();
    if (!*bytes) return Error{"storage.corrupt", 500, "circuit document"};
    return std::move(**bytes);
}

Result<std::string> CircuitService::document(const Principal& who, std::int64_t id) {
    return document_version(who, id, 0);
}

Result<std::string> CircuitService::document_version(const Principal& who, std::int64_t id, int number) {
    Impl& im = *impl_;
    return im.db.read<std::string>([&](Tx& tx) -> Result<std::string> {
        auto row = detail::load_row(tx, id);
        if (!row) return row.error();
        if (!*row || !detail::is_staff_of(who, (*row)->c.administration_id)) return errors::not_found("circuit");
        if (number <= 0) return current_pdf_in_tx(tx, id);
        auto r = tx.query_one("SELECT blob FROM circuit_versions WHERE circuit_id = $1 AND number = $2",
                              {id, std::int64_t{number}});
        if (!r) return r.error();
        if (!*r) return errors::not_found("document version");
        auto bytes = im.blobs.get(tx, (*r)->as_text(0));
        if (!bytes) return bytes.error();
        if (!*bytes) return Error{"storage.corrupt", 500, "circuit document"};
        return std::move(**bytes);
    });
}

}  // namespace idara::parapheur
