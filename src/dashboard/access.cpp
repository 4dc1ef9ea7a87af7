#include "dashboard/access.hpp"

#include "deadline/casablanca_day.hpp"
#include "storage/db.hpp"

#include <algorithm>

namespace idara::dashboard {

using identity::Role;

namespace {

Error filter_error(std::string detail) { return {"dashboard.filter", 400, std::move(detail)}; }

Result<std::optional<std::int64_t>> date_ms(const std::optional<std::string>& s, bool end_of_day) {
    if (!s || s->empty()) return std::optional<std::int64_t>{};
    auto d = parse_date(*s);
    if (!d) return filter_error("not a date: " + s->substr(0, 20));
    return std::optional<std::int64_t>{end_of_day ? deadline::end_of_casablanca_day_ms(*d)
                                                  : deadline::start_of_casablanca_day_ms(*d)};
}

Result<std::vector<UnitChoice>> all_units(storage::Database& db, std::int64_t administration_id) {
    return db.read<std::vector<UnitChoice>>([&](storage::Tx& tx) -> Result<std::vector<UnitChoice>> {
        auto rows = tx.query("SELECT id, code, name_ar, name_fr FROM units WHERE administration_id = $1 ORDER BY code",
                             {administration_id});
        if (!rows) return rows.error();
        std::vector<UnitChoice> out;
        for (const auto& r : *rows) out.push_back({r.as_int(0), r.as_text(1), r.as_text(2), r.as_text(3)});
        return out;
    });
}

}  // namespace

std::optional<std::chrono::sys_days> parse_date(std::string_view s) {
    auto d = deadline::parse_civil_date(s);
    if (!d) return std::nullopt;
    const int y = static_cast<int>(std::chrono::year_month_day(*d).year());
    if (y < 2000 || y >= 2100) return std::nullopt;
    return d;
}

Result<Plan> plan(storage::Database& db, const identity::Principal& who, const Query& q, std::int64_t now_ms) {
    auto scope = identity::TenantScope::of(who);
    if (!scope) return errors::forbidden("dashboards are for staff");
    const bool everything = who.has_role(Role::admin) || who.has_role(Role::registry_clerk);
    std::vector<std::int64_t> headed;
    for (const auto& m : who.memberships)
        if (m.role == Role::unit_head && m.unit_id && m.administration_id == scope->administration_id())
            headed.push_back(*m.unit_id);
    if (!everything && headed.empty()) return errors::forbidden("dashboards: admin, registry clerk or unit head");

    auto from = date_ms(q.from, false);
    if (!from) return from.error();
    auto to = date_ms(q.to, true);
    if (!to) return to.error();
    if (*from && *to && **from > **to) return filter_error("from is after to");

    auto units = all_units(db, scope->administration_id());
    if (!units) return units.error();
    auto admin = db.read<std::optional<storage::Row>>([&](storage::Tx& tx) {
        return tx.query_one("SELECT code, name_ar, name_fr FROM administrations WHERE id = $1",
                            {scope->administration_id()});
    });
    if (!admin) return admin.error();
    if (!*admin) return errors::not_found("administration");

    Plan p{*scope, Filter{}, (*admin)->as_text(0), (*admin)->as_text(1), (*admin)->as_text(2), std::nullopt,
           everything, {}};
    for (const auto& u : *units)
        if (everything || std::find(headed.begin(), headed.end(), u.id) != headed.end()) p.units.push_back(u);
    p.filter.from_ms = *from;
    p.filter.to_ms = *to;
    p.filter.now_ms = now_ms;

    const std::string code = q.unit.value_or("");
    if (code.empty()) {
        if (!everything) {
            if (p.units.empty()) return errors::forbidden("the units the caller heads are gone");
            p.unit = p.units.front();
        }
    } else {
        auto it = std::find_if(units->begin(), units->end(), [&](const UnitChoice& u) { return u.code == code; });
        if (it == units->end()) return filter_error("unknown unit");
        if (!everything && std::find(headed.begin(), headed.end(), it->id) == headed.end())
            return errors::forbidden("not a unit the caller heads");
        p.unit = *it;
    }
    if (p.unit) p.filter.lead_unit_id = p.unit->id;
    return p;
}

}  // namespace idara::dashboard
