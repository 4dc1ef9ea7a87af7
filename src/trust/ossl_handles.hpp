// Internal to idara_trust: deleters for the OpenSSL objects the trust code owns, so that each
// is freed the one right way (unique_ptr<T, Deleter>). Keys and certificates are in keys.hpp.
#pragma once

#include <openssl/bio.h>
#include <openssl/pem.h>  // before cms.h, which declares its PEM functions only when pem.h came first
#include <openssl/cms.h>
#include <openssl/pkcs7.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

namespace idara::trust {

struct BioDeleter {
    void operator()(BIO* b) const { BIO_free_all(b); }
};
struct CmsDeleter {
    void operator()(CMS_ContentInfo* c) const { CMS_ContentInfo_free(c); }
};
struct CrlDeleter {
    void operator()(X509_CRL* c) const { X509_CRL_free(c); }
};
struct StoreDeleter {
    void operator()(X509_STORE* s) const { X509_STORE_free(s); }
};
struct CtxDeleter {
    void operator()(X509_STORE_CTX* c) const { X509_STORE_CTX_free(c); }
};
// A stack of certificates that owns them.
struct StackDeleter {
    void operator()(STACK_OF(X509) * s) const { sk_X509_pop_free(s, X509_free); }
};
struct P7Deleter {
    void operator()(PKCS7* p) const { PKCS7_free(p); }
};

}  // namespace idara::trust
