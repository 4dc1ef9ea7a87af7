// KeyStore: keys in the tables of migration 0004 (trust_roots, seal_keys), private
// parts sealed with crypto_secretbox (nonce first) under the master key.
//
// Caching: keys_for() caches what it reads, except keys created by a transaction
// that is still open. ensure_keys() marks the keys it creates with a token held by
// the transaction (inside its rollback hook, which the transaction owns until it
// ends); while the token lives, keys_for() serves those keys without caching
// them, so a rollback can never leave them behind in the cache.
#include "trust/key_store.hpp"

#include "core/clock.hpp"
#include "trust/codec.hpp"

#include <openssl/x509.h>
#include <sodium.h>

#include <cstring>
#include <map>
#include <mutex>

namespace idara::trust {

namespace {

constexpr const char* kPlatformOrganisation = "idara";
constexpr const char* kPlatformPrefix = "IDARA";

Error master_key_error(std::string d) { return {"trust.master_key", 500, std::move(d)}; }
Error keygen_error(std::string d) { return {"trust.keygen", 500, std::move(d)}; }
Error corrupt(std::string d) { return errors::internal("trust key record: " + std::move(d)); }

// Wipes a string holding secret bytes when it goes out of scope.
struct Wipe {
    std::string& s;
    ~Wipe() { sodium_memzero(s.data(), s.size()); }
};

storage::Blob seal(const MasterKey& k, std::string_view plain) {
    std::string out(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + plain.size(), '\0');
    auto* o = reinterpret_cast<unsigned char*>(out.data());
    randombytes_buf(o, crypto_secretbox_NONCEBYTES);
    crypto_secretbox_easy(o + crypto_secretbox_NONCEBYTES, reinterpret_cast<const unsigned char*>(plain.data()),
                          plain.size(), o, k.data());
    return storage::Blob{std::move(out)};
}

Result<std::string> open(const MasterKey& k, const storage::Blob& sealed) {
    const auto& c = sealed.bytes;
    if (c.size() < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES)
        return master_key_error("sealed key too short");
    const auto* in = reinterpret_cast<const unsigned char*>(c.data());
    std::string plain(c.size() - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES, '\0');
    if (crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(plain.data()), in + crypto_secretbox_NONCEBYTES,
                                   c.size() - crypto_secretbox_NONCEBYTES, in, k.data()) != 0)
        return master_key_error("the sealed key does not open with this master key");
    return plain;
}

// At most `max` code points of UTF-8 text (certificate name fields are bounded).
std::string utf8_prefix(const std::string& s, std::size_t max) {
    std::size_t i = 0, n = 0;
    while (i < s.size() && n < max) {
        ++i;
        while (i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) ++i;
        ++n;
    }
    return s.substr(0, i);
}

// The administration codes identity accepts: [A-Za-z0-9_-]{1,32} (so kids match qr.hpp's shape).
bool valid_code(const std::string& code) {
    if (code.empty() || code.size() > 32) return false;
    for (char c : code)
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
            return false;
    return true;
}

// The current root CA, decrypted; nullopt when there is none yet.
Result<std::optional<RootCa>> load_root(storage::Tx& tx, const MasterKey& k) {
    auto row = tx.query_one("SELECT cert_pem, key_sealed FROM trust_roots ORDER BY generation DESC LIMIT 1");
    if (!row) return row.error();
    if (!*row) return std::optional<RootCa>{};
    auto der = open(k, (*row)->as_blob(1));
    if (!der) return der.error();
    Wipe w{*der};
    RootCa r;
    r.cert = cert_from_pem((*row)->as_text(0));
    r.key = private_key_from_der(*der);
    if (!r.cert || !r.key || X509_check_private_key(r.cert.get(), r.key.get()) != 1) return corrupt("root CA");
    return std::optional<RootCa>(std::move(r));
}

Result<RootCa> ensure_root(storage::Tx& tx, const MasterKey& k) {
    auto have = load_root(tx, k);
    if (!have) return have.error();
    if (*have) return std::move(**have);
    auto root = make_dev_root(kPlatformOrganisation);
    if (!root) return root.error();
    std::string der = private_key_to_der(root->key.get());
    Wipe w{der};
    if (der.empty()) return keygen_error("root key serialisation");
    // A concurrent first creation loses quietly and uses the winner's root.
    auto ins = tx.exec(
        "INSERT INTO trust_roots (generation, cert_pem, key_sealed, created_at) VALUES (1, $1, $2, $3) "
        "ON CONFLICT DO NOTHING",
        {to_pem(root->cert.get()), seal(k, der), system_clock().now_ms()});
    if (!ins) return ins.error();
    auto again = load_root(tx, k);
    if (!again) return again.error();
    if (!*again) return keygen_error("root CA not stored");
    return std::move(**again);
}

constexpr const char* kIssuingCaName = "idara Issuing CA";

// The current issuing CA, decrypted; nullopt when there is none yet.
Result<std::optional<KeyStore::IssuingCa>> load_issuing(storage::Tx& tx, const MasterKey& k) {
    auto row = tx.query_one("SELECT cert_pem, key_sealed FROM pki_issuing_cas ORDER BY generation DESC LIMIT 1");
    if (!row) return row.error();
    if (!*row) return std::optional<KeyStore::IssuingCa>{};
    auto der = open(k, (*row)->as_blob(1));
    if (!der) return der.error();
    Wipe w{*der};
    KeyStore::IssuingCa ca;
    ca.cert = cert_from_pem((*row)->as_text(0));
    ca.key = private_key_from_der(*der);
    if (!ca.cert || !ca.key || X509_check_private_key(ca.cert.get(), ca.key.get()) != 1) return corrupt("issuing CA");
    return std::optional<KeyStore::IssuingCa>(std::move(ca));
}

Result<KeyStore::IssuingCa> ensure_issuing(storage::Tx& tx, const MasterKey& k) {
    auto root = ensure_root(tx, k);
    if (!root) return root.error();
    auto have = load_issuing(tx, k);
    if (!have) return have.error();
    if (!*have) {
        CertProfile p;
        p.common_name = kIssuingCaName;
        p.organisation = kPlatformOrganisation;
        p.ca = true;
        p.validity_s = 3000L * 24 * 3600;
        auto ca = issue_identity(root->key.get(), root->cert.get(), p);
        if (!ca) return ca.error();
        std::string der = private_key_to_der(ca->key.get());
        Wipe w{der};
        if (der.empty()) return keygen_error("issuing CA key serialisation");
        auto ins = tx.exec(
            "INSERT INTO pki_issuing_cas (generation, cert_pem, key_sealed, created_at) VALUES (1, $1, $2, $3) "
            "ON CONFLICT DO NOTHING",
            {to_pem(ca->cert.get()), seal(k, der), system_clock().now_ms()});
        if (!ins) return ins.error();
        have = load_issuing(tx, k);
        if (!have) return have.error();
        if (!*have) return keygen_error("issuing CA not stored");
    }
    (*have)->root = std::move(root->cert);
    return std::move(**have);
}

}  // namespace

