// The identity service: the one entry point through which the web pages, the
// JSON API and the CLI manage administrations, units, accounts, roles,
// sessions and API tokens.
//
// Tenancy: every function that reads or changes administration data (units,
// staff, memberships) takes a TenantScope and filters by it in SQL; a record
// of another administration is reported as not found (resource.not_found),
// never as forbidden, so its existence does not leak. Functions without a
// scope touch only public data (the directory of administrations), the
// caller's own account, or are operator/CLI functions (marked "trusted").
//
// Secrets: session ids and API tokens are returned once to the caller and
// stored only as SHA-256 hashes; passwords only as Argon2id hashes. Nothing
// here logs them.
//
// Thread-safety: a Service may be used from any number of threads.
#pragma once

#include "core/clock.hpp"
#include "core/error.hpp"
#include "identity/password.hpp"
#include "identity/principal.hpp"
#include "identity/throttle.hpp"
#include "storage/db.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace idara::identity {

struct ServiceOptions {
    std::chrono::milliseconds session_idle = std::chrono::minutes(30);
    std::chrono::milliseconds session_absolute = std::chrono::hours(12);
    ThrottleOptions throttle;
    HashLimits hash_limits = HashLimits::interactive();
};

struct Administration {
    std::int64_t id = 0;
    std::string code, name_ar, name_fr, contact_email;
};
struct NewAdministration {
    std::string code, name_ar, name_fr, contact_email;
};

struct Unit {
    std::int64_t id = 0;
    std::int64_t administration_id = 0;
    std::optional<std::int64_t> parent_id;
    std::string code, name_ar, name_fr;
};
struct NewUnit {
    std::string code, name_ar, name_fr;
    std::optional<std::int64_t> parent_id;
};
// The changeable fields of a unit (its code is fixed: register numbers may carry it).
struct UnitUpdate {
    std::string name_ar, name_fr;
    std::optional<std::int64_t> parent_id;  // nullopt: the unit becomes a root
};
// A unit with its depth in the tree (0 for a root), as listed by unit_tree().
struct UnitNode {
    Unit unit;
    int depth = 0;
};

struct NewAccount {
    AccountKind kind = AccountKind::citizen;
    std::string login, display_name, password;
    std::optional<std::string> national_id, company_name;
    i18n::Lang lang = i18n::kDefaultLang;
    // Staff only: the administration (by code), the role and optionally the unit (by code).
    std::optional<std::string> administration_code;
    std::optional<Role> role;
    std::optional<std::string> unit_code;
};

struct AccountSummary {
    std::int64_t id = 0;
    std::string login, display_name;
    AccountKind kind = AccountKind::citizen;
    std::string administration_code;  // staff only
    bool disabled = false;
};

struct StaffMember {
    std::int64_t account_id = 0;
    std::string login, display_name;
    std::vector<Membership> memberships;
    bool disabled = false;
};

struct Session {
    std::string id;          // the cookie value; returned by login() only
    std::string csrf_token;  // to embed in forms / send as X-CSRF-Token
    Principal principal;
};

struct TokenInfo {
    std::int64_t id = 0;
    std::string name, prefix;
    std::int64_t created_at = 0;
    std::optional<std::int64_t> expires_at, revoked_at, last_used_at;
};

class Service {
public:
    Service(storage::Database& db, ServiceOptions o, const Clock& clock = system_clock());
    ~Service();

    // --- Directory of administrations (public data) and operator functions.
    Result<std::int64_t> create_administration(const NewAdministration& a);         // trusted
    Result<std::vector<Administration>> list_administrations();
    Result<Administration> get_administration(std::int64_t id);
    Result<Administration> find_administration(std::string_view code);

