// Who is calling: the authenticated principal and the tenant scope derived from it.
//
// Administrations are the tenants. A staff account belongs to exactly one
// administration and holds one or more roles there (optionally tied to a unit).
// Every query that reads administration data takes a TenantScope, and a
// TenantScope can only be made from a Principal (or by trusted CLI code via
// TenantScope::trusted), so a handler cannot forget the boundary.
#pragma once

#include "core/i18n.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace idara::identity {

enum class AccountKind { citizen, company, staff, operator_ };
std::string_view kind_name(AccountKind k);                   // "citizen","company","staff","operator"
std::optional<AccountKind> parse_kind(std::string_view s);

// Roles inside one administration, least privilege first.
enum class Role { agent, registry_clerk, unit_head, signer, admin };
std::string_view role_name(Role r);                          // "agent","registry_clerk","unit_head","signer","admin"
std::optional<Role> parse_role(std::string_view s);

struct Membership {
    std::int64_t administration_id = 0;
    std::optional<std::int64_t> unit_id;
    Role role = Role::agent;
};

struct Principal {
    std::int64_t account_id = 0;
    AccountKind kind = AccountKind::citizen;
    std::string login;          // e-mail or user name
    std::string display_name;
    i18n::Lang lang = i18n::kDefaultLang;
    std::vector<Membership> memberships;   // staff only
    std::optional<std::int64_t> administration_id;  // staff only: their administration
    bool via_token = false;     // authenticated by bearer API token (no CSRF)

    bool is_operator() const { return kind == AccountKind::operator_; }
    bool is_staff() const { return kind == AccountKind::staff; }
    bool has_role(Role r) const;
};

class TenantScope {
public:
    // The scope of a staff principal; nullopt for citizens, companies and operators.
    static std::optional<TenantScope> of(const Principal& p);
    // For trusted code paths only (CLI, demo seeding, tests). Never from request data.
    static TenantScope trusted(std::int64_t administration_id) { return TenantScope(administration_id); }
    std::int64_t administration_id() const { return id_; }

private:
    explicit TenantScope(std::int64_t id) : id_(id) {}
    std::int64_t id_;
};

}  // namespace idara::identity
