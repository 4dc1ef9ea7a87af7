// identity::Service: API tokens ("idara_<prefix>_<secret>"), stored as SHA-256 hashes.
#include "identity/service_impl.hpp"

#include "core/random.hpp"

namespace idara::identity {

using storage::Tx;
using storage::Value;

Result<std::string> Service::create_token(std::int64_t account_id, std::string_view name,
                                          std::optional<std::chrono::milliseconds> ttl) {
    if (name.empty() || name.size() > 100 || !detail::valid_utf8(name)) return errors::bad_request("token name");
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
    if (now - last_used >= detail::kTouchEveryMs) {
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
