// identity::Service: the units of an administration, always within a TenantScope.
#include "identity/service_impl.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace idara::identity {

using storage::Tx;
using storage::Value;

namespace {

constexpr const char* kUnitCols = "SELECT id, administration_id, parent_id, code, name_ar, name_fr FROM units";

Status check_names(std::string_view name_ar, std::string_view name_fr) {
    if (auto c = detail::check_text(name_ar, 300, "name_ar"); !c) return c;
    return detail::check_text(name_fr, 300, "name_fr");
}

// The parent must belong to the scope's administration: otherwise it does not exist for this caller.
Status check_parent_in_scope(Tx& tx, const TenantScope& s, std::int64_t parent_id) {
    auto parent = tx.query_one("SELECT 1 FROM units WHERE id = $1 AND administration_id = $2",
                               {parent_id, s.administration_id()});
    if (!parent) return parent.error();
    if (!*parent) return errors::not_found("parent unit");
    return {};
}

// unit.invalid_parent when `parent_id` is `unit_id` or lies below it.
Status check_no_cycle(Tx& tx, const TenantScope& s, std::int64_t unit_id, std::int64_t parent_id) {
    std::set<std::int64_t> seen;
    for (std::optional<std::int64_t> at = parent_id; at; ) {
        if (*at == unit_id || !seen.insert(*at).second) return Error{"unit.invalid_parent", 400, "cycle"};
        auto row = tx.query_one("SELECT parent_id FROM units WHERE id = $1 AND administration_id = $2",
                                {*at, s.administration_id()});
        if (!row) return row.error();
        at = *row ? (*row)->opt_int(0) : std::nullopt;
    }
    return {};
}

// Orders units parents first, siblings by code, and gives each its depth. Units whose
// parent is missing from the list (never the case with a consistent tree) count as roots.
std::vector<UnitNode> tree_order(std::vector<Unit> units) {
    std::map<std::optional<std::int64_t>, std::vector<const Unit*>> children;
    std::set<std::int64_t> ids;
    for (const auto& u : units) ids.insert(u.id);
    for (const auto& u : units)
        children[u.parent_id && ids.count(*u.parent_id) ? u.parent_id : std::nullopt].push_back(&u);
    for (auto& [parent, list] : children)
        std::sort(list.begin(), list.end(), [](const Unit* a, const Unit* b) { return a->code < b->code; });
    std::vector<UnitNode> out;
    std::vector<std::pair<const Unit*, int>> stack;
    auto push_children = [&](std::optional<std::int64_t> parent, int depth) {
        auto it = children.find(parent);
        if (it == children.end()) return;
        for (auto c = it->second.rbegin(); c != it->second.rend(); ++c) stack.emplace_back(*c, depth);
    };
    push_children(std::nullopt, 0);
    while (!stack.empty() && out.size() < units.size()) {
        auto [u, depth] = stack.back();
        stack.pop_back();
        out.push_back({*u, depth});
        push_children(u->id, depth + 1);
    }
    return out;
}

}  // namespace

Result<Unit> Service::create_unit(const TenantScope& s, const NewUnit& u) {
    if (auto c = detail::check_code(u.code); !c) return c.error();
    if (auto c = check_names(u.name_ar, u.name_fr); !c) return c.error();
    auto unit = impl_->db.write<Unit>([&](Tx& tx) -> Result<Unit> {
        if (u.parent_id)
            if (auto c = check_parent_in_scope(tx, s, *u.parent_id); !c) return c.error();
        auto row = tx.query_one(
            "INSERT INTO units (administration_id, parent_id, code, name_ar, name_fr, created_at) "
            "VALUES ($1, $2, $3, $4, $5, $6) RETURNING id, administration_id, parent_id, code, name_ar, name_fr",
            {s.administration_id(), u.parent_id ? Value{*u.parent_id} : Value{nullptr}, u.code, u.name_ar, u.name_fr,
             impl_->clock.now_ms()});
        if (!row) return row.error();
        return detail::unit_from(**row);
    });
    if (!unit) return detail::conflict_as(unit.error(), "unit.code_taken");
    return unit;
}

Result<std::vector<UnitNode>> Service::unit_tree(const TenantScope& s) {
    auto units = impl_->db.read<std::vector<Unit>>([&](Tx& tx) -> Result<std::vector<Unit>> {
        auto rows = tx.query(std::string(kUnitCols) + " WHERE administration_id = $1", {s.administration_id()});
        if (!rows) return rows.error();
        std::vector<Unit> out;
        for (const auto& r : *rows) out.push_back(detail::unit_from(r));
        return out;
    });
    if (!units) return units.error();
    return tree_order(std::move(*units));
}

Result<std::vector<Unit>> Service::list_units(const TenantScope& s) {
    auto tree = unit_tree(s);
    if (!tree) return tree.error();
    std::vector<Unit> out;
    out.reserve(tree->size());
    for (auto& n : *tree) out.push_back(std::move(n.unit));
    return out;
}

Result<Unit> Service::get_unit(const TenantScope& s, std::int64_t id) {
    return impl_->db.read<Unit>([&](Tx& tx) -> Result<Unit> {
        auto row = tx.query_one(std::string(kUnitCols) + " WHERE id = $1 AND administration_id = $2",
                                {id, s.administration_id()});
        if (!row) return row.error();
        if (!*row) return errors::not_found("unit");
        return detail::unit_from(**row);
    });
}

Result<Unit> Service::find_unit(const TenantScope& s, std::string_view code) {
    return impl_->db.read<Unit>([&](Tx& tx) -> Result<Unit> {
        auto row = tx.query_one(std::string(kUnitCols) + " WHERE code = $1 AND administration_id = $2",
                                {std::string(code), s.administration_id()});
        if (!row) return row.error();
        if (!*row) return errors::not_found("unit " + std::string(code));
        return detail::unit_from(**row);
    });
}

Result<Unit> Service::update_unit(const TenantScope& s, std::int64_t id, const UnitUpdate& u) {
    if (auto c = check_names(u.name_ar, u.name_fr); !c) return c.error();
    return impl_->db.write<Unit>([&](Tx& tx) -> Result<Unit> {
        if (u.parent_id) {
            if (auto c = check_parent_in_scope(tx, s, *u.parent_id); !c) return c.error();
            if (auto c = check_no_cycle(tx, s, id, *u.parent_id); !c) return c.error();
        }
        auto row = tx.query_one(
            "UPDATE units SET name_ar = $1, name_fr = $2, parent_id = $3 WHERE id = $4 AND administration_id = $5 "
            "RETURNING id, administration_id, parent_id, code, name_ar, name_fr",
            {u.name_ar, u.name_fr, u.parent_id ? Value{*u.parent_id} : Value{nullptr}, id, s.administration_id()});
        if (!row) return row.error();
        if (!*row) return errors::not_found("unit");
        return detail::unit_from(**row);
    });
}

}  // namespace idara::identity
