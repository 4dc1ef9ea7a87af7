#include "trust/keys.hpp"

#include <openssl/bio.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include <cctype>
#include <ctime>

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

X509Ptr issue(EVP_PKEY* key, const std::string& cn, const std::string& org, X509* issuer, EVP_PKEY* issuer_key,
              int days, bool ca) {
    CertProfile p;
    p.common_name = cn;
    p.organisation = org;
    p.ca = ca;
    p.validity_s = static_cast<long>(days) * 24 * 3600;
    return issue_certificate(key, issuer_key ? issuer_key : key, issuer, p);
}

}  // namespace

Result<RootCa> make_dev_root(const std::string& organisation, int days) {
    RootCa r;
    r.key = new_p256();
    if (!r.key) return keygen("P-256 key generation failed");
    r.cert = issue(r.key.get(), organisation + " Development Root CA", organisation, nullptr, nullptr, days, true);
    if (!r.cert) return keygen("root certificate");
    return r;
}

Result<SigningIdentity> issue_seal_identity(EVP_PKEY* root_key, X509* root_cert, const std::string& organisation,
                                            const std::string& common_name, int days) {
    if (root_key == nullptr || root_cert == nullptr) return keygen("no issuer");
    SigningIdentity id;
    id.key = new_p256();
    if (!id.key) return keygen("P-256 key generation failed");
    id.cert = issue(id.key.get(), common_name, organisation, root_cert, root_key, days, false);
    if (!id.cert) return keygen("seal certificate");
    return id;
}

Result<DevPki> make_dev_pki(const std::string& organisation, const std::string& common_name, int days) {
    auto root = make_dev_root(organisation, days * 4);
    if (!root) return root.error();
    auto seal = issue_seal_identity(root->key.get(), root->cert.get(), organisation, common_name, days);
    if (!seal) return seal.error();
    DevPki p;
    p.root_key = std::move(root->key);
    p.root_cert = std::move(root->cert);
    p.seal = std::move(*seal);
    return p;
}

X509Ptr issue_certificate(EVP_PKEY* key, EVP_PKEY* issuer_key, X509* issuer, const CertProfile& p) {
    if (key == nullptr || issuer_key == nullptr) return nullptr;
    X509Ptr cert(X509_new());
    if (!cert) return nullptr;
    X509_set_version(cert.get(), 2);
    unsigned char serial[16];
    RAND_bytes(serial, sizeof serial);
    serial[0] &= 0x7f;
    serial[0] |= 0x01;
    BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
    BN_free(bn);
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), p.not_before_offset_s);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), p.not_before_offset_s + p.validity_s);
    X509_set_pubkey(cert.get(), key);
    X509_NAME* name = X509_get_subject_name(cert.get());
    auto add = [&](const char* f, const std::string& v) {
        if (!v.empty())
            X509_NAME_add_entry_by_txt(name, f, MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(v.c_str()), -1, -1, 0);
    };
    add("C", "MA");
    add("O", p.organisation);
    add("CN", p.common_name);
    X509* signer = issuer ? issuer : cert.get();
    X509_set_issuer_name(cert.get(), X509_get_subject_name(signer));
    const std::string ku = !p.key_usage.empty() ? p.key_usage
                           : p.ca               ? "critical,keyCertSign,cRLSign"
                                                : "critical,digitalSignature,nonRepudiation";
    bool ok = add_ext(cert.get(), signer, NID_basic_constraints, p.ca ? "critical,CA:TRUE" : "critical,CA:FALSE") &&
              add_ext(cert.get(), signer, NID_key_usage, ku.c_str()) &&
              add_ext(cert.get(), signer, NID_subject_key_identifier, "hash") &&
              add_ext(cert.get(), signer, NID_authority_key_identifier, "keyid:always");
    if (ok && !p.ext_key_usage.empty()) ok = add_ext(cert.get(), signer, NID_ext_key_usage, p.ext_key_usage.c_str());
    if (ok && !p.ocsp_url.empty()) ok = add_ext(cert.get(), signer, NID_info_access, ("OCSP;URI:" + p.ocsp_url).c_str());
    if (ok && !p.crl_url.empty())
        ok = add_ext(cert.get(), signer, NID_crl_distribution_points, ("URI:" + p.crl_url).c_str());
    if (!ok || X509_sign(cert.get(), issuer_key, EVP_sha256()) == 0) {
        ERR_clear_error();
        return nullptr;
    }
    return cert;
}

