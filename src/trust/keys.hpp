// Keys and certificates held as OpenSSL objects with owning handles, and a
// development PKI: a root CA and a seal certificate it issued, made in
// process so that sealing works out of the box (production imports real
// certificates; see the trust-layer issue).
#pragma once

#include "core/error.hpp"

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>
#include <string>
#include <cstdint>
#include <string_view>
#include <vector>

namespace idara::trust {

struct PkeyDeleter {
    void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct X509Deleter {
    void operator()(X509* x) const { X509_free(x); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyDeleter>;
using X509Ptr = std::unique_ptr<X509, X509Deleter>;

// A signing identity: private key, its certificate, and the issuing chain (without the root).
struct SigningIdentity {
    PkeyPtr key;
    X509Ptr cert;
    std::vector<X509Ptr> chain;
};

struct DevPki {
    PkeyPtr root_key;
    X509Ptr root_cert;
    SigningIdentity seal;  // an electronic-seal certificate for one administration
};

// Makes a P-256 root CA ("<org> Development Root CA") and a seal certificate for
// `common_name` valid for `days`. Errors: trust.keygen (500).
Result<DevPki> make_dev_pki(const std::string& organisation, const std::string& common_name, int days = 825);

// The same in two steps, for keys kept over time (trust/key_store.hpp): a root CA
// ("<org> Development Root CA", self-signed, P-256) and a seal identity it issues
// (chain empty: the root issues seal certificates directly). Errors: trust.keygen (500).
struct RootCa {
    PkeyPtr key;
    X509Ptr cert;
};
Result<RootCa> make_dev_root(const std::string& organisation, int days = 3300);
Result<SigningIdentity> issue_seal_identity(EVP_PKEY* root_key, X509* root_cert, const std::string& organisation,
                                            const std::string& common_name, int days = 825);

// Serialisation. private_key_to_der gives PKCS#8 DER (empty on failure); the parsers
// return a null handle (or an empty list) when the input is not what they expect.
std::string private_key_to_der(const EVP_PKEY* key);
PkeyPtr private_key_from_der(std::string_view der);
X509Ptr cert_from_pem(std::string_view pem);                 // the first certificate
std::vector<X509Ptr> certs_from_pem(std::string_view pem);   // every certificate, in order

std::string to_pem(const X509* cert);
X509Ptr cert_from_der(std::string_view der);
std::string to_der(const X509* cert);

// A certificate to issue (trust/pki.hpp uses these for the whole development hierarchy).
// key_usage / ext_key_usage use OpenSSL's configuration syntax, e.g.
// "critical,digitalSignature,nonRepudiation" and "critical,timeStamping" ("" leaves it out).
struct CertProfile {
    std::string common_name, organisation;
    bool ca = false;
    std::string key_usage;       // default for "": CA -> keyCertSign,cRLSign; leaf -> digitalSignature,nonRepudiation
    std::string ext_key_usage;   // "" = none
    std::string ocsp_url;        // AIA OCSP responder, "" = none
    std::string crl_url;         // CRL distribution point, "" = none
    long not_before_offset_s = -60;  // relative to now
    long validity_s = 825L * 24 * 3600;
};
// A certificate for subject_key signed by issuer_key/issuer_cert (self-signed when issuer_cert is
// null and issuer_key is subject_key). Null on failure.
X509Ptr issue_certificate(EVP_PKEY* subject_key, EVP_PKEY* issuer_key, X509* issuer_cert, const CertProfile& p);
// A fresh P-256 key and its certificate; chain = [issuer_cert] when issuer_cert is not self-signed
// (plus issuer_chain). Errors: trust.keygen (500).
Result<SigningIdentity> issue_identity(EVP_PKEY* issuer_key, X509* issuer_cert, const CertProfile& p,
                                       const std::vector<X509*>& issuer_chain = {});

// Certificate facts for reports.
std::string cert_sha256_hex(const X509* cert);
std::string cert_serial_hex(const X509* cert);
std::string name_rfc2253(const X509_NAME* name);
std::string name_entry(const X509_NAME* name, int nid);  // UTF-8 value of the first entry, "" when none
std::int64_t asn1_time_ms(const ASN1_TIME* t);          // 0 when unreadable

}  // namespace idara::trust
