// Pki: identities, imports (trust/pki.hpp). Revocation, CRL and listing: pki_crl.cpp.
//
// Identities are read from the database and checked (trust/cert_check.hpp) on every call:
// decrypting a P-256 key and verifying a three-certificate chain cost far less than the
// signature they are for, and nothing stale can be served after a revocation or a rollback.
#include "trust/pki.hpp"

#include "trust/cert_check.hpp"
#include "trust/pki_internal.hpp"

#include <openssl/err.h>
#include <openssl/pkcs12.h>
#include <openssl/x509v3.h>

namespace idara::trust {

using pki_detail::Wipe;

namespace {

Error keygen(std::string d) { return {"trust.keygen", 500, std::move(d)}; }
Error corrupt(std::string d) { return errors::internal("pki record: " + std::move(d)); }
Error pkcs12_error(std::string d) { return {"trust.pkcs12", 422, std::move(d)}; }

const char* kind_name(Owner::Kind k) { return k == Owner::Kind::account ? "account" : "administration"; }

std::shared_ptr<SigningIdentity> dup(const SigningIdentity& id) {
    auto out = std::make_shared<SigningIdentity>();
    EVP_PKEY_up_ref(id.key.get());
    out->key.reset(id.key.get());
    X509_up_ref(id.cert.get());
    out->cert.reset(id.cert.get());
    for (const auto& c : id.chain) {
        X509_up_ref(c.get());
        out->chain.emplace_back(c.get());
    }
    return out;
}

}  // namespace

struct Pki::Impl : pki_detail::Impl {
    // Stores a certificate row for an owner/purpose. A concurrent first issuance for the same owner
    // loses quietly (the unique index keeps one active row); callers read the row back.
    Status store(storage::Tx& tx, const char* owner_kind, std::int64_t owner_id, const char* purpose,
                 const char* source, const SigningIdentity& id) {
        std::string der = private_key_to_der(id.key.get());
        Wipe w{der};
        if (der.empty()) return keygen("key serialisation");
        std::string chain;
        for (const auto& c : id.chain) chain += to_pem(c.get());
        auto ins = tx.exec(
            "INSERT INTO pki_certs (owner_kind, owner_id, purpose, source, sha256, serial, subject, issuer, not_before, "
            "not_after, cert_pem, chain_pem, key_sealed, status, created_at) "
            "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 'active', $14) ON CONFLICT DO NOTHING",
            {std::string(owner_kind), owner_id, std::string(purpose), std::string(source), cert_sha256_hex(id.cert.get()),
             cert_serial_hex(id.cert.get()), name_rfc2253(X509_get_subject_name(id.cert.get())),
             name_rfc2253(X509_get_issuer_name(id.cert.get())), asn1_time_ms(X509_get0_notBefore(id.cert.get())),
             asn1_time_ms(X509_get0_notAfter(id.cert.get())), to_pem(id.cert.get()), chain, keys.seal_secret(der),
             clock.now_ms()});
        if (!ins) return ins.error();
        return {};
    }

    // The active row for owner/purpose, an import first; nullptr when none.
    Result<std::shared_ptr<SigningIdentity>> load(storage::Tx& tx, const char* owner_kind, std::int64_t owner_id,
                                                  const char* purpose) {
        auto row = tx.query_one(
            "SELECT cert_pem, chain_pem, key_sealed FROM pki_certs WHERE owner_kind = $1 AND owner_id = $2 AND "
            "purpose = $3 AND status = 'active' ORDER BY CASE source WHEN 'pkcs12' THEN 0 ELSE 1 END, id DESC LIMIT 1",
            {std::string(owner_kind), owner_id, std::string(purpose)});
        if (!row) return row.error();
        if (!*row) return std::shared_ptr<SigningIdentity>{};
        auto der = keys.open_secret((*row)->as_blob(2));
        if (!der) return der.error();
        Wipe w{*der};
        auto id = std::make_shared<SigningIdentity>();
        id->cert = cert_from_pem((*row)->as_text(0));
        id->chain = certs_from_pem((*row)->as_text(1));
        id->key = private_key_from_der(*der);
        if (!id->cert || !id->key || X509_check_private_key(id->cert.get(), id->key.get()) != 1)
            return corrupt(std::string(purpose) + " identity");
        return id;
    }

    // Revoked by the platform (pki_revocations), for the identity's certificate or its chain.
    Status not_revoked(storage::Tx& tx, const SigningIdentity& id) {
        std::vector<X509*> all{id.cert.get()};
        for (const auto& c : id.chain) all.push_back(c.get());
        for (X509* c : all) {
            auto row = tx.query_one("SELECT reason FROM pki_revocations WHERE cert_sha256 = $1", {cert_sha256_hex(c)});
            if (!row) return row.error();
            if (*row) return Error{"trust.cert_revoked", 422, "revoked by the platform"};
        }
        return {};
    }

