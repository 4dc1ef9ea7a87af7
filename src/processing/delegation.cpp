// Delegation during absence: a person's inbox and unit-head duties go to another member of
// the same administration between two civil dates.
#include "processing/workflow_impl.hpp"

#include "core/dates.hpp"
#include "deadline/casablanca_day.hpp"


namespace idara::processing {

using storage::Tx;

Result<std::int64_t> WorkflowService::delegate(const identity::Principal& who, std::int64_t from_account_id,
                                               std::int64_t to_account_id, std::string_view starts_on,
                                               std::string_view ends_on) {
    Impl& im = *impl_;
    auto scope = identity::TenantScope::of(who);
    if (!scope) return errors::forbidden("delegation is for staff");
    // Oneself, or anyone of the administration for an admin.
    if (from_account_id != who.account_id && !who.has_role(identity::Role::admin))
        return errors::forbidden("only an administrator delegates for someone else");
    if (!deadline::parse_civil_date(starts_on) || !deadline::parse_civil_date(ends_on) || ends_on < starts_on ||
        from_account_id == to_account_id)
        return Error{"processing.delegation", 400, std::string(starts_on) + ".." + std::string(ends_on)};
    const std::int64_t now = im.clock.now_ms();
    if (std::string(ends_on) < i18n::casablanca_date_iso(now)) return Error{"processing.delegation", 400, "in the past"};
    return im.db.write<std::int64_t>([&](Tx& tx) -> Result<std::int64_t> {
        for (std::int64_t acc : {from_account_id, to_account_id}) {
            auto m = tx.query_one(
                "SELECT 1 FROM memberships m JOIN accounts a ON a.id = m.account_id WHERE m.account_id = $1 AND "
                "m.administration_id = $2 AND a.disabled = 0",
                {acc, scope->administration_id()});
            if (!m) return m.error();
            if (!*m) return Error{"processing.delegation", 400, "not a member: " + std::to_string(acc)};
        }
        auto id = tx.query_one(
            "INSERT INTO delegations (administration_id, from_account_id, to_account_id, starts_on, ends_on, created_by, "
            "created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            {scope->administration_id(), from_account_id, to_account_id, std::string(starts_on), std::string(ends_on),
             who.account_id, now});
        if (!id) return id.error();
        return (*id)->as_int(0);
    });
}

Status WorkflowService::revoke_delegation(const identity::Principal& who, std::int64_t delegation_id) {
    Impl& im = *impl_;
    auto scope = identity::TenantScope::of(who);
    if (!scope) return errors::forbidden("delegation is for staff");
    const std::int64_t now = im.clock.now_ms();
    return im.db.write_tx([&](Tx& tx) -> Status {
        auto row = tx.query_one(
            "SELECT from_account_id FROM delegations WHERE id = $1 AND administration_id = $2 AND revoked_at IS NULL",
            {delegation_id, scope->administration_id()});
        if (!row) return row.error();
        if (!*row) return errors::not_found("delegation");
        if ((*row)->as_int(0) != who.account_id && !who.has_role(identity::Role::admin))
            return errors::forbidden("only the delegator or an administrator revokes");
        auto up = tx.exec("UPDATE delegations SET revoked_at = $1 WHERE id = $2", {now, delegation_id});
        if (!up) return up.error();
        return {};
    });
}

Result<std::vector<Delegation>> WorkflowService::delegations(const identity::Principal& who) {
    Impl& im = *impl_;
    auto scope = identity::TenantScope::of(who);
    if (!scope) return errors::forbidden("delegation is for staff");
    const std::string today = i18n::casablanca_date_iso(im.clock.now_ms());
    const bool admin = who.has_role(identity::Role::admin);
    return im.db.read<std::vector<Delegation>>([&](Tx& tx) -> Result<std::vector<Delegation>> {
        auto rows = tx.query(
            "SELECT d.id, d.from_account_id, d.to_account_id, fa.display_name, ta.display_name, d.starts_on, d.ends_on "
            "FROM delegations d JOIN accounts fa ON fa.id = d.from_account_id JOIN accounts ta ON ta.id = "
            "d.to_account_id WHERE d.administration_id = $1 AND d.revoked_at IS NULL AND d.ends_on >= $2 AND ($3 = 1 OR "
            "d.from_account_id = $4 OR d.to_account_id = $4) ORDER BY d.starts_on, d.id",
            {scope->administration_id(), today, std::int64_t{admin ? 1 : 0}, who.account_id});
        if (!rows) return rows.error();
        std::vector<Delegation> out;
        for (const auto& r : *rows)
            out.push_back({r.as_int(0), r.as_int(1), r.as_int(2), r.as_text(3), r.as_text(4), r.as_text(5), r.as_text(6)});
        return out;
    });
}

}  // namespace idara::processing
