// identity::Service: the staff of an administration and their roles, always within a TenantScope.
#include "identity/service_impl.hpp"

namespace idara::identity {

using storage::Tx;
using storage::Value;

namespace {

constexpr const char* kStaffSql =
    "SELECT a.id, a.login, a.display_name, a.disabled, m.administration_id, m.unit_id, m.role FROM memberships m "
    "JOIN accounts a ON a.id = m.account_id WHERE m.administration_id = $1";

Result<std::vector<StaffMember>> read_staff(Tx& tx, const TenantScope& s, std::optional<std::int64_t> account_id) {
    storage::Params params{s.administration_id()};
    std::string sql = kStaffSql;
    if (account_id) {
        sql += " AND a.id = $2";
        params.push_back(*account_id);
    }
    auto rows = tx.query(sql + " ORDER BY a.id, m.id", params);
    if (!rows) return rows.error();
    std::vector<StaffMember> out;
    for (const auto& r : *rows) {
        if (out.empty() || out.back().account_id != r.as_int(0))
            out.push_back(StaffMember{r.as_int(0), r.as_text(1), r.as_text(2), {}, r.as_int(3) != 0});
        out.back().memberships.push_back(
            Membership{r.as_int(4), r.opt_int(5), parse_role(r.as_text(6)).value_or(Role::agent)});
    }
    return out;
}

// resource.not_found unless the account is staff of the scope's administration.
Status check_staff_in_scope(Tx& tx, const TenantScope& s, std::int64_t account_id) {
    auto row = tx.query_one(
        "SELECT 1 FROM accounts a WHERE a.id = $1 AND a.kind = 'staff' AND EXISTS "
        "(SELECT 1 FROM memberships m WHERE m.account_id = a.id AND m.administration_id = $2)",
        {account_id, s.administration_id()});
    if (!row) return row.error();
    if (!*row) return errors::not_found("staff account");
    return {};
}

// The id of the membership (account, scope, role, unit), if any. A NULL unit matches a NULL unit.
Result<std::optional<std::int64_t>> find_membership(Tx& tx, const TenantScope& s, std::int64_t account_id, Role role,
                                                    std::optional<std::int64_t> unit_id) {
    storage::Params params{account_id, s.administration_id(), std::string(role_name(role))};
    std::string sql = "SELECT id FROM memberships WHERE account_id = $1 AND administration_id = $2 AND role = $3 AND ";
    if (unit_id) {
        sql += "unit_id = $4";
        params.push_back(*unit_id);
    } else {
        sql += "unit_id IS NULL";
    }
    auto row = tx.query_one(sql, params);
    if (!row) return row.error();
    if (!*row) return std::optional<std::int64_t>{};
    return std::optional<std::int64_t>{(*row)->as_int(0)};
}

}  // namespace

Result<std::vector<StaffMember>> Service::list_staff(const TenantScope& s) {
    return impl_->db.read<std::vector<StaffMember>>([&](Tx& tx) { return read_staff(tx, s, std::nullopt); });
}

Result<StaffMember> Service::get_staff(const TenantScope& s, std::int64_t account_id) {
    return impl_->db.read<StaffMember>([&](Tx& tx) -> Result<StaffMember> {
        auto staff = read_staff(tx, s, account_id);
        if (!staff) return staff.error();
        if (staff->empty()) return errors::not_found("staff account");
        return std::move(staff->front());
    });
}

Result<Membership> Service::add_membership(const TenantScope& s, std::int64_t account_id, Role role,
                                           std::optional<std::int64_t> unit_id) {
    return impl_->db.write<Membership>([&](Tx& tx) -> Result<Membership> {
        // Only staff already in this administration: an account never joins a second one.
        if (auto c = check_staff_in_scope(tx, s, account_id); !c) return c.error();
        if (unit_id) {
            auto u = tx.query_one("SELECT 1 FROM units WHERE id = $1 AND administration_id = $2", {*unit_id, s.administration_id()});
            if (!u) return u.error();
            if (!*u) return errors::not_found("unit");
        }
        auto existing = find_membership(tx, s, account_id, role, unit_id);
        if (!existing) return existing.error();
        if (*existing) return Error{"membership.exists", 409};
        auto r = tx.exec("INSERT INTO memberships (account_id, administration_id, unit_id, role) VALUES ($1, $2, $3, $4)",
                         {account_id, s.administration_id(), unit_id ? Value{*unit_id} : Value{nullptr},
                          std::string(role_name(role))});
        if (!r) return detail::conflict_as(r.error(), "membership.exists");
        return Membership{s.administration_id(), unit_id, role};
    });
}

Status Service::remove_membership(const TenantScope& s, std::int64_t account_id, Role role,
                                  std::optional<std::int64_t> unit_id) {
    return impl_->db.write_tx([&](Tx& tx) -> Status {
        if (auto c = check_staff_in_scope(tx, s, account_id); !c) return c;
        auto id = find_membership(tx, s, account_id, role, unit_id);
        if (!id) return id.error();
        if (!*id) return errors::not_found("membership");
        auto count = tx.query_one("SELECT COUNT(*) FROM memberships WHERE account_id = $1", {account_id});
        if (!count) return count.error();
        if ((*count)->as_int(0) <= 1) return Error{"membership.last_role", 409};
        auto d = tx.exec("DELETE FROM memberships WHERE id = $1", {**id});
        if (!d) return d.error();
        return {};
    });
}

Status Service::set_staff_disabled(const TenantScope& s, std::int64_t account_id, bool disabled) {
    return impl_->db.write_tx([&](Tx& tx) -> Status {
        if (auto c = check_staff_in_scope(tx, s, account_id); !c) return c;
        auto r = tx.exec("UPDATE accounts SET disabled = $1 WHERE id = $2", {std::int64_t{disabled ? 1 : 0}, account_id});
        if (!r) return r.error();
        if (disabled) return detail::delete_sessions(tx, account_id);
        return {};
    });
}

}  // namespace idara::identity
