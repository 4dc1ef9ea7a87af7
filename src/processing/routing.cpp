// Routing by the registry office: qualify, assign, reject, transfer, close.
#include "processing/workflow_impl.hpp"

#include "identity/service.hpp"
#include "registry/deposit_impl.hpp"

namespace idara::processing {

using detail::Acting;
using detail::Flow;
using storage::Tx;

WorkflowService::WorkflowService(storage::Database& db, storage::BlobStore& blobs, registry::DepositService& deposits,
                                 WorkflowOptions o, const Clock& clock)
    : impl_(std::make_unique<Impl>(db, blobs, deposits, std::move(o), clock)) {}

WorkflowService::~WorkflowService() = default;

namespace {

bool routes(const Acting& a) { return a.clerk || a.admin; }

}  // namespace

Result<std::int64_t> WorkflowService::qualify(const Actor& act, std::string_view number, std::int64_t expected_version,
                                              const Qualification& q) {
    Impl& im = *impl_;
    const std::int64_t now = im.clock.now_ms();
    return im.db.write<std::int64_t>([&](Tx& tx) -> Result<std::int64_t> {
        auto a = detail::acting(tx, act.who, now);
        if (!a) return a.error();
        if (!routes(*a)) return errors::forbidden("qualify needs a registry clerk or an administrator");
        auto f = detail::load_for(tx, *a, number);
        if (!f) return f.error();
        if (f->state != State::registered && f->state != State::assigned) return detail::transition(*f, "qualify");
        std::string type = f->type_code;
        if (q.type_code && *q.type_code != f->type_code) {
            auto t = registry::detail::find_type(tx, f->administration_id, *q.type_code);
            if (!t) return t.error();
            type = t->code;
            auto up = tx.exec("UPDATE entries SET type_code = $1 WHERE id = $2", {type, f->entry_id});
            if (!up) return up.error();
        }
        boost::json::object d{{"type", type},
                              {"priority", std::string(priority_name(q.priority))},
                              {"confidential", q.confidential}};
        return detail::change(tx, *f, expected_version, "priority = $3, confidential = $4",
                              {std::string(priority_name(q.priority)), std::int64_t{q.confidential ? 1 : 0}}, "qualified",
                              d, act.who.account_id, act.origin, now);
    });
}

Result<std::int64_t> WorkflowService::assign(const Actor& act, std::string_view number, std::int64_t expected_version,
                                             const Assignment& to) {
    Impl& im = *impl_;
    const std::int64_t now = im.clock.now_ms();
    return im.db.write<std::int64_t>([&](Tx& tx) -> Result<std::int64_t> {
        auto a = detail::acting(tx, act.who, now);
        if (!a) return a.error();
        if (!routes(*a)) return errors::forbidden("assign needs a registry clerk or an administrator");
        auto f = detail::load_for(tx, *a, number);
        if (!f) return f.error();
        if (f->state != State::registered && f->state != State::assigned && f->state != State::in_progress)
            return detail::transition(*f, "assign");
        auto lead = detail::unit_id(tx, a->administration_id, to.lead_unit_code);
        if (!lead) return lead.error();
        std::vector<std::pair<std::int64_t, std::string>> copies;
        for (const auto& c : to.copy_unit_codes) {
            auto u = detail::unit_id(tx, a->administration_id, c);
            if (!u) return u.error();
            if (*u != *lead) copies.emplace_back(*u, c);
        }
        // Re-assigning replaces the lead and the copies; units asked for an opinion stay.
        auto del = tx.exec("DELETE FROM entry_units WHERE entry_id = $1 AND role <> 'opinion'", {f->entry_id});
        if (!del) return del.error();
        auto put = [&](std::int64_t unit, const char* role) -> Status {
            auto r = tx.exec(
                "INSERT INTO entry_units (entry_id, unit_id, role, assigned_at) VALUES ($1, $2, $3, $4) "
                "ON CONFLICT (entry_id, unit_id) DO UPDATE SET role = excluded.role, assigned_at = excluded.assigned_at",
                {f->entry_id, unit, std::string(role), now});
            if (!r) return r.error();
            return {};
        };
        if (auto s = put(*lead, "lead"); !s) return s.error();
        boost::json::array copy_codes;
        for (const auto& [u, code] : copies) {
            if (auto s = put(u, "copy"); !s) return s.error();
            copy_codes.emplace_back(code);
        }
        // A new lead unit starts without an assignee (its head dispatches); the same lead keeps its agent.
        const bool same_lead = f->lead_unit_id && *f->lead_unit_id == *lead;
        const State next = (f->state == State::registered || !same_lead) ? State::assigned : f->state;
        boost::json::object d{{"lead", to.lead_unit_code}, {"copies", copy_codes}};
        return detail::change(tx, *f, expected_version,
                              same_lead ? "lead_unit_id = $3, state = $4"
                                        : "lead_unit_id = $3, state = $4, assignee_id = NULL",
                              {*lead, std::string(state_name(next))},
                              "assigned", d, act.who.account_id, act.origin, now);
    });
}

Result<std::int64_t> WorkflowService::reject(const Actor& act, std::string_view number, std::int64_t expected_version,
                                             std::string_view reason) {
    Impl& im = *impl_;
    if (auto s = detail::check_text(reason, 2000, "processing.reason"); !s) return s.error();
    const std::int64_t now = im.clock.now_ms();
    return im.db.write<std::int64_t>([&](Tx& tx) -> Result<std::int64_t> {
        auto a = detail::acting(tx, act.who, now);
        if (!a) return a.error();
        auto f = detail::load_for(tx, *a, number);
        if (!f) return f.error();
        // Not for this administration: the registry office, before the work starts.
        // A refusal on the merits: the head of the lead unit, once it is theirs.
        const bool by_registry = routes(*a) && (f->state == State::registered || f->state == State::assigned);
        const bool by_unit = a->heads(f->lead_unit_id) &&
                             (f->state == State::assigned || f->state == State::in_progress ||
                              f->state == State::missing_documents);
        if (!by_registry && !by_unit) {
            if (is_finished(f->state)) return detail::transition(*f, "reject");
            return errors::forbidden("reject needs the registry office or the head of the lead unit");
        }
        boost::json::object d{{"reason", std::string(reason)}, {"by", by_unit ? "unit" : "registry"}};
        if (auto on = a->on_behalf_of(f->assignee_id)) d["on_behalf_of"] = *on;
        return detail::change(tx, *f, expected_version, "state = 'rejected', paused_at = NULL, answered_at = $3", {now},
                              "rejected", d, act.who.account_id, act.origin, now);
    });
}

Result<std::string> WorkflowService::transfer(const Actor& act, std::string_view number, std::int64_t expected_version,
                                              std::string_view target_code, std::string_view reason) {
    Impl& im = *impl_;
    if (auto s = detail::check_text(reason, 2000, "processing.reason"); !s) return s.error();
    const std::int64_t now = im.clock.now_ms();
    return im.db.write<std::string>([&](Tx& tx) -> Result<std::string> {
        auto a = detail::acting(tx, act.who, now);
        if (!a) return a.error();
        if (!routes(*a)) return errors::forbidden("transfer needs a registry clerk or an administrator");
        auto f = detail::load_for(tx, *a, number);
        if (!f) return f.error();
        if (f->state != State::registered && f->state != State::assigned) return detail::transition(*f, "transfer");
        auto t = tx.query_one("SELECT id, code, name_ar, name_fr, contact_email FROM administrations WHERE code = $1",
                              {std::string(target_code)});
        if (!t) return t.error();
        if (!*t) return Error{"processing.unknown_administration", 400, std::string(target_code)};
        const identity::Administration target{(*t)->as_int(0), (*t)->as_text(1), (*t)->as_text(2), (*t)->as_text(3),
                                              (*t)->as_text(4)};
        if (target.id == f->administration_id) return Error{"processing.transfer_self", 400, target.code};
        if (f->version != expected_version) return detail::conflict(*f);
        auto copy = im.deposits.register_transfer(tx, f->entry_id, target, act.who.account_id, act.origin);
        if (!copy) return copy.error();
        boost::json::object d{{"to", copy->register_number}, {"administration", target.code},
                              {"reason", std::string(reason)}};
        auto v = detail::change(tx, *f, expected_version, "state = 'transferred', transferred_to = $3", {copy->entry_id},
                                "transferred", d, act.who.account_id, act.origin, now);
        if (!v) return v.error();
        return copy->register_number;
    });
}

Result<std::int64_t> WorkflowService::close(const Actor& act, std::string_view number, std::int64_t expected_version) {
    Impl& im = *impl_;
    const std::int64_t now = im.clock.now_ms();
    return im.db.write<std::int64_t>([&](Tx& tx) -> Result<std::int64_t> {
        auto a = detail::acting(tx, act.who, now);
        if (!a) return a.error();
        auto f = detail::load_for(tx, *a, number);
        if (!f) return f.error();
        if (!routes(*a) && !a->heads(f->lead_unit_id)) return errors::forbidden("close needs the registry office or the lead unit's head");
        if (f->state != State::answered && f->state != State::rejected && f->state != State::transferred)
            return detail::transition(*f, "close");
        return detail::change(tx, *f, expected_version, "state = 'closed', closed_at = $3", {now}, "closed", {},
                              act.who.account_id, act.origin, now);
    });
}

}  // namespace idara::processing
