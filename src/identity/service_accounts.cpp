// identity::Service: accounts and principals.
#include "identity/service_impl.hpp"

#include <algorithm>
#include <cctype>

namespace idara::identity {

using storage::Row;
using storage::Tx;
using storage::Value;

Result<std::string> normalize_login(std::string_view login) {
    while (!login.empty() && std::isspace(static_cast<unsigned char>(login.front()))) login.remove_prefix(1);
    while (!login.empty() && std::isspace(static_cast<unsigned char>(login.back()))) login.remove_suffix(1);
    if (login.size() < 3 || login.size() > 254 || !detail::valid_utf8(login)) return Error{"account.invalid_login", 400};
    std::string out;
    for (unsigned char c : login) {
        if (c <= 0x20 || c == 0x7f || c == '"' || c == '<' || c == '>') return Error{"account.invalid_login", 400};
        out += static_cast<char>(std::tolower(c));
    }
    return out;
}

namespace detail {

Result<Principal> load_principal(Tx& tx, std::int64_t account_id) {
    auto row = tx.query_one("SELECT id, kind, login, display_name, lang, disabled FROM accounts WHERE id = $1", {account_id});
    if (!row) return row.error();
    if (!*row || (*row)->as_int(5) != 0) return errors::unauthenticated("account missing or disabled");
    const Row& r = **row;
    Principal p;
    p.account_id = r.as_int(0);
    p.kind = parse_kind(r.as_text(1)).value_or(AccountKind::citizen);
    p.login = r.as_text(2);
    p.display_name = r.as_text(3);
    p.lang = i18n::parse_lang(r.as_text(4)).value_or(i18n::kDefaultLang);
    if (p.kind == AccountKind::staff) {
        auto ms = tx.query("SELECT administration_id, unit_id, role FROM memberships WHERE account_id = $1 ORDER BY id",
                           {account_id});
        if (!ms) return ms.error();
        for (const auto& m : *ms)
            p.memberships.push_back(Membership{m.as_int(0), m.opt_int(1), parse_role(m.as_text(2)).value_or(Role::agent)});
        if (!p.memberships.empty()) p.administration_id = p.memberships.front().administration_id;
    }
    return p;
}

Status delete_sessions(Tx& tx, std::int64_t account_id) {
    auto d = tx.exec("DELETE FROM sessions WHERE account_id = $1", {account_id});
    if (!d) return d.error();
    return {};
}

}  // namespace detail

namespace {

Status validate(const NewAccount& a) {
    if (auto s = detail::check_text(a.display_name, 200, "display name"); !s) return s;
    if (a.national_id)
        if (auto s = detail::check_text(*a.national_id, 32, "national id"); !s) return s;
    if (a.company_name)
        if (auto s = detail::check_text(*a.company_name, 200, "company name"); !s) return s;
    const bool staff = a.kind == AccountKind::staff;
    if (staff != a.administration_code.has_value() || staff != a.role.has_value() || (!staff && a.unit_code))
        return errors::bad_request("staff accounts, and only they, have an administration and a role");
    return {};
}

}  // namespace

Result<std::int64_t> Service::create_account(const NewAccount& a) {
    auto login = normalize_login(a.login);
    if (!login) return login.error();
    if (auto s = validate(a); !s) return s.error();
    if (auto s = check_policy(a.password, *login); !s) return s.error();
    auto hash = hash_password(a.password, impl_->opts.hash_limits);
    if (!hash) return hash.error();
    const auto now = impl_->clock.now_ms();
    auto id = impl_->db.write<std::int64_t>([&](Tx& tx) -> Result<std::int64_t> {
        auto row = tx.query_one(
            "INSERT INTO accounts (kind, login, display_name, national_id, company_name, password_hash, lang, "
            "disabled, created_at, password_changed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8, $8) RETURNING id",
            {std::string(kind_name(a.kind)), *login, a.display_name,
             a.national_id ? Value{*a.national_id} : Value{nullptr}, a.company_name ? Value{*a.company_name} : Value{nullptr},
             *hash, std::string(i18n::code(a.lang)), now});
        if (!row) return detail::conflict_as(row.error(), "account.login_taken");
        const std::int64_t account = (*row)->as_int(0);
        if (a.kind != AccountKind::staff) return account;
        auto adm = tx.query_one("SELECT id FROM administrations WHERE code = $1", {*a.administration_code});
        if (!adm) return adm.error();
        if (!*adm) return errors::not_found("administration " + *a.administration_code);
        Value unit = nullptr;
        if (a.unit_code) {
            auto u = tx.query_one("SELECT id FROM units WHERE code = $1 AND administration_id = $2",
                                  {*a.unit_code, (*adm)->as_int(0)});
            if (!u) return u.error();
            if (!*u) return errors::not_found("unit " + *a.unit_code);
            unit = (*u)->as_int(0);
        }
        auto m = tx.exec("INSERT INTO memberships (account_id, administration_id, unit_id, role) VALUES ($1, $2, $3, $4)",
                         {account, (*adm)->as_int(0), unit, std::string(role_name(*a.role))});
        if (!m) return m.error();
        return account;
    });
    return id;
}

Result<std::vector<AccountSummary>> Service::list_accounts(const std::optional<std::string>& administration_code) {
    return impl_->db.read<std::vector<AccountSummary>>([&](Tx& tx) -> Result<std::vector<AccountSummary>> {
        std::string sql =
            "SELECT a.id, a.login, a.display_name, a.kind, a.disabled, "
            "(SELECT d.code FROM memberships m JOIN administrations d ON d.id = m.administration_id "
            " WHERE m.account_id = a.id ORDER BY m.id LIMIT 1) AS admin_code FROM accounts a";
        storage::Params params;
        if (administration_code) {
            sql += " WHERE EXISTS (SELECT 1 FROM memberships m JOIN administrations d ON d.id = m.administration_id "
                   "WHERE m.account_id = a.id AND d.code = $1)";
            params.push_back(*administration_code);
        }
        auto rows = tx.query(sql + " ORDER BY a.id", params);
        if (!rows) return rows.error();
        std::vector<AccountSummary> out;
        for (const auto& r : *rows)
            out.push_back(AccountSummary{r.as_int(0), r.as_text(1), r.as_text(2),
                                         parse_kind(r.as_text(3)).value_or(AccountKind::citizen),
                                         r.opt_text(5).value_or(""), r.as_int(4) != 0});
        return out;
    });
}

Status Service::set_disabled(std::int64_t account_id, bool disabled) {
    return impl_->db.write_tx([&](Tx& tx) -> Status {
        auto r = tx.exec("UPDATE accounts SET disabled = $1 WHERE id = $2", {std::int64_t{disabled ? 1 : 0}, account_id});
        if (!r) return r.error();
        if (*r == 0) return errors::not_found("account");
        if (disabled) return detail::delete_sessions(tx, account_id);
        return {};
    });
}

Result<Principal> Service::principal_of(std::int64_t account_id) {
    return impl_->db.read<Principal>([&](Tx& tx) { return detail::load_principal(tx, account_id); });
}

}  // namespace idara::identity
