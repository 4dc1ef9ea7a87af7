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

std::string to_pem(const X509* cert);

}  // namespace idara::trust
