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

// Sliding "last seen/used" times are written at most once a minute.
inline constexpr std::int64_t kTouchEveryMs = 60 * 1000;

Unit unit_from(const storage::Row& r);                 // id, administration_id, parent_id, code, name_ar, name_fr
Administration administration_from(const storage::Row& r);  // id, code, name_ar, name_fr, contact_email
// Loads the principal of an account inside a transaction (auth.required if absent or disabled).
Result<Principal> load_principal(storage::Tx& tx, std::int64_t account_id);
// Maps a storage conflict to a domain code (e.g. unit.code_taken), leaving other errors as they are.
Error conflict_as(const Error& e, std::string code);
// Input checks (request.invalid, 400): a non-empty, well-formed UTF-8 text of at most
// `max` bytes; a code of 1-32 ASCII letters, digits, '-' and '_'.
Status check_text(std::string_view value, std::size_t max, const char* field);
Status check_code(std::string_view code);
// True when `s` is well-formed UTF-8 without NUL (PostgreSQL refuses anything else in TEXT).
bool valid_utf8(std::string_view s);
// Ends every session of an account inside a transaction.
Status delete_sessions(storage::Tx& tx, std::int64_t account_id);

}  // namespace detail
}  // namespace idara::identity
