// identity::Service: construction, the directory of administrations.
#include "identity/service_impl.hpp"

#include "core/random.hpp"
#include "core/utf8.hpp"

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

bool valid_utf8(std::string_view s) { return utf8::valid(s); }

Status check_text(std::string_view value, std::size_t max, const char* field) {
    if (value.empty() || value.size() > max || !valid_utf8(value)) return errors::bad_request(std::string("invalid ") + field);
    return {};
}

Status check_code(std::string_view code) {
    if (code.empty() || code.size() > 32) return errors::bad_request("invalid code");
    for (char c : code)
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
            return errors::bad_request("invalid code");
    return {};
}

}  // namespace detail

namespace {
constexpr const char* kAdminCols = "SELECT id, code, name_ar, name_fr, contact_email FROM administrations";
}  // namespace

Result<std::int64_t> Service::create_administration(const NewAdministration& a) {
    if (auto s = detail::check_code(a.code); !s) return s.error();
    if (auto s = detail::check_text(a.name_ar, 300, "name_ar"); !s) return s.error();
    if (auto s = detail::check_text(a.name_fr, 300, "name_fr"); !s) return s.error();
    if (a.contact_email.size() > 254 || !detail::valid_utf8(a.contact_email)) return errors::bad_request("contact_email");
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

}  // namespace idara::identity