// The cache, shared with the rollback hooks (which may outlive the KeyStore).
struct Cache {
    std::mutex mu;  // guards keys and fresh
    std::map<std::int64_t, std::shared_ptr<const SealKeys>> keys;
    std::map<std::int64_t, std::weak_ptr<void>> fresh;  // keys made by a transaction still open
};

struct KeyStore::Impl {
    explicit Impl(const MasterKey& m) : master(m) {}
    ~Impl() { sodium_memzero(master.data(), master.size()); }

    MasterKey master;
    std::shared_ptr<Cache> cache = std::make_shared<Cache>();
};

KeyStore::KeyStore(storage::Database&, const MasterKey& master) : impl_(std::make_unique<Impl>(master)) {
    codec::sodium_ready();
}

KeyStore::~KeyStore() = default;

Status KeyStore::ensure_keys(storage::Tx& tx, std::int64_t administration_id, const std::string& code,
                             const std::string& name_fr) {
    if (!codec::sodium_ready()) return keygen_error("libsodium did not initialise");
    if (administration_id < 0) return keygen_error("negative administration id");
    const std::string prefix = administration_id == 0 ? kPlatformPrefix : code;
    if (!valid_code(prefix)) return keygen_error("invalid administration code");
    auto existing = tx.query_one(
        "SELECT id, chain_pem, cert_pem, key_sealed FROM seal_keys WHERE administration_id = $1 AND active = 1",
        {administration_id});
    if (!existing) return existing.error();
    if (*existing && !(*existing)->as_text(1).empty()) return {};

    auto ca = ensure_issuing(tx, impl_->master);
    if (!ca) return ca.error();
    if (*existing) return recertify(tx, administration_id, **existing, *ca);
    auto count = tx.query_one("SELECT COUNT(*) FROM seal_keys WHERE administration_id = $1", {administration_id});
    if (!count) return count.error();
    const std::string kid = prefix + "-" + std::to_string((*count)->as_int(0) + 1);

    std::string org = utf8_prefix(name_fr.empty() ? (administration_id == 0 ? kPlatformOrganisation : code) : name_fr, 64);
    CertProfile profile;
    profile.common_name = prefix + " electronic seal";
    profile.organisation = org;
    auto id = issue_identity(ca->key.get(), ca->cert.get(), profile);
    if (!id) return id.error();
    std::string der = private_key_to_der(id->key.get());
    Wipe wd{der};
    if (der.empty()) return keygen_error("seal key serialisation");
    std::array<unsigned char, crypto_sign_PUBLICKEYBYTES> pk{};
    std::string sk(crypto_sign_SECRETKEYBYTES, '\0');
    Wipe ws{sk};
    if (crypto_sign_keypair(pk.data(), reinterpret_cast<unsigned char*>(sk.data())) != 0)
        return keygen_error("Ed25519 key generation failed");
    std::string chain;
    for (const auto& c : id->chain) chain += to_pem(c.get());

    const std::string administration_code = administration_id == 0 ? "" : code;
    auto ins = tx.query(
        "INSERT INTO seal_keys (administration_id, administration_code, kid, cert_pem, chain_pem, key_sealed, "
        "ed25519_pk, ed25519_sk_sealed, created_at, active) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1) "
        "ON CONFLICT DO NOTHING RETURNING id",
        {administration_id, administration_code, kid, to_pem(id->cert.get()), chain, seal(impl_->master, der),
         storage::Blob{std::string(reinterpret_cast<const char*>(pk.data()), pk.size())}, seal(impl_->master, sk),
         system_clock().now_ms()});
    if (!ins) return ins.error();
    if (ins->empty()) {
        // Another transaction made this administration's keys first: fine. Anything else
        // (the kid is taken by another administration) is a conflict.
        auto now = tx.query_one("SELECT kid FROM seal_keys WHERE administration_id = $1 AND active = 1",
                                {administration_id});
        if (!now) return now.error();
        if (*now) return {};
        return Error{"storage.conflict", 409, "key id " + kid + " is taken"};
    }
    // Mark the new keys as uncommitted for as long as this transaction lives.
    mark_fresh(tx, administration_id);
    return {};
}