    // --- Units of one administration. A parent outside the scope is not found.
    Result<Unit> create_unit(const TenantScope& s, const NewUnit& u);
    // Tree order: every parent before its children, siblings by code.
    Result<std::vector<Unit>> list_units(const TenantScope& s);
    // The same order with each unit's depth (for indented lists).
    Result<std::vector<UnitNode>> unit_tree(const TenantScope& s);
    Result<Unit> get_unit(const TenantScope& s, std::int64_t id);
    Result<Unit> find_unit(const TenantScope& s, std::string_view code);
    // Renames and/or moves a unit; unit.invalid_parent (400) when the new parent is
    // the unit itself or one of its descendants.
    Result<Unit> update_unit(const TenantScope& s, std::int64_t id, const UnitUpdate& u);

    // --- Accounts and staff.
    Result<std::int64_t> create_account(const NewAccount& a);                       // trusted
    // Every account, or the staff of one administration (by code). Trusted: CLI/operator only.
    Result<std::vector<AccountSummary>> list_accounts(const std::optional<std::string>& administration_code);
    Result<std::vector<StaffMember>> list_staff(const TenantScope& s);
    // One staff member of the scope's administration (not found for anyone else).
    Result<StaffMember> get_staff(const TenantScope& s, std::int64_t account_id);
    // Gives a role to a staff member of the scope's administration (membership.exists, 409,
    // when already held). A staff account never joins a second administration.
    Result<Membership> add_membership(const TenantScope& s, std::int64_t account_id, Role role,
                                      std::optional<std::int64_t> unit_id);
    // Takes a role away; membership.last_role (409) for a staff member's only role
    // (disable the account instead), resource.not_found when the scope has no such role.
    Status remove_membership(const TenantScope& s, std::int64_t account_id, Role role,
                             std::optional<std::int64_t> unit_id);
    // Disabling ends every session of the account; its API tokens stop resolving.
    Status set_disabled(std::int64_t account_id, bool disabled);                     // trusted
    // The same for a staff member of the scope's administration (an administration's admin).
    Status set_staff_disabled(const TenantScope& s, std::int64_t account_id, bool disabled);
    Result<Principal> principal_of(std::int64_t account_id);

    // --- Sessions.
    // auth.rate_limited (429) while throttled; auth.invalid_credentials (401) for an
    // unknown login, a wrong password or a disabled account, all alike and in similar time.
    // A stored hash weaker than the configured limits is replaced on a successful sign-in.
    Result<Session> login(std::string_view login, std::string_view password, const std::string& ip,
                          const std::string& user_agent = "");
    // The session for a cookie value; auth.required when unknown, expired or idle too long.
    Result<Session> resolve_session(std::string_view session_id);
    Status logout(std::string_view session_id);
    // Ends every session of the account (sign out everywhere).
    Status logout_all(std::int64_t account_id);
    // Checks the current password (auth.invalid_credentials; throttled like sign-in),
    // the policy (password.*), stores the new hash and ends every session of the account.
    Status change_password(std::int64_t account_id, std::string_view current, std::string_view fresh);
    Status change_password(const Principal& p, std::string_view current, std::string_view fresh);
    // Re-authentication (identity/totp.hpp): checks an enabled account's password, throttled
    // like sign-in (auth.rate_limited, 429) by login and address; auth.invalid_credentials (401)
    // when wrong, auth.required (401) for an unknown or disabled account.
    Status check_password(std::int64_t account_id, std::string_view password, const std::string& ip);

    // --- API tokens ("idara_<prefix>_<secret>"; returned once).
    Result<std::string> create_token(std::int64_t account_id, std::string_view name,
                                     std::optional<std::chrono::milliseconds> ttl);
    Result<std::string> create_token_for_login(std::string_view login, std::string_view name,
                                               std::optional<std::chrono::milliseconds> ttl);   // trusted
    Result<Principal> resolve_token(std::string_view token);
    Result<std::vector<TokenInfo>> list_tokens(std::int64_t account_id);
    Status revoke_token(std::int64_t account_id, std::int64_t token_id);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// Lower-cases and trims a login; invalid logins give account.invalid_login (400).
Result<std::string> normalize_login(std::string_view login);

}  // namespace idara::identity
