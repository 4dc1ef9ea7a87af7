// identity::Service: construction, the directory of administrations, units.
#include "identity/service_impl.hpp"

#include "core/random.hpp"

namespace idara::identity {

using storage::Row;
using storage::Tx;

Service::Impl::Impl(storage::Database& d, ServiceOptions o, const Clock& c)
    : db(d), opts(o), clock(c), throttle(o.throttle, c) {
    dummy_hash = hash_password(random::hex_token(16), opts.hash_limits).value();
}

Service::Service(storage::Database& db, ServiceOptions o, const Clock& clock)
    : impl_(std::make_unique<Impl>(db, o, clock)) {}
Service::~Service() = default;

namespace detail {

Unit unit_from(const Row& r) {
    return Unit{r.as_int(0), r.as_int(1), r.opt_int(2), r.as_text(3), r.as_text(4), r.as_text(5)};
}

Administration administration_from(const Row& r) {
    return Administration{r.as_int(0), r.as_text(1), r.as_text(2), r.as_text(3), r.as_text(4)};
}

Error conflict_as(const Error& e, std::string code) {
    if (e.code != "storage.conflict") return e;
    return Error{std::move(code), 409, e.detail};
}

}  // namespace detail

namespace {

constexpr const char* kAdminCols = "SELECT id, code, name_ar, name_fr, contact_email FROM administrations";
constexpr const char* kUnitCols = "SELECT id, administration_id, parent_id, code, name_ar, name_fr FROM units";

Status check_text(std::string_view value, std::size_t max, const char* field) {
    if (value.empty() || value.size() > max) return errors::bad_request(std::string("invalid ") + field);
    return {};
}

Status check_code(std::string_view code) {
    if (code.empty() || code.size() > 32) return errors::bad_request("invalid code");
    for (char c : code)
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
            return errors::bad_request("invalid code");
    return {};
}

}  // namespace

Result<std::int64_t> Service::create_administration(const NewAdministration& a) {
    if (auto s = check_code(a.code); !s) return s.error();
    if (auto s = check_text(a.name_ar, 300, "name_ar"); !s) return s.error();
    if (auto s = check_text(a.name_fr, 300, "name_fr"); !s) return s.error();
    auto id = impl_->db.write<std::int64_t>([&](Tx& tx) -> Result<std::int64_t> {
        auto row = tx.query_one(
            "INSERT INTO administrations (code, name_ar, name_fr, contact_email, created_at) "
            "VALUES ($1, $2, $3, $4, $5) RETURNING id",
            {a.code, a.name_ar, a.name_fr, a.contact_email, impl_->clock.now_ms()});
        if (!row) return row.error();
        return (*row)->as_int(0);
    });
    if (!id) return detail::conflict_as(id.error(), "administration.code_taken");
    return id;
}

Result<std::vector<Administration>> Service::list_administrations() {
    return impl_->db.read<std::vector<Administration>>([](Tx& tx) -> Result<std::vector<Administration>> {
        auto rows = tx.query(std::string(kAdminCols) + " ORDER BY code");
        if (!rows) return rows.error();
        std::vector<Administration> out;
        for (const auto& r : *rows) out.push_back(detail::administration_from(r));
        return out;
    });
}

Result<Administration> Service::get_administration(std::int64_t id) {
    return impl_->db.read<Administration>([&](Tx& tx) -> Result<Administration> {
        auto row = tx.query_one(std::string(kAdminCols) + " WHERE id = $1", {id});
        if (!row) return row.error();
        if (!*row) return errors::not_found("administration");
        return detail::administration_from(**row);
    });
}

Result<Administration> Service::find_administration(std::string_view code) {
    return impl_->db.read<Administration>([&](Tx& tx) -> Result<Administration> {
        auto row = tx.query_one(std::string(kAdminCols) + " WHERE code = $1", {std::string(code)});
        if (!row) return row.error();
        if (!*row) return errors::not_found("administration " + std::string(code));
        return detail::administration_from(**row);
    });
}

Result<Unit> Service::create_unit(const TenantScope& s, const NewUnit& u) {
    if (auto c = check_code(u.code); !c) return c.error();
    if (auto c = check_text(u.name_ar, 300, "name_ar"); !c) return c.error();
    if (auto c = check_text(u.name_fr, 300, "name_fr"); !c) return c.error();
    auto unit = impl_->db.write<Unit>([&](Tx& tx) -> Result<Unit> {
        if (u.parent_id) {
            // The parent must belong to the same administration: otherwise it does not exist for this caller.
            auto parent = tx.query_one("SELECT 1 FROM units WHERE id = $1 AND administration_id = $2",
                                       {*u.parent_id, s.administration_id()});
            if (!parent) return parent.error();
            if (!*parent) return errors::not_found("parent unit");
        }
        storage::Value parent = u.parent_id ? storage::Value{*u.parent_id} : storage::Value{nullptr};
        auto row = tx.query_one(
            "INSERT INTO units (administration_id, parent_id, code, name_ar, name_fr, created_at) "
            "VALUES ($1, $2, $3, $4, $5, $6) RETURNING id, administration_id, parent_id, code, name_ar, name_fr",
            {s.administration_id(), parent, u.code, u.name_ar, u.name_fr, impl_->clock.now_ms()});
        if (!row) return row.error();
        return detail::unit_from(**row);
    });
    if (!unit) return detail::conflict_as(unit.error(), "unit.code_taken");
    return unit;
}

Result<std::vector<Unit>> Service::list_units(const TenantScope& s) {
    return impl_->db.read<std::vector<Unit>>([&](Tx& tx) -> Result<std::vector<Unit>> {
        auto rows = tx.query(std::string(kUnitCols) + " WHERE administration_id = $1 ORDER BY id", {s.administration_id()});
        if (!rows) return rows.error();
        std::vector<Unit> out;
        for (const auto& r : *rows) out.push_back(detail::unit_from(r));
        return out;
    });
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

}  // namespace idara::identity
