// Circuit templates: validation, storage (steps as JSON), resolution of assignees at start.
#include "parapheur/circuits_impl.hpp"

#include "core/text_normalize.hpp"
#include "core/utf8.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <set>

namespace idara::parapheur {

using identity::Principal;
using storage::Tx;

namespace detail {

bool text_ok(std::string_view s, std::size_t min, std::size_t max, bool multiline) {
    auto t = text::trim(s);
    auto n = utf8::length(t);
    return n && *n >= min && *n <= max && !utf8::has_controls(t, multiline);
}

std::string steps_to_json(const std::vector<StepSpec>& steps) {
    boost::json::array arr;
    for (const auto& s : steps) {
        boost::json::object o;
        o["kind"] = std::string(step_kind_name(s.kind));
        o["mode"] = std::string(step_mode_name(s.mode));
        boost::json::array acc;
        for (auto id : s.account_ids) acc.push_back(id);
        o["accounts"] = std::move(acc);
        if (s.role) o["role"] = std::string(identity::role_name(*s.role));
        o["unit"] = s.unit_code;
        o["label_ar"] = s.label_ar;
        o["label_fr"] = s.label_fr;
        arr.push_back(std::move(o));
    }
    return boost::json::serialize(arr);
}

Result<std::vector<StepSpec>> steps_from_json(std::string_view json) {
    boost::system::error_code ec;
    auto v = boost::json::parse(json, ec);
    if (ec || !v.is_array()) return Error{"parapheur.template_invalid", 500, "stored steps"};
    std::vector<StepSpec> out;
    for (const auto& e : v.as_array()) {
        if (!e.is_object()) return Error{"parapheur.template_invalid", 500, "stored step"};
        const auto& o = e.as_object();
        StepSpec s;
        auto str = [&](const char* k) -> std::string {
            auto* p = o.if_contains(k);
            return p && p->is_string() ? std::string(p->as_string()) : std::string();
        };
        auto kind = parse_step_kind(str("kind"));
        auto mode = parse_step_mode(str("mode"));
        if (!kind || !mode) return Error{"parapheur.template_invalid", 500, "stored step kind/mode"};
        s.kind = *kind;
        s.mode = *mode;
        if (auto* a = o.if_contains("accounts"); a && a->is_array())
            for (const auto& x : a->as_array())
                if (x.is_int64()) s.account_ids.push_back(x.as_int64());
        if (auto r = str("role"); !r.empty()) s.role = identity::parse_role(r);
        s.unit_code = str("unit");
        s.label_ar = str("label_ar");
        s.label_fr = str("label_fr");
        out.push_back(std::move(s));
    }
    return out;
}

namespace {

Result<std::vector<std::int64_t>> members_with_role(Tx& tx, std::int64_t adm, identity::Role role,
                                                    const std::vector<std::int64_t>& units) {
    std::vector<std::int64_t> out;
    std::string sql =
        "SELECT DISTINCT m.account_id FROM memberships m JOIN accounts a ON a.id = m.account_id WHERE "
        "m.administration_id = $1 AND m.role = $2 AND a.disabled = 0";
    if (units.empty()) {
        auto rows = tx.query(sql, {adm, std::string(identity::role_name(role))});
        if (!rows) return rows.error();
        for (const auto& r : *rows) out.push_back(r.as_int(0));
        return out;
    }
    for (auto u : units) {
        auto rows = tx.query(sql + " AND m.unit_id = $3", {adm, std::string(identity::role_name(role)), u});
        if (!rows) return rows.error();
        for (const auto& r : *rows) out.push_back(r.as_int(0));
    }
    return out;
}

Result<std::optional<std::int64_t>> unit_id(Tx& tx, std::int64_t adm, const std::string& code) {
    auto r = tx.query_one("SELECT id FROM units WHERE administration_id = $1 AND code = $2", {adm, code});
    if (!r) return r.error();
    if (!*r) return std::optional<std::int64_t>();
    return std::optional<std::int64_t>((*r)->as_int(0));
}

Result<bool> is_member(Tx& tx, std::int64_t adm, std::int64_t account) {
    auto r = tx.query_one(
        "SELECT 1 FROM memberships m JOIN accounts a ON a.id = m.account_id WHERE m.account_id = $1 AND "
        "m.administration_id = $2 AND a.disabled = 0 AND a.kind = 'staff'",
        {account, adm});
    if (!r) return r.error();
    return r->has_value();
}

Error invalid(std::string detail) { return Error{"parapheur.template_invalid", 400, std::move(detail)}; }

}  // namespace

Result<std::vector<std::int64_t>> resolve(Tx& tx, std::int64_t adm, const StepSpec& s, std::int64_t initiator) {
    std::set<std::int64_t> named, by_role;
    for (auto id : s.account_ids) {
        auto m = is_member(tx, adm, id);
        if (!m) return m.error();
        if (*m) named.insert(id);
    }
    std::optional<identity::Role> role = s.role;
    if (!role && s.account_ids.empty() && s.kind == StepKind::seal) role = identity::Role::signer;
    if (role) {
        std::vector<std::int64_t> units;
        if (*role == identity::Role::unit_head) {
            if (!s.unit_code.empty()) {
                auto u = unit_id(tx, adm, s.unit_code);
                if (!u) return u.error();
                if (!*u) return invalid("unknown unit " + s.unit_code);
                units.push_back(**u);
            } else {
                auto rows = tx.query(
                    "SELECT DISTINCT unit_id FROM memberships WHERE account_id = $1 AND administration_id = $2 AND "
                    "unit_id IS NOT NULL",
                    {initiator, adm});
                if (!rows) return rows.error();
                for (const auto& r : *rows) units.push_back(r.as_int(0));
            }
        }
        auto m = members_with_role(tx, adm, *role, units);
        if (!m) return m.error();
        // The initiator's units have no head (other than the initiator): every unit head.
        if (*role == identity::Role::unit_head && s.unit_code.empty() && !units.empty() &&
            (m->empty() || (m->size() == 1 && m->front() == initiator))) {
            m = members_with_role(tx, adm, *role, {});
            if (!m) return m.error();
        }
        by_role.insert(m->begin(), m->end());
        // The initiator does not approve their own document through a role when someone else can.
        if (by_role.size() > 1 || (by_role.size() == 1 && !named.empty())) by_role.erase(initiator);
    }
    named.insert(by_role.begin(), by_role.end());
    return std::vector<std::int64_t>(named.begin(), named.end());
}

}  // namespace detail

namespace {

Error invalid(std::string detail) { return Error{"parapheur.template_invalid", 400, std::move(detail)}; }

bool code_ok(std::string_view c) {
    if (c.empty() || c.size() > 40) return false;
    return std::all_of(c.begin(), c.end(), [](char ch) {
        return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_';
    });
}

// Shape checks plus: named accounts are active staff of the administration, units exist.
Status check_template(Tx& tx, std::int64_t adm, CircuitTemplate& t) {
    if (!code_ok(t.code)) return invalid("code");
    t.name_ar = std::string(text::trim(t.name_ar));
    t.name_fr = std::string(text::trim(t.name_fr));
    if (!detail::text_ok(t.name_ar, 1, 200, false) || !detail::text_ok(t.name_fr, 1, 200, false)) return invalid("name");
    if (t.steps.empty() || t.steps.size() > 20) return invalid("steps");
    for (auto& s : t.steps) {
        s.label_ar = std::string(text::trim(s.label_ar));
        s.label_fr = std::string(text::trim(s.label_fr));
        if (!detail::text_ok(s.label_ar, 1, 200, false) || !detail::text_ok(s.label_fr, 1, 200, false))
            return invalid("label");
        if (s.account_ids.size() > 50) return invalid("accounts");
        if (s.account_ids.empty() && !s.role && s.kind != StepKind::seal) return invalid("no assignee");
        if (!s.unit_code.empty() && s.role != identity::Role::unit_head) return invalid("unit without unit_head");
        std::sort(s.account_ids.begin(), s.account_ids.end());
        s.account_ids.erase(std::unique(s.account_ids.begin(), s.account_ids.end()), s.account_ids.end());
        for (auto id : s.account_ids) {
            auto r = tx.query_one(
                "SELECT 1 FROM memberships m JOIN accounts a ON a.id = m.account_id WHERE m.account_id = $1 AND "
                "m.administration_id = $2 AND a.kind = 'staff'",
                {id, adm});
            if (!r) return r.error();
            if (!*r) return invalid("account " + std::to_string(id));
        }
        if (!s.unit_code.empty()) {
            auto r = tx.query_one("SELECT 1 FROM units WHERE administration_id = $1 AND code = $2", {adm, s.unit_code});
            if (!r) return r.error();
            if (!*r) return invalid("unit " + s.unit_code);
        }
    }
    return {};
}

Result<CircuitTemplate> from_row(const storage::Row& r) {
    CircuitTemplate t;
    t.id = r.as_int(0);
    t.code = r.as_text(1);
    t.name_ar = r.as_text(2);
    t.name_fr = r.as_text(3);
    auto steps = detail::steps_from_json(r.as_text(4));
    if (!steps) return steps.error();
    t.steps = std::move(*steps);
    t.updated_at_ms = r.as_int(5);
    return t;
}

constexpr const char* kCols = "SELECT id, code, name_ar, name_fr, steps, updated_at FROM circuit_templates ";

}  // namespace

Result<CircuitTemplate> CircuitService::put_template_in_tx(Tx& tx, std::int64_t adm, CircuitTemplate t,
                                                           std::int64_t now) {
    if (auto s = check_template(tx, adm, t); !s) return s.error();
    const std::string steps = detail::steps_to_json(t.steps);
    auto up = tx.exec(
        "UPDATE circuit_templates SET name_ar = $1, name_fr = $2, steps = $3, updated_at = $4 WHERE "
        "administration_id = $5 AND code = $6",
        {t.name_ar, t.name_fr, steps, now, adm, t.code});
    if (!up) return up.error();
    if (*up == 0) {
        auto ins = tx.exec(
            "INSERT INTO circuit_templates (administration_id, code, name_ar, name_fr, steps, created_at, updated_at) "
            "VALUES ($1, $2, $3, $4, $5, $6, $6)",
            {adm, t.code, t.name_ar, t.name_fr, steps, now});
        if (!ins) return ins.error();
    }
    auto r = tx.query_one(std::string(kCols) + "WHERE administration_id = $1 AND code = $2", {adm, t.code});
    if (!r) return r.error();
    if (!*r) return errors::internal("template vanished");
    return from_row(**r);
}

Result<std::vector<CircuitTemplate>> CircuitService::templates(const Principal& who) {
    auto scope = identity::TenantScope::of(who);
    if (!scope) return Error{"parapheur.forbidden", 403, "staff only"};
    return impl_->db.read<std::vector<CircuitTemplate>>([&](Tx& tx) -> Result<std::vector<CircuitTemplate>> {
        auto rows = tx.query(std::string(kCols) + "WHERE administration_id = $1 ORDER BY code",
                             {scope->administration_id()});
        if (!rows) return rows.error();
        std::vector<CircuitTemplate> out;
        for (const auto& r : *rows) {
            auto t = from_row(r);
            if (!t) return t.error();
            out.push_back(std::move(*t));
        }
        return out;
    });
}

Result<CircuitTemplate> CircuitService::template_by_code(const Principal& who, std::string_view code) {
    auto scope = identity::TenantScope::of(who);
    if (!scope) return Error{"parapheur.forbidden", 403, "staff only"};
    return impl_->db.read<CircuitTemplate>([&](Tx& tx) -> Result<CircuitTemplate> {
        auto r = tx.query_one(std::string(kCols) + "WHERE administration_id = $1 AND code = $2",
                              {scope->administration_id(), std::string(code)});
        if (!r) return r.error();
        if (!*r) return Error{"parapheur.unknown_template", 404, std::string(code)};
        return from_row(**r);
    });
}

Result<CircuitTemplate> CircuitService::put_template(const Principal& who, CircuitTemplate t) {
    auto scope = identity::TenantScope::of(who);
    if (!scope || !who.has_role(identity::Role::admin)) return Error{"parapheur.forbidden", 403, "admins only"};
    const std::int64_t now = impl_->clock.now_ms();
    return impl_->db.write<CircuitTemplate>([&](Tx& tx) -> Result<CircuitTemplate> {
        return put_template_in_tx(tx, scope->administration_id(), t, now);
    });
}

Status CircuitService::delete_template(const Principal& who, std::string_view code) {
    auto scope = identity::TenantScope::of(who);
    if (!scope || !who.has_role(identity::Role::admin)) return Error{"parapheur.forbidden", 403, "admins only"};
    return impl_->db.write_tx([&](Tx& tx) -> Status {
        auto n = tx.exec("DELETE FROM circuit_templates WHERE administration_id = $1 AND code = $2",
                         {scope->administration_id(), std::string(code)});
        if (!n) return n.error();
        if (*n == 0) return Error{"parapheur.unknown_template", 404, std::string(code)};
        return {};
    });
}

}  // namespace idara::parapheur
