// Internal to the identity module: the state behind identity::Service and
// helpers shared by its implementation files.
#pragma once

#include "identity/service.hpp"

namespace idara::identity {

struct Service::Impl {
    Impl(storage::Database& d, ServiceOptions o, const Clock& c);
    storage::Database& db;
    ServiceOptions opts;
    const Clock& clock;
    LoginThrottle throttle;
    std::string dummy_hash;  // verified against for unknown logins, to equalise timing
};

namespace detail {

Unit unit_from(const storage::Row& r);                 // id, administration_id, parent_id, code, name_ar, name_fr
Administration administration_from(const storage::Row& r);  // id, code, name_ar, name_fr, contact_email
// Loads the principal of an account inside a transaction (auth.required if absent or disabled).
Result<Principal> load_principal(storage::Tx& tx, std::int64_t account_id);
// Maps a storage conflict to a domain code (e.g. unit.code_taken), leaving other errors as they are.
Error conflict_as(const Error& e, std::string code);

}  // namespace detail
}  // namespace idara::identity
