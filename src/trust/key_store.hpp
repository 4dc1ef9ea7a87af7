// The keys the platform seals with, kept in the database, private parts
// encrypted at rest (libsodium crypto_secretbox, XSalsa20-Poly1305) under a
// 32-byte master key that comes from outside the database (a key file in the
// data directory made by `idara init` with mode 0600, or the environment; see
// app/runtime). Never logged, never returned by the API.
//
// Per administration (and for the platform itself, administration_id 0):
//  - a seal identity: P-256 key and certificate issued by the platform's
//    development root CA (production imports PKCS#12 in the trust-layer issue);
//  - a QR-signing key: Ed25519 (libsodium), whose public half is published in
//    /.well-known/idara-keys.json under its key id ("kid"), e.g. "MEF-1".
// The platform root CA and issuing CA (keys encrypted, certificates public) are made on
// first need (tables trust_roots, migration 0004, and pki_issuing_cas, migration 0010).
//
// ensure_keys() is idempotent and runs inside the caller's write transaction;
// a key made in a transaction that rolls back is never cached. keys_for() reads
// and decrypts once, then serves from an in-memory cache.
//
// Errors: trust.keygen (500; also a code outside [A-Za-z0-9_-]{1,32}), trust.master_key
// (500: the ciphertext does not open with this master key), trust.no_keys (500: none
// for that administration), internal (500: a stored record that decrypts but does not
// parse), storage.conflict (409: the kid "<CODE>-<n>" is taken by another
// administration), and storage errors.
//
// Storage: tables trust_roots and seal_keys (migration 0004). Private keys are PKCS#8
// DER (the raw 64-byte secret for Ed25519) sealed as nonce(24) || crypto_secretbox_easy.
// A KeyStore made with another master key reads nothing (trust.master_key).
//
// Thread-safety: a KeyStore may be used from any number of threads.
#pragma once

#include "core/error.hpp"
#include "storage/db.hpp"
#include "trust/keys.hpp"

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace idara::trust {

using MasterKey = std::array<unsigned char, 32>;

// Active keys of one administration, decrypted.
struct SealKeys {
    std::string kid;                           // QR key id, e.g. "MEF-1"
    SigningIdentity identity;                  // for PAdES
    std::array<unsigned char, 64> ed25519_sk;  // libsodium secret key (seed + public)
    std::array<unsigned char, 32> ed25519_pk;
};

// A published QR verification key.
struct PublicKey {
    std::string kid;
    std::string administration_code;  // "" for the platform
    std::array<unsigned char, 32> ed25519_pk;
    std::int64_t created_at_ms = 0;
    bool active = true;
};

class KeyStore {
public:
    KeyStore(storage::Database& db, const MasterKey& master);
    ~KeyStore();

    // Makes the root CA (if missing) and this administration's keys (if missing).
    // administration_id 0 means the platform. code/name are used in the certificate subject.
    Status ensure_keys(storage::Tx& tx, std::int64_t administration_id, const std::string& code,
                       const std::string& name_fr);
    // The active keys (cached after the first successful read).
    Result<std::shared_ptr<const SealKeys>> keys_for(storage::Tx& tx, std::int64_t administration_id);
    // Every QR key, active or retired, for publication.
    Result<std::vector<PublicKey>> public_keys(storage::Tx& tx);
    // The trust anchors (root CA certificates) as PEM, for verifiers.
    Result<std::vector<std::string>> trust_anchors_pem(storage::Tx& tx);

    // The development issuing CA (and the root that issued it), made on first need.
    struct IssuingCa {
        PkeyPtr key;
        X509Ptr cert;
        X509Ptr root;
    };
    Result<IssuingCa> issuing_ca(storage::Tx& tx);
    // Seals/opens secret bytes with the master key (nonce || crypto_secretbox), for trust/pki.
    // open_secret: trust.master_key (500) when it does not open.
    storage::Blob seal_secret(std::string_view plain) const;
    Result<std::string> open_secret(const storage::Blob& sealed) const;

private:
    Status recertify(storage::Tx& tx, std::int64_t administration_id, const storage::Row& row, const IssuingCa& ca);
    void mark_fresh(storage::Tx& tx, std::int64_t administration_id);
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// A fresh random master key, and its text form (base64, standard alphabet) for key files/environment.
MasterKey random_master_key();
std::string master_key_to_text(const MasterKey& k);
Result<MasterKey> master_key_from_text(std::string_view text);  // trust.master_key (500) when malformed

// The published document /.well-known/idara-keys.json:
//   {"version":1,"keys":[{"kid","alg":"Ed25519","administration","public_key" (base64url, no padding),
//    "created_at" (ISO 8601 UTC),"status":"active"|"retired"}],"trust_anchors":["-----BEGIN CERTIFICATE-----..."]}
std::string keys_document(const std::vector<PublicKey>& keys, const std::vector<std::string>& anchors_pem);
// Reads such a document back (for the offline verifier). trust.keys_document (400) when malformed.
struct KeysDocument {
    std::vector<PublicKey> keys;
    std::vector<std::string> anchors_pem;
};
Result<KeysDocument> parse_keys_document(std::string_view json);

}  // namespace idara::trust
