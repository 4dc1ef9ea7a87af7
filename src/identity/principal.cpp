#include "identity/principal.hpp"

namespace idara::identity {

std::string_view kind_name(AccountKind k) {
    switch (k) {
        case AccountKind::citizen: return "citizen";
        case AccountKind::company: return "company";
        case AccountKind::staff: return "staff";
        case AccountKind::operator_: return "operator";
    }
    return "citizen";
}

std::optional<AccountKind> parse_kind(std::string_view s) {
    for (auto k : {AccountKind::citizen, AccountKind::company, AccountKind::staff, AccountKind::operator_})
        if (kind_name(k) == s) return k;
    return std::nullopt;
}

std::string_view role_name(Role r) {
    switch (r) {
        case Role::agent: return "agent";
        case Role::registry_clerk: return "registry_clerk";
        case Role::unit_head: return "unit_head";
        case Role::signer: return "signer";
        case Role::admin: return "admin";
    }
    return "agent";
}

std::optional<Role> parse_role(std::string_view s) {
    for (auto r : {Role::agent, Role::registry_clerk, Role::unit_head, Role::signer, Role::admin})
        if (role_name(r) == s) return r;
    return std::nullopt;
}

bool Principal::has_role(Role r) const {
    if (!administration_id) return false;
    for (const auto& m : memberships)
        if (m.role == r && m.administration_id == *administration_id) return true;
    return false;
}

std::optional<TenantScope> TenantScope::of(const Principal& p) {
    if (!p.is_staff() || !p.administration_id) return std::nullopt;
    return TenantScope(*p.administration_id);
}

}  // namespace idara::identity
