// The identity look-ups of the pages: the staff member's administration and its units.
#include "identity/service.hpp"
#include "web/visit.hpp"

namespace idara::web::detail {

Result<AdministrationInfo> administration_of(identity::Service& ids, const identity::Principal& p, i18n::Lang l) {
    auto scope = identity::TenantScope::of(p);
    if (!scope) return errors::forbidden("staff only");
    auto admin = ids.get_administration(scope->administration_id());
    if (!admin) return admin.error();
    auto units = ids.list_units(*scope);
    if (!units) return units.error();
    const bool ar = l == i18n::Lang::ar;
    AdministrationInfo out{admin->code, ar ? admin->name_ar : admin->name_fr, {}};
    for (const auto& u : *units) out.units.push_back({u.id, u.parent_id, u.code, ar ? u.name_ar : u.name_fr});
    return out;
}

}  // namespace idara::web::detail