// A seal certificate the root issued directly (before the issuing CA existed): same key, same
// kid, a new certificate from the issuing CA.
Status KeyStore::recertify(storage::Tx& tx, std::int64_t administration_id, const storage::Row& row,
                           const IssuingCa& ca) {
    auto old = cert_from_pem(row.as_text(2));
    auto der = open(impl_->master, row.as_blob(3));
    if (!der) return der.error();
    Wipe wd{*der};
    auto key = private_key_from_der(*der);
    if (!old || !key) return corrupt("seal identity of administration " + std::to_string(administration_id));
    CertProfile p;
    p.common_name = name_entry(X509_get_subject_name(old.get()), NID_commonName);
    p.organisation = name_entry(X509_get_subject_name(old.get()), NID_organizationName);
    auto cert = issue_certificate(key.get(), ca.key.get(), ca.cert.get(), p);
    if (!cert) return keygen_error("seal re-certification");
    auto up = tx.exec("UPDATE seal_keys SET cert_pem = $1, chain_pem = $2 WHERE id = $3",
                      {to_pem(cert.get()), to_pem(ca.cert.get()), row.as_int(0)});
    if (!up) return up.error();
    mark_fresh(tx, administration_id);
    return {};
}

void KeyStore::mark_fresh(storage::Tx& tx, std::int64_t administration_id) {
    auto token = std::make_shared<int>(0);
    auto& c = *impl_->cache;
    {
        std::lock_guard lk(c.mu);
        c.fresh[administration_id] = token;
        c.keys.erase(administration_id);
    }
    tx.on_rollback([weak = std::weak_ptr<Cache>(impl_->cache), administration_id, token] {
        auto cache = weak.lock();
        if (!cache) return;
        std::lock_guard lk(cache->mu);
        auto it = cache->fresh.find(administration_id);
        if (it != cache->fresh.end() && it->second.lock() == token) cache->fresh.erase(it);
        cache->keys.erase(administration_id);
    });
}

Result<KeyStore::IssuingCa> KeyStore::issuing_ca(storage::Tx& tx) { return ensure_issuing(tx, impl_->master); }

storage::Blob KeyStore::seal_secret(std::string_view plain) const { return seal(impl_->master, plain); }

Result<std::string> KeyStore::open_secret(const storage::Blob& sealed) const { return open(impl_->master, sealed); }

