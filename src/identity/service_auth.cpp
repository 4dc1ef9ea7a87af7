// identity::Service: sign-in, sessions, password change.
#include "identity/service_impl.hpp"

#include "core/log.hpp"
#include "core/random.hpp"

namespace idara::identity {

using storage::Tx;

namespace {

Error invalid_credentials() { return Error{"auth.invalid_credentials", 401}; }

struct Credentials {
    std::int64_t id = 0;
    std::string hash;
    bool disabled = false;
};

// Request metadata kept with a session: printable ASCII only (PostgreSQL rejects invalid
// UTF-8, and nobody needs more to recognise a device), at most `max` bytes.
std::string printable(std::string_view s, std::size_t max) {
    std::string out;
    for (char c : s.substr(0, max)) out += (c >= 0x20 && c <= 0x7e) ? c : '?';
    return out;
}

Result<std::optional<Credentials>> read_credentials(storage::Database& db, const std::optional<std::string>& login) {
    if (!login) return std::optional<Credentials>{};
    return db.read<std::optional<Credentials>>([&](Tx& tx) -> Result<std::optional<Credentials>> {
        auto row = tx.query_one("SELECT id, password_hash, disabled FROM accounts WHERE login = $1", {*login});
        if (!row) return row.error();
        if (!*row) return std::optional<Credentials>{};
        return std::optional<Credentials>{Credentials{(*row)->as_int(0), (*row)->as_text(1), (*row)->as_int(2) != 0}};
    });
}

}  // namespace

Result<Session> Service::login(std::string_view login_in, std::string_view password, const std::string& ip,
                               const std::string& user_agent) {
    auto& im = *impl_;
    auto norm = normalize_login(login_in);
    const std::optional<std::string> login = norm ? std::optional<std::string>(*norm) : std::nullopt;
    const std::string key = login ? *login : printable(login_in, 64);
    if (auto t = im.throttle.check(key, ip); !t) return t.error();
    if (password.size() > 1024) return invalid_credentials();

    auto cred = read_credentials(im.db, login);
    if (!cred) return cred.error();
    // Unknown logins cost one verification too, so timing does not tell them apart.
    const bool ok = verify_password(password, *cred ? (*cred)->hash : im.dummy_hash) && *cred && !(*cred)->disabled;
    if (!ok) {
        im.throttle.record_failure(key, ip);
        return invalid_credentials();
    }
    im.throttle.record_success(key);
    const Credentials& c = **cred;
    // Hashed before the write transaction, which must stay short.
    std::optional<std::string> upgraded;
    if (needs_rehash(c.hash, im.opts.hash_limits))
        if (auto h = hash_password(password, im.opts.hash_limits)) upgraded = std::move(*h);

    Session s;
    s.id = random::url_token(32);
    s.csrf_token = random::url_token(32);
    const std::int64_t now = im.clock.now_ms();
    auto p = im.db.write<Principal>([&](Tx& tx) -> Result<Principal> {
        auto r = tx.exec(
            "INSERT INTO sessions (token_hash, account_id, csrf_token, created_at, expires_at, last_seen_at, ip, user_agent) "
            "VALUES ($1, $2, $3, $4, $5, $4, $6, $7)",
            {random::sha256_hex(s.id), c.id, s.csrf_token, now, now + im.opts.session_absolute.count(),
             printable(ip, 64), printable(user_agent, 300)});
        if (!r) return r.error();
        // Opportunistic clean-up of this account's expired sessions.
        if (auto d = tx.exec("DELETE FROM sessions WHERE account_id = $1 AND expires_at <= $2", {c.id, now}); !d)
            return d.error();
        if (upgraded) {  // only if the password did not change meanwhile
            auto u = tx.exec("UPDATE accounts SET password_hash = $1 WHERE id = $2 AND password_hash = $3",
                             {*upgraded, c.id, c.hash});
            if (!u) return u.error();
        }
        return detail::load_principal(tx, c.id);
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
    if (now - found->last_seen >= detail::kTouchEveryMs) {
        // Best effort: a failed touch only brings the idle limit nearer.
        auto t = im.db.write_tx([&](Tx& tx) -> Status {
            auto r = tx.exec("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2", {now, hash});
            if (!r) return r.error();
            return {};
        });
        if (!t) log::warn("identity.session_touch_failed", {{"code", t.error().code}});
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

Status Service::logout_all(std::int64_t account_id) {
    return impl_->db.write_tx([&](Tx& tx) { return detail::delete_sessions(tx, account_id); });
}

Status Service::change_password(const Principal& p, std::string_view current, std::string_view fresh) {
    return change_password(p.account_id, current, fresh);
}

Status Service::check_password(std::int64_t account_id, std::string_view password, const std::string& ip) {
    auto& im = *impl_;
    auto row = im.db.read<std::pair<std::string, std::string>>([&](Tx& tx) -> Result<std::pair<std::string, std::string>> {
        auto r = tx.query_one("SELECT login, password_hash FROM accounts WHERE id = $1 AND disabled = 0", {account_id});
        if (!r) return r.error();
        if (!*r) return errors::unauthenticated("account");
        return std::pair{(*r)->as_text(0), (*r)->as_text(1)};
    });
    if (!row) return row.error();
    if (auto t = im.throttle.check(row->first, ip); !t) return t.error();
    if (password.size() > 1024 || !verify_password(password, row->second)) {
        im.throttle.record_failure(row->first, ip);
        return invalid_credentials();
    }
    im.throttle.record_success(row->first);
    return {};
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
    if (current.size() > 1024 || !verify_password(current, row->second)) {
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
        return detail::delete_sessions(tx, account_id);
    });
}

}  // namespace idara::identity
