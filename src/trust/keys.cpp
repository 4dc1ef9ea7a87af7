#include "trust/keys.hpp"

#include <openssl/bio.h>
#include <openssl/ec.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

namespace idara::trust {

namespace {

Error keygen(const std::string& what) { return Error{"trust.keygen", 500, what}; }

PkeyPtr new_p256() { return PkeyPtr(EVP_EC_gen("P-256")); }

bool add_ext(X509* cert, X509* issuer, int nid, const char* value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    if (ext == nullptr) return false;
    const bool ok = X509_add_ext(cert, ext, -1) == 1;
    X509_EXTENSION_free(ext);
    return ok;
}

// Issues a certificate for `key` with subject `cn`/`org`, signed by issuer (or self when null).
X509Ptr issue(EVP_PKEY* key, const std::string& cn, const std::string& org, X509* issuer, EVP_PKEY* issuer_key,
              int days, bool ca) {
    X509Ptr cert(X509_new());
    if (!cert) return nullptr;
    X509_set_version(cert.get(), 2);
    unsigned char serial[16];
    RAND_bytes(serial, sizeof serial);
    serial[0] &= 0x7f;
    BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
    BN_free(bn);
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), static_cast<long>(days) * 24 * 3600);
    X509_set_pubkey(cert.get(), key);
    X509_NAME* name = X509_get_subject_name(cert.get());
    X509_NAME_add_entry_by_txt(name, "C", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>("MA"), -1, -1, 0);
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(org.c_str()), -1, -1, 0);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
    X509* signer = issuer ? issuer : cert.get();
    X509_set_issuer_name(cert.get(), X509_get_subject_name(signer));
    const bool ok = add_ext(cert.get(), signer, NID_basic_constraints, ca ? "critical,CA:TRUE" : "critical,CA:FALSE") &&
                    add_ext(cert.get(), signer, NID_key_usage,
                            ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature,nonRepudiation") &&
                    add_ext(cert.get(), signer, NID_subject_key_identifier, "hash") &&
                    add_ext(cert.get(), signer, NID_authority_key_identifier, "keyid:always");
    if (!ok || X509_sign(cert.get(), issuer_key ? issuer_key : key, EVP_sha256()) == 0) return nullptr;
    return cert;
}

}  // namespace

Result<DevPki> make_dev_pki(const std::string& organisation, const std::string& common_name, int days) {
    DevPki p;
    p.root_key = new_p256();
    p.seal.key = new_p256();
    if (!p.root_key || !p.seal.key) return keygen("P-256 key generation failed");
    p.root_cert = issue(p.root_key.get(), organisation + " Development Root CA", organisation, nullptr, nullptr, days * 4, true);
    if (!p.root_cert) return keygen("root certificate");
    p.seal.cert = issue(p.seal.key.get(), common_name, organisation, p.root_cert.get(), p.root_key.get(), days, false);
    if (!p.seal.cert) return keygen("seal certificate");
    return p;
}

std::string to_pem(const X509* cert) {
    BIO* bio = BIO_new(BIO_s_mem());
    PEM_write_bio_X509(bio, const_cast<X509*>(cert));
    char* data = nullptr;
    const long n = BIO_get_mem_data(bio, &data);
    std::string out(data, static_cast<std::size_t>(n));
    BIO_free(bio);
    return out;
}

}  // namespace idara::trust
