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

}  // namespace idara::trust
