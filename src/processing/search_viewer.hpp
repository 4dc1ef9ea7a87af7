// Who searches the register (search/search.hpp): the search viewer of a staff principal —
// their administration, their units, and whether they see every non-confidential entry
// (registry clerks, admins, and staff holding a role without a unit).
#pragma once

#include "identity/principal.hpp"
#include "search/search.hpp"

namespace idara::processing {

inline search::Viewer search_viewer(const identity::Principal& p) {
    search::Viewer v;
    v.administration_id = p.administration_id.value_or(0);
    for (const auto& m : p.memberships) {
        if (m.administration_id != v.administration_id) continue;
        if (m.unit_id) v.unit_ids.push_back(*m.unit_id);
        else v.sees_all_units = true;
        if (m.role == identity::Role::registry_clerk || m.role == identity::Role::admin) v.sees_all_units = true;
    }
    return v;
}

}  // namespace idara::processing