Result<SigningIdentity> issue_identity(EVP_PKEY* issuer_key, X509* issuer_cert, const CertProfile& p,
                                       const std::vector<X509*>& issuer_chain) {
    if (issuer_key == nullptr || issuer_cert == nullptr) return keygen("no issuer");
    SigningIdentity id;
    id.key = new_p256();
    if (!id.key) return keygen("P-256 key generation failed");
    id.cert = issue_certificate(id.key.get(), issuer_key, issuer_cert, p);
    if (!id.cert) return keygen("certificate for " + p.common_name);
    if (X509_check_issued(issuer_cert, issuer_cert) != X509_V_OK) {
        X509_up_ref(issuer_cert);
        id.chain.emplace_back(issuer_cert);
    }
    for (X509* c : issuer_chain) {
        if (X509_check_issued(c, c) == X509_V_OK) continue;
        X509_up_ref(c);
        id.chain.emplace_back(c);
    }
    return id;
}

X509Ptr cert_from_der(std::string_view der) {
    const auto* p = reinterpret_cast<const unsigned char*>(der.data());
    X509Ptr c(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
    if (!c) ERR_clear_error();
    return c;
}

std::string to_der(const X509* cert) {
    unsigned char* der = nullptr;
    const int n = i2d_X509(cert, &der);
    if (n <= 0) return {};
    std::string out(reinterpret_cast<const char*>(der), static_cast<std::size_t>(n));
    OPENSSL_free(der);
    return out;
}

std::string cert_sha256_hex(const X509* cert) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (X509_digest(cert, EVP_sha256(), md, &len) != 1) return {};
    static const char* hex = "0123456789abcdef";
    std::string out;
    for (unsigned i = 0; i < len; ++i) {
        out += hex[md[i] >> 4];
        out += hex[md[i] & 15];
    }
    return out;
}

std::string cert_serial_hex(const X509* cert) {
    BIGNUM* bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr);
    if (bn == nullptr) return {};
    char* h = BN_bn2hex(bn);
    std::string out = h ? h : "";
    OPENSSL_free(h);
    BN_free(bn);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::string name_rfc2253(const X509_NAME* name) {
    BIO* bio = BIO_new(BIO_s_mem());
    X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
    char* data = nullptr;
    const long n = BIO_get_mem_data(bio, &data);
    std::string out(data, static_cast<std::size_t>(n));
    BIO_free(bio);
    return out;
}

std::string name_entry(const X509_NAME* name, int nid) {
    const int idx = X509_NAME_get_index_by_NID(name, nid, -1);
    if (idx < 0) return {};
    unsigned char* utf8 = nullptr;
    const int n = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, idx)));
    if (n < 0) return {};
    std::string out(reinterpret_cast<char*>(utf8), static_cast<std::size_t>(n));
    OPENSSL_free(utf8);
    return out;
}

std::int64_t asn1_time_ms(const ASN1_TIME* t) {
    std::tm tm{};
    if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) return 0;
    return static_cast<std::int64_t>(timegm(&tm)) * 1000;
}

std::string private_key_to_der(const EVP_PKEY* key) {
    std::string out;
    PKCS8_PRIV_KEY_INFO* p8 = key ? EVP_PKEY2PKCS8(key) : nullptr;
    if (p8 == nullptr) return out;
    unsigned char* der = nullptr;
    const int n = i2d_PKCS8_PRIV_KEY_INFO(p8, &der);
    if (n > 0) {
        out.assign(reinterpret_cast<const char*>(der), static_cast<std::size_t>(n));
        OPENSSL_clear_free(der, static_cast<std::size_t>(n));
    }
    PKCS8_PRIV_KEY_INFO_free(p8);
    return out;
}

PkeyPtr private_key_from_der(std::string_view der) {
    const auto* p = reinterpret_cast<const unsigned char*>(der.data());
    PKCS8_PRIV_KEY_INFO* p8 = d2i_PKCS8_PRIV_KEY_INFO(nullptr, &p, static_cast<long>(der.size()));
    if (p8 == nullptr) return nullptr;
    PkeyPtr key(EVP_PKCS82PKEY(p8));
    PKCS8_PRIV_KEY_INFO_free(p8);
    return key;
}

std::vector<X509Ptr> certs_from_pem(std::string_view pem) {
    std::vector<X509Ptr> out;
    if (pem.empty() || pem.size() > 1 << 20) return out;
    BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
    while (X509* c = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr)) out.emplace_back(c);
    ERR_clear_error();  // the end of the input leaves a "no start line" error behind
    BIO_free(bio);
    return out;
}

X509Ptr cert_from_pem(std::string_view pem) {
    auto all = certs_from_pem(pem);
    if (all.empty()) return nullptr;
    return std::move(all.front());
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