Result<std::shared_ptr<const SealKeys>> KeyStore::keys_for(storage::Tx& tx, std::int64_t administration_id) {
    auto& c = *impl_->cache;
    bool cacheable = true;
    {
        std::lock_guard lk(c.mu);
        if (auto it = c.keys.find(administration_id); it != c.keys.end()) return it->second;
        if (auto it = c.fresh.find(administration_id); it != c.fresh.end()) {
            if (it->second.expired()) c.fresh.erase(it);  // that transaction has ended
            else cacheable = false;
        }
    }
    auto row = tx.query_one(
        "SELECT kid, cert_pem, chain_pem, key_sealed, ed25519_pk, ed25519_sk_sealed FROM seal_keys "
        "WHERE administration_id = $1 AND active = 1",
        {administration_id});
    if (!row) return row.error();
    if (!*row) return Error{"trust.no_keys", 500, "no keys for administration " + std::to_string(administration_id)};
    const auto& r = **row;
    auto der = open(impl_->master, r.as_blob(3));
    if (!der) return der.error();
    Wipe wd{*der};
    auto sk = open(impl_->master, r.as_blob(5));
    if (!sk) return sk.error();
    Wipe ws{*sk};
    const std::string pk = r.as_blob(4).bytes;

    auto keys = std::make_shared<SealKeys>();
    keys->kid = r.as_text(0);
    keys->identity.cert = cert_from_pem(r.as_text(1));
    keys->identity.chain = certs_from_pem(r.as_text(2));
    keys->identity.key = private_key_from_der(*der);
    if (!keys->identity.cert || !keys->identity.key ||
        X509_check_private_key(keys->identity.cert.get(), keys->identity.key.get()) != 1)
        return corrupt("seal identity of " + keys->kid);
    if (sk->size() != keys->ed25519_sk.size() || pk.size() != keys->ed25519_pk.size() ||
        std::memcmp(sk->data() + 32, pk.data(), 32) != 0)
        return corrupt("Ed25519 key of " + keys->kid);
    std::memcpy(keys->ed25519_sk.data(), sk->data(), keys->ed25519_sk.size());
    std::memcpy(keys->ed25519_pk.data(), pk.data(), keys->ed25519_pk.size());

    std::shared_ptr<const SealKeys> out = std::move(keys);
    if (cacheable) {
        std::lock_guard lk(c.mu);
        // Re-check: ensure_keys may have marked this administration meanwhile.
        auto it = c.fresh.find(administration_id);
        if (it == c.fresh.end() || it->second.expired()) c.keys.emplace(administration_id, out);
    }
    return out;
}

Result<std::vector<PublicKey>> KeyStore::public_keys(storage::Tx& tx) {
    auto rows = tx.query("SELECT kid, administration_code, ed25519_pk, created_at, active FROM seal_keys ORDER BY id");
    if (!rows) return rows.error();
    std::vector<PublicKey> out;
    for (const auto& r : *rows) {
        PublicKey k;
        k.kid = r.as_text(0);
        k.administration_code = r.as_text(1);
        const std::string pk = r.as_blob(2).bytes;
        if (pk.size() != k.ed25519_pk.size()) return corrupt("public key of " + k.kid);
        std::memcpy(k.ed25519_pk.data(), pk.data(), pk.size());
        k.created_at_ms = r.as_int(3);
        k.active = r.as_int(4) != 0;
        out.push_back(std::move(k));
    }
    return out;
}

Result<std::vector<std::string>> KeyStore::trust_anchors_pem(storage::Tx& tx) {
    auto rows = tx.query("SELECT cert_pem FROM trust_roots ORDER BY generation");
    if (!rows) return rows.error();
    std::vector<std::string> out;
    for (const auto& r : *rows) out.push_back(r.as_text(0));
    return out;
}

MasterKey random_master_key() {
    codec::sodium_ready();
    MasterKey k{};
    randombytes_buf(k.data(), k.size());
    return k;
}

std::string master_key_to_text(const MasterKey& k) {
    return codec::b64_encode(std::string_view(reinterpret_cast<const char*>(k.data()), k.size()));
}

Result<MasterKey> master_key_from_text(std::string_view text) {
    // Key files usually end with a newline: surrounding ASCII whitespace is ignored.
    while (!text.empty() && std::strchr(" \t\r\n", text.front()) != nullptr) text.remove_prefix(1);
    while (!text.empty() && std::strchr(" \t\r\n", text.back()) != nullptr) text.remove_suffix(1);
    auto bytes = codec::b64_decode(text);
    if (!bytes || bytes->size() != MasterKey{}.size()) {
        if (bytes) sodium_memzero(bytes->data(), bytes->size());
        return master_key_error("the master key is not 32 bytes in base64");
    }
    MasterKey k{};
    std::memcpy(k.data(), bytes->data(), k.size());
    sodium_memzero(bytes->data(), bytes->size());
    return k;
}

}  // namespace idara::trust
