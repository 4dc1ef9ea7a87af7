// identity::Service: sign-in, sessions, password change, API tokens.
#include "identity/service_impl.hpp"

#include "core/random.hpp"

namespace idara::identity {

using storage::Tx;
using storage::Value;

namespace {

constexpr std::int64_t kTouchEveryMs = 60 * 1000;  // sliding idle expiry is refreshed at most once a minute

Error invalid_credentials() { return Error{"auth.invalid_credentials", 401}; }

struct Credentials {
    std::int64_t id = 0;
    std::string hash;
    bool disabled = false;
};

}  // namespace

Result<Session> Service::login(std::string_view login_in, std::string_view password, const std::string& ip,
                               const std::string& user_agent) {
    auto& im = *impl_;
    auto login = normalize_login(login_in);
    const std::string key = login ? *login : std::string(login_in.substr(0, 64));
    if (auto t = im.throttle.check(key, ip); !t) return t.error();
    if (password.size() > 1024) return invalid_credentials();

    auto cred = im.db.read<std::optional<Credentials>>([&](Tx& tx) -> Result<std::optional<Credentials>> {
        if (!login) return std::optional<Credentials>{};
        auto row = tx.query_one("SELECT id, password_hash, disabled FROM accounts WHERE login = $1", {*login});
        if (!row) return row.error();
        if (!*row) return std::optional<Credentials>{};
        return std::optional<Credentials>{Credentials{(*row)->as_int(0), (*row)->as_text(1), (*row)->as_int(2) != 0}};
    });
    if (!cred) return cred.error();
    // Unknown logins cost one verification too, so timing does not tell them apart.
    const bool ok = verify_password(password, *cred ? (*cred)->hash : im.dummy_hash) && *cred && !(*cred)->disabled;
    if (!ok) {
        im.throttle.record_failure(key, ip);
        return invalid_credentials();
    }
    im.throttle.record_success(key);

    Session s;
    s.id = random::url_token(32);
    s.csrf_token = random::url_token(32);
    const std::int64_t now = im.clock.now_ms();
    const std::int64_t account = (*cred)->id;
    auto p = im.db.write<Principal>([&](Tx& tx) -> Result<Principal> {
        auto r = tx.exec(
            "INSERT INTO sessions (token_hash, account_id, csrf_token, created_at, expires_at, last_seen_at, ip, user_agent) "
            "VALUES ($1, $2, $3, $4, $5, $4, $6, $7)",
            {random::sha256_hex(s.id), account, s.csrf_token, now, now + im.opts.session_absolute.count(), ip,
             user_agent.substr(0, 300)});
        if (!r) return r.error();
        // Opportunistic clean-up of this account's expired sessions.
        if (auto d = tx.exec("DELETE FROM sessions WHERE account_id = $1 AND expires_at <= $2", {account, now}); !d)
            return d.error();
        return detail::load_principal(tx, account);
    });
    if (!p) return p.error();
    s.principal = std::move(*p);
    return s;
}

Result<Session> Service::resolve_session(std::string_view session_id) {
    auto& im = *impl_;
    if (session_id.empty() || session_id.size() > 128) return errors::unauthenticated("no session");
    const std::string hash = random::sha256_hex(session_id);
    const std::int64_t now = im.clock.now_ms();
    struct Found {
        Session s;
        std::int64_t last_seen;
    };
    auto found = im.db.read<Found>([&](Tx& tx) -> Result<Found> {
        auto row = tx.query_one("SELECT account_id, csrf_token, expires_at, last_seen_at FROM sessions WHERE token_hash = $1",
                                {hash});
        if (!row) return row.error();
        if (!*row) return errors::unauthenticated("unknown session");
        const auto& r = **row;
        if (r.as_int(2) <= now || r.as_int(3) + im.opts.session_idle.count() <= now)
            return errors::unauthenticated("session expired");
        auto p = detail::load_principal(tx, r.as_int(0));
        if (!p) return p.error();
        return Found{Session{std::string(session_id), r.as_text(1), std::move(*p)}, r.as_int(3)};
    });
    if (!found) return found.error();
    if (now - found->last_seen >= kTouchEveryMs) {
        auto t = im.db.write_tx([&](Tx& tx) -> Status {
            auto r = tx.exec("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2", {now, hash});
            if (!r) return r.error();
            return {};
        });
        if (!t) return t.error();
    }
    return std::move(found->s);
}

Status Service::logout(std::string_view session_id) {
    const std::string hash = random::sha256_hex(session_id);
    return impl_->db.write_tx([&](Tx& tx) -> Status {
        auto r = tx.exec("DELETE FROM sessions WHERE token_hash = $1", {hash});
        if (!r) return r.error();
        return {};
    });
}

Status Service::change_password(std::int64_t account_id, std::string_view current, std::string_view fresh) {
    auto& im = *impl_;
    auto row = im.db.read<std::pair<std::string, std::string>>([&](Tx& tx) -> Result<std::pair<std::string, std::string>> {
        auto r = tx.query_one("SELECT login, password_hash FROM accounts WHERE id = $1 AND disabled = 0", {account_id});
        if (!r) return r.error();
        if (!*r) return errors::unauthenticated("account");
        return std::pair{(*r)->as_text(0), (*r)->as_text(1)};
    });
    if (!row) return row.error();
    if (auto t = im.throttle.check(row->first, ""); !t) return t.error();
    if (!verify_password(current, row->second)) {
        im.throttle.record_failure(row->first, "");
        return invalid_credentials();
    }
    if (auto p = check_policy(fresh, row->first); !p) return p.error();
    auto hash = hash_password(fresh, im.opts.hash_limits);
    if (!hash) return hash.error();
    return im.db.write_tx([&](Tx& tx) -> Status {
        auto u = tx.exec("UPDATE accounts SET password_hash = $1, password_changed_at = $2 WHERE id = $3",
                         {*hash, im.clock.now_ms(), account_id});
        if (!u) return u.error();
        // Every session of the account ends: whoever knew the old password is signed out.
        auto d = tx.exec("DELETE FROM sessions WHERE account_id = $1", {account_id});
        if (!d) return d.error();
        return {};
    });
}

Result<std::string> Service::create_token(std::int64_t account_id, std::string_view name,
                                          std::optional<std::chrono::milliseconds> ttl) {
    if (name.empty() || name.size() > 100) return errors::bad_request("token name");
    const std::string prefix = random::hex_token(4);
    const std::string token = "idara_" + prefix + "_" + random::url_token(32);
    const std::int64_t now = impl_->clock.now_ms();
    auto s = impl_->db.write_tx([&](Tx& tx) -> Status {
        auto acc = tx.query_one("SELECT 1 FROM accounts WHERE id = $1 AND disabled = 0", {account_id});
        if (!acc) return acc.error();
        if (!*acc) return errors::not_found("account");
        auto r = tx.exec(
            "INSERT INTO api_tokens (account_id, name, prefix, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)",
            {account_id, std::string(name), prefix, random::sha256_hex(token), now,
             ttl ? Value{now + ttl->count()} : Value{nullptr}});
        if (!r) return r.error();
        return {};
    });
    if (!s) return s.error();
    return token;
}

Result<std::string> Service::create_token_for_login(std::string_view login, std::string_view name,
                                                    std::optional<std::chrono::milliseconds> ttl) {
    auto norm = normalize_login(login);
    if (!norm) return norm.error();
    auto id = impl_->db.read<std::int64_t>([&](Tx& tx) -> Result<std::int64_t> {
        auto r = tx.query_one("SELECT id FROM accounts WHERE login = $1", {*norm});
        if (!r) return r.error();
        if (!*r) return errors::not_found("account " + *norm);
        return (*r)->as_int(0);
    });
    if (!id) return id.error();
    return create_token(*id, name, ttl);
}

Result<Principal> Service::resolve_token(std::string_view token) {
    if (token.size() < 20 || token.size() > 128 || token.substr(0, 6) != "idara_") return errors::unauthenticated("token format");
    const std::string hash = random::sha256_hex(token);
    const std::int64_t now = impl_->clock.now_ms();
    std::int64_t token_id = 0, last_used = 0;
    auto p = impl_->db.read<Principal>([&](Tx& tx) -> Result<Principal> {
        auto r = tx.query_one(
            "SELECT id, account_id, expires_at, revoked_at, last_used_at FROM api_tokens WHERE token_hash = $1", {hash});
        if (!r) return r.error();
        if (!*r) return errors::unauthenticated("unknown token");
        const auto& row = **r;
        if (!row.is_null(3)) return errors::unauthenticated("revoked token");
        if (auto exp = row.opt_int(2); exp && *exp <= now) return errors::unauthenticated("expired token");
        token_id = row.as_int(0);
        last_used = row.opt_int(4).value_or(0);
        auto pr = detail::load_principal(tx, row.as_int(1));
        if (pr) pr->via_token = true;
        return pr;
    });
    if (!p) return p.error();
    if (now - last_used >= kTouchEveryMs) {
        (void)impl_->db.write_tx([&](Tx& tx) -> Status {
            auto r = tx.exec("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2", {now, token_id});
            if (!r) return r.error();
            return {};
        });
    }
    return p;
}

Result<std::vector<TokenInfo>> Service::list_tokens(std::int64_t account_id) {
    return impl_->db.read<std::vector<TokenInfo>>([&](Tx& tx) -> Result<std::vector<TokenInfo>> {
        auto rows = tx.query(
            "SELECT id, name, prefix, created_at, expires_at, revoked_at, last_used_at FROM api_tokens "
            "WHERE account_id = $1 ORDER BY id",
            {account_id});
        if (!rows) return rows.error();
        std::vector<TokenInfo> out;
        for (const auto& r : *rows)
            out.push_back(TokenInfo{r.as_int(0), r.as_text(1), r.as_text(2), r.as_int(3), r.opt_int(4), r.opt_int(5), r.opt_int(6)});
        return out;
    });
}

Status Service::revoke_token(std::int64_t account_id, std::int64_t token_id) {
    return impl_->db.write_tx([&](Tx& tx) -> Status {
        auto r = tx.exec("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND account_id = $3 AND revoked_at IS NULL",
                         {impl_->clock.now_ms(), token_id, account_id});
        if (!r) return r.error();
        if (*r == 0) return errors::not_found("token");
        return {};
    });
}

}  // namespace idara::identity
