// Submission (registration through the registry office), typed answers from the API, and the
// staff's view of received applications.
#include "procedures/applications_impl.hpp"

#include "core/dates.hpp"
#include "core/i18n.hpp"
#include "identity/principal.hpp"

#include <algorithm>

namespace idara::procedures {

namespace json = boost::json;


Result<Submitted> ApplicationService::submit(const identity::Principal& who, std::string_view id) {
    auto a = impl_->load_own(who, id);
    if (!a) return a.error();
    if (a->state == State::submitted && a->register_number)
        return Submitted{*a->register_number, "", a->submitted_at_ms.value_or(0), true};
    auto pub = procedure_of(*a);
    if (!pub) return pub.error();
    const auto& p = *pub->procedure;
    // A fee: registered only once a payment of this application is paid (payments.hpp).
    bool paid = false;
    if (p.fee) {
        auto row = impl_->db.read<bool>([&](storage::Tx& tx) -> Result<bool> {
            auto r = tx.query_one("SELECT COUNT(*) FROM payments WHERE application_id = $1 AND state = 'paid'", {a->id});
            if (!r) return r.error();
            return (*r)->as_int(0) > 0;
        });
        if (!row) return row.error();
        paid = *row;
    }
    if (!(a->state == State::draft || (a->state == State::awaiting_payment && paid)))
        return Error{"application.invalid_state", 409, "application " + a->id + " is " + std::string(state_name(a->state))};
    if (paid) return register_now(who, *a, p);  // validated before the payment; answers frozen since
    const Next n = next(p, *a);
    if (n.kind != Next::Kind::check) {
        const char* what = n.kind == Next::Kind::step ? "step " : n.kind == Next::Kind::lookup ? "lookup " : "document ";
        return Error{"application.incomplete", 422, what + n.id};
    }
    std::vector<std::string> all;
    for (const auto& f : p.fields) all.push_back(f.name);
    if (auto problems = field_problems(p, *a, all); !problems.empty())
        return Error{"application.incomplete", 422, "field " + problems.front().field + ": " + problems.front().detail};
    if (p.window) {
        const std::string today = i18n::casablanca_date_iso(impl_->clock.now_ms());
        if (!p.window->contains(today))
            return Error{"application.closed", 409, p.code + " closed on " + p.window->closes_on};
    }
    if (p.fee) return Error{"application.payment_required", 402, p.code + " has a fee"};
    return register_now(who, *a, p);
}

Result<Submitted> ApplicationService::register_now(const identity::Principal& who, const Application& app,
                                                   const Procedure& p) {
    const Application* a = &app;
    auto d = deposit_for(p, *a, who);
    if (!d) return d.error();
    auto r = impl_->deposits.deposit(who, std::move(*d));
    if (!r) return r.error();
    const std::int64_t now = impl_->clock.now_ms();
    auto s = impl_->db.write_tx([&](storage::Tx& tx) -> Status {
        auto n2 = tx.exec(
            "UPDATE applications SET state = 'submitted', submitted_at = $1, updated_at = $1, "
            "entry_id = (SELECT id FROM entries WHERE register_number = $2) WHERE id = $3 AND state IN ('draft', 'awaiting_payment')",
            {now, r->register_number, a->id});
        if (!n2) return n2.error();
        return {};
    });
    if (!s) return s.error();  // the entry exists; a retry replays the deposit and records it
    return Submitted{r->register_number, r->tracking_code, r->registered_at_ms, r->replayed};
}

Result<std::vector<FieldProblem>> ApplicationService::answer_json(const identity::Principal& who, std::string_view id,
                                                                  const json::object& data) {
    return impl_->db.write<std::vector<FieldProblem>>([&](storage::Tx& tx) -> Result<std::vector<FieldProblem>> {
        auto draft = impl_->open_draft(tx, who, id);
        if (!draft) return draft.error();
        const Application* a = &draft->app;
        const auto& p = draft->procedure();
        std::vector<FieldProblem> problems;
        std::vector<std::string> names;
        Application next = *a;
        for (const auto& [k, v] : data) {
            const std::string name(k);
            const Field* f = p.field(name);
            if (!f) {
                problems.push_back({name, "unknown", "no such field"});
                continue;
            }
            if (f->from) {
                problems.push_back({name, "field_not_asked", "filled by lookup " + *f->from});
                continue;
            }
            if (v.is_null()) next.answers.erase(name);
            else next.answers[name] = v;
            names.push_back(name);
        }
        auto more = field_problems(p, next, names);
        // Only values given are checked here; missing required ones are reported by submit.
        for (auto& m : more)
            if (m.code != "required") problems.push_back(std::move(m));
        if (!problems.empty()) return problems;
        for (const auto& s : p.steps) {
            bool touched = std::any_of(s.fields.begin(), s.fields.end(),
                                       [&](const std::string& f) { return std::find(names.begin(), names.end(), f) != names.end(); });
            if (touched && std::find(next.visited.begin(), next.visited.end(), s.id) == next.visited.end()) next.visited.push_back(s.id);
        }
        if (auto sv = impl_->save(tx, next); !sv) return sv.error();
        return problems;
    });
}

Result<std::vector<ApplicationSummary>> ApplicationService::list_received(const identity::Principal& staff,
                                                                          std::string_view procedure_code, int limit) {
    auto scope = identity::TenantScope::of(staff);
    if (!scope) return errors::forbidden("staff only");
    return impl_->summaries("WHERE e.administration_id = $1 AND a.state = 'submitted' AND ($2 = '' OR a.procedure_code = $2) "
                            "ORDER BY a.submitted_at DESC, a.id LIMIT $3",
                            {scope->administration_id(), std::string(procedure_code), std::int64_t{std::clamp(limit, 1, 500)}});
}

Result<Application> ApplicationService::get_received(const identity::Principal& staff, std::string_view id) {
    auto scope = identity::TenantScope::of(staff);
    if (!scope) return errors::not_found("application");
    return impl_->db.read<Application>([&](storage::Tx& tx) -> Result<Application> {
        auto owner = tx.query_one(
            "SELECT e.administration_id FROM applications a JOIN entries e ON e.id = a.entry_id "
            "WHERE a.id = $1 AND a.state = 'submitted'",
            {std::string(id)});
        if (!owner) return owner.error();
        if (!*owner || (*owner)->as_int(0) != scope->administration_id()) return errors::not_found("application");
        return Impl::load(tx, id);
    });
}

}  // namespace idara::procedures
