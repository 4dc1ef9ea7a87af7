// The platform PKI (issue 5, docs/design/trust-layer.md "PKI"): who signs with which
// certificate, and the certificates' life cycle.
//
// Development hierarchy (made on first need, inside the caller's write transaction):
//   "<platform> Development Root CA" (KeyStore, trust_roots)
//     -> "<platform> Issuing CA" (KeyStore, pki_issuing_cas)
//          -> per administration: the seal certificate (KeyStore seal_keys; kid and QR key unchanged)
//          -> the TSA certificate (EKU timeStamping, critical)
//          -> per person: a signing certificate issued on first need
//             (CN = display name, O = administration name, keyUsage digitalSignature+nonRepudiation)
// Production: import_pkcs12() stores a PKCS#12 (key + certificate + chain) for an administration
// (seal) or an account (signing). It is checked (trust/cert_check.hpp) against the anchors
// (development root + [trust] anchors_file) before it is accepted, and it takes precedence
// over the development certificate from then on.
//
// Every identity handed out has been checked for use at the current time (validity, key usage
// for its purpose, chain, revocation by the platform CRL; OCSP when configured).
//
// Errors: trust.cert_expired, trust.cert_not_yet_valid, trust.cert_revoked, trust.cert_untrusted,
// trust.cert_key_usage (422); trust.revocation_unknown (503); trust.pkcs12 (422: not a PKCS#12,
// wrong password, or no key/certificate in it); trust.no_such_cert (404: revoke of an unknown
// sha256); trust.no_owner (404: account or administration unknown); trust.keygen / trust.master_key
// (500, as KeyStore); storage errors.
//
// Private keys are sealed at rest with the master key (as KeyStore) and never appear in
// CertInfo, logs or API answers.
//
// Storage: migration 0010 (pki_issuing_cas, pki_certs, pki_revocations).
//
// Thread-safety: a Pki may be used from any number of threads (identities are cached per
// committed row; a row made by a transaction that rolls back is never served afterwards).
#pragma once

#include "core/clock.hpp"
#include "core/error.hpp"
#include "storage/db.hpp"
#include "trust/key_store.hpp"
#include "trust/keys.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace idara::trust {

struct PkiOptions {
    std::string platform_name = "idara";          // "<platform> Issuing CA"
    std::vector<std::string> extra_anchors_pem;   // [trust] anchors_file, one PEM certificate each
    bool ocsp = false;                            // [trust] ocsp: ask the AIA OCSP responder too
    long ocsp_timeout_ms = 5000;
};

// Whose key: an administration's seal or a person's signing certificate.
struct Owner {
    enum class Kind { administration, account };
    Kind kind = Kind::administration;
    std::int64_t id = 0;
};

// One certificate as `idara pki list` and the API show it (no private material).
struct CertInfo {
    std::string purpose;       // "seal" | "signing" | "tsa" | "issuing_ca" | "root_ca"
    std::string owner;         // administration code, account login, or "" for the platform
    std::string subject, issuer;
    std::string serial;        // hex
    std::int64_t not_before_ms = 0, not_after_ms = 0;
    std::string sha256;        // hex of the DER certificate
    std::string source;        // "dev" | "pkcs12"
    std::string status;        // "active" | "revoked" | "superseded"
};

class Pki {
public:
    Pki(storage::Database& db, KeyStore& keys, PkiOptions options, const Clock& clock = system_clock());
    ~Pki();
    Pki(const Pki&) = delete;
    Pki& operator=(const Pki&) = delete;

    // Makes the development hierarchy where missing (root, issuing CA, TSA certificate) and
    // moves seal certificates issued directly by the root under the issuing CA. Idempotent.
    Status ensure_dev_hierarchy(storage::Tx& tx);

    // The identity a person signs with: an imported PKCS#12 for that account, else a development
    // certificate issued on first need by the issuing CA, then reused.
    Result<std::shared_ptr<const SigningIdentity>> signer_identity(storage::Tx& tx, std::int64_t account_id);
    // An administration's seal (administration_id 0: the platform): imported, else the KeyStore one.
    Result<std::shared_ptr<const SigningIdentity>> seal_identity(storage::Tx& tx, std::int64_t administration_id);
    // The built-in time-stamping authority's identity (EKU timeStamping).
    Result<std::shared_ptr<const SigningIdentity>> tsa_identity(storage::Tx& tx);

    Status import_pkcs12(storage::Tx& tx, Owner owner, std::string_view p12, std::string_view password);
    // Revokes by certificate sha256 (hex); reason is an RFC 5280 CRLReason code (0..10, not 7).
    Status revoke(storage::Tx& tx, std::string_view cert_sha256, int reason);
    // The issuing CA's CRL (DER), freshly signed, listing every revoked certificate it issued.
    Result<std::string> crl_der(storage::Tx& tx);

    // The anchors every check uses: the development root(s) and the configured extra anchors.
    Result<std::vector<std::string>> anchors_pem(storage::Tx& tx);
    // Every certificate the platform holds (roots, issuing CA, seals, TSA, signers, imports).
    Result<std::vector<CertInfo>> list(storage::Tx& tx);

    const PkiOptions& options() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace idara::trust