    Result<std::vector<std::string>> anchors(storage::Tx& tx) {
        auto a = keys.trust_anchors_pem(tx);
        if (!a) return a.error();
        for (const auto& e : options.extra_anchors_pem) a->push_back(e);
        return a;
    }

    Status check(storage::Tx& tx, const SigningIdentity& id, CertPurpose purpose) {
        if (auto s = not_revoked(tx, id); !s) return s;
        auto a = anchors(tx);
        if (!a) return a.error();
        CertCheckOptions o;
        o.anchors_pem = std::move(*a);
        o.ocsp = options.ocsp;
        o.ocsp_timeout_ms = options.ocsp_timeout_ms;
        std::vector<X509*> chain;
        for (const auto& c : id.chain) chain.push_back(c.get());
        return check_certificate(id.cert.get(), chain, purpose, clock.now_ms(), o);
    }

    Result<SigningIdentity> issue(storage::Tx& tx, const CertProfile& p) {
        auto ca = keys.issuing_ca(tx);
        if (!ca) return ca.error();
        return issue_identity(ca->key.get(), ca->cert.get(), p);
    }

    Status ensure_tsa(storage::Tx& tx) {
        auto have = load(tx, "platform", 0, "tsa");
        if (!have) return have.error();
        if (*have) return {};
        CertProfile p;
        p.common_name = options.platform_name + " Time-Stamping Authority";
        p.organisation = options.platform_name;
        p.key_usage = "critical,digitalSignature,nonRepudiation";
        p.ext_key_usage = "critical,timeStamping";
        auto id = issue(tx, p);
        if (!id) return id.error();
        return store(tx, "platform", 0, "tsa", "dev", *id);
    }
};

Pki::Pki(storage::Database& db, KeyStore& keys, PkiOptions options, const Clock& clock)
    : impl_(std::make_unique<Impl>(Impl{{db, keys, std::move(options), clock}})) {}

Pki::~Pki() = default;

const PkiOptions& Pki::options() const { return impl_->options; }

Status Pki::ensure_dev_hierarchy(storage::Tx& tx) {
    if (auto s = impl_->keys.ensure_keys(tx, 0, "IDARA", impl_->options.platform_name); !s) return s;
    return impl_->ensure_tsa(tx);
}

Result<std::shared_ptr<const SigningIdentity>> Pki::signer_identity(storage::Tx& tx, std::int64_t account_id) {
    auto have = impl_->load(tx, "account", account_id, "signing");
    if (!have) return have.error();
    if (!*have) {
        auto who = tx.query_one(
            "SELECT a.display_name, COALESCE((SELECT ad.name_fr FROM memberships m JOIN administrations ad "
            "ON ad.id = m.administration_id WHERE m.account_id = a.id ORDER BY m.id LIMIT 1), '') "
            "FROM accounts a WHERE a.id = $1",
            {account_id});
        if (!who) return who.error();
        if (!*who) return Error{"trust.no_owner", 404, "no account " + std::to_string(account_id)};
        CertProfile p;
        p.common_name = (*who)->as_text(0).substr(0, 64);
        p.organisation = (*who)->as_text(1).empty() ? impl_->options.platform_name : (*who)->as_text(1).substr(0, 64);
        auto id = impl_->issue(tx, p);
        if (!id) return id.error();
        if (auto s = impl_->store(tx, "account", account_id, "signing", "dev", *id); !s) return s.error();
        have = impl_->load(tx, "account", account_id, "signing");
        if (!have) return have.error();
        if (!*have) return corrupt("signing identity not stored");
    }
    if (auto s = impl_->check(tx, **have, CertPurpose::signing); !s) return s.error();
    return std::shared_ptr<const SigningIdentity>(std::move(*have));
}

Result<std::shared_ptr<const SigningIdentity>> Pki::seal_identity(storage::Tx& tx, std::int64_t administration_id) {
    auto have = impl_->load(tx, administration_id == 0 ? "platform" : "administration", administration_id, "seal");
    if (!have) return have.error();
    if (!*have) {
        auto k = impl_->keys.keys_for(tx, administration_id);
        if (!k) {
            auto adm = tx.query_one("SELECT code, name_fr FROM administrations WHERE id = $1", {administration_id});
            if (!adm) return adm.error();
            if (!*adm && administration_id != 0)
                return Error{"trust.no_owner", 404, "no administration " + std::to_string(administration_id)};
            const std::string code = *adm ? (*adm)->as_text(0) : "IDARA";
            const std::string name = *adm ? (*adm)->as_text(1) : impl_->options.platform_name;
            if (auto s = impl_->keys.ensure_keys(tx, administration_id, code, name); !s) return s.error();
            k = impl_->keys.keys_for(tx, administration_id);
            if (!k) return k.error();
        }
        have = dup((*k)->identity);
    }
    if (auto s = impl_->check(tx, **have, CertPurpose::seal); !s) return s.error();
    return std::shared_ptr<const SigningIdentity>(std::move(*have));
}

Result<std::shared_ptr<const SigningIdentity>> Pki::tsa_identity(storage::Tx& tx) {
    if (auto s = impl_->ensure_tsa(tx); !s) return s.error();
    auto have = impl_->load(tx, "platform", 0, "tsa");
    if (!have) return have.error();
    if (!*have) return corrupt("TSA identity not stored");
    if (auto s = impl_->check(tx, **have, CertPurpose::tsa); !s) return s.error();
    return std::shared_ptr<const SigningIdentity>(std::move(*have));
}

Status Pki::import_pkcs12(storage::Tx& tx, Owner owner, std::string_view p12, std::string_view password) {
    const auto* p = reinterpret_cast<const unsigned char*>(p12.data());
    PKCS12* pk = p12.size() < (1 << 20) ? d2i_PKCS12(nullptr, &p, static_cast<long>(p12.size())) : nullptr;
    if (pk == nullptr) {
        ERR_clear_error();
        return pkcs12_error("not a PKCS#12 file");
    }
    EVP_PKEY* key = nullptr;
    X509* cert = nullptr;
    STACK_OF(X509)* ca = nullptr;
    const std::string pass(password);
    const int ok = PKCS12_parse(pk, pass.c_str(), &key, &cert, &ca);
    PKCS12_free(pk);
    ERR_clear_error();
    SigningIdentity id;
    id.key.reset(key);
    id.cert.reset(cert);
    for (int i = 0; ca != nullptr && i < sk_X509_num(ca); ++i) {
        X509* c = sk_X509_value(ca, i);
        if (X509_check_issued(c, c) == X509_V_OK) {
            X509_free(c);  // a root in the file is not an anchor: anchors come from the configuration
            continue;
        }
        id.chain.emplace_back(c);
    }
    sk_X509_free(ca);
    if (ok != 1) return pkcs12_error("wrong password or damaged PKCS#12");
    if (!id.key || !id.cert) return pkcs12_error("the PKCS#12 holds no key and certificate");
    if (X509_check_private_key(id.cert.get(), id.key.get()) != 1) {
        ERR_clear_error();
        return pkcs12_error("the key does not match the certificate");
    }
    const char* kind = kind_name(owner.kind);
    auto exists = tx.query_one(owner.kind == Owner::Kind::account ? "SELECT id FROM accounts WHERE id = $1"
                                                                  : "SELECT id FROM administrations WHERE id = $1",
                               {owner.id});
    if (!exists) return exists.error();
    if (!*exists) return Error{"trust.no_owner", 404, std::string("no ") + kind + " " + std::to_string(owner.id)};
    const char* purpose = owner.kind == Owner::Kind::account ? "signing" : "seal";
    if (auto s = impl_->check(tx, id, owner.kind == Owner::Kind::account ? CertPurpose::signing : CertPurpose::seal); !s)
        return s;
    auto dupe = tx.query_one("SELECT id FROM pki_certs WHERE sha256 = $1", {cert_sha256_hex(id.cert.get())});
    if (!dupe) return dupe.error();
    if (*dupe) return Error{"storage.conflict", 409, "this certificate is already imported"};
    auto old = tx.exec(
        "UPDATE pki_certs SET status = 'superseded' WHERE owner_kind = $1 AND owner_id = $2 AND purpose = $3 AND "
        "source = 'pkcs12' AND status = 'active'",
        {std::string(kind), owner.id, std::string(purpose)});
    if (!old) return old.error();
    return impl_->store(tx, kind, owner.id, purpose, "pkcs12", id);
}

Result<std::vector<std::string>> Pki::anchors_pem(storage::Tx& tx) { return impl_->anchors(tx); }

Status Pki::revoke(storage::Tx& tx, std::string_view cert_sha256, int reason) {
    return pki_detail::revoke(*impl_, tx, cert_sha256, reason);
}

Result<std::string> Pki::crl_der(storage::Tx& tx) { return pki_detail::crl_der(*impl_, tx); }

Result<std::vector<CertInfo>> Pki::list(storage::Tx& tx) { return pki_detail::list(*impl_, tx); }

}  // namespace idara::trust
