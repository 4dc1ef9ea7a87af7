#include "trust/cades.hpp"

#include "trust/cades_engine.hpp"

#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <vector>

namespace idara::trust {

namespace cades {

namespace {

struct Del {
    void operator()(CMS_ContentInfo* c) const { CMS_ContentInfo_free(c); }
    void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};

std::string openssl_reason(const char* what) {
    char buf[256] = {};
    ERR_error_string_n(ERR_get_error(), buf, sizeof buf);
    ERR_clear_error();
    return std::string(what) + ": " + buf;
}

void der_length(std::string& out, std::size_t n) {
    if (n < 0x80) {
        out += static_cast<char>(n);
        return;
    }
    std::string bytes;
    for (; n > 0; n >>= 8) bytes.insert(bytes.begin(), static_cast<char>(n & 0xff));
    out += static_cast<char>(0x80 | bytes.size());
    out += bytes;
}

// The DER of the signed attributes as a SET OF (tag 0x31), sorted as DER requires and as
// OpenSSL sorts them when it encodes the SignerInfo: that is what the signature covers.
bool encode_signed_attrs(CMS_SignerInfo* si, std::string& out) {
    std::vector<std::string> attrs;
    const int n = CMS_signed_get_attr_count(si);
    for (int i = 0; i < n; ++i) {
        unsigned char* der = nullptr;
        const int len = i2d_X509_ATTRIBUTE(CMS_signed_get_attr(si, i), &der);
        if (len <= 0) return false;
        attrs.emplace_back(reinterpret_cast<const char*>(der), static_cast<std::size_t>(len));
        OPENSSL_free(der);
    }
    std::sort(attrs.begin(), attrs.end(), [](const std::string& a, const std::string& b) {
        const int c = std::memcmp(a.data(), b.data(), std::min(a.size(), b.size()));
        return c != 0 ? c < 0 : a.size() < b.size();
    });
    std::string body;
    for (const auto& a : attrs) body += a;
    out.assign(1, '\x31');
    der_length(out, body.size());
    out += body;
    return true;
}

}  // namespace

Result<std::string> sign(std::span<const std::string_view> pieces, const SigningIdentity& id, TimeStamper* tsa) {
    if (!id.key || !id.cert) return sign_error("no signing key or certificate");
    // The content digest.
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int digest_len = 0;
    {
        std::unique_ptr<EVP_MD_CTX, Del> md(EVP_MD_CTX_new());
        bool ok = md && EVP_DigestInit_ex(md.get(), EVP_sha256(), nullptr) == 1;
        for (auto p : pieces) ok = ok && EVP_DigestUpdate(md.get(), p.data(), p.size()) == 1;
        if (!ok || EVP_DigestFinal_ex(md.get(), digest, &digest_len) != 1) return sign_error(openssl_reason("digest"));
    }
    STACK_OF(X509)* chain = sk_X509_new_null();
    for (const auto& c : id.chain) sk_X509_push(chain, c.get());
    const unsigned flags = CMS_DETACHED | CMS_BINARY | CMS_PARTIAL | CMS_NOSMIMECAP;
    std::unique_ptr<CMS_ContentInfo, Del> cms(CMS_sign(nullptr, nullptr, chain, nullptr, flags));
    sk_X509_free(chain);  // CMS_sign took its own references
    if (!cms) return sign_error(openssl_reason("CMS_sign"));
    // CMS_PARTIAL: the signer is added with its CAdES signing-certificate-v2 attribute but not signed.
    CMS_SignerInfo* si = CMS_add1_signer(cms.get(), id.cert.get(), id.key.get(), EVP_sha256(), flags | CMS_CADES);
    if (si == nullptr) return sign_error(openssl_reason("CMS_add1_signer"));
    if (CMS_signed_add1_attr_by_NID(si, NID_pkcs9_contentType, V_ASN1_OBJECT, OBJ_nid2obj(NID_pkcs7_data), -1) != 1 ||
        CMS_signed_add1_attr_by_NID(si, NID_pkcs9_messageDigest, V_ASN1_OCTET_STRING, digest,
                                    static_cast<int>(digest_len)) != 1)
        return sign_error(openssl_reason("signed attributes"));
    if (tsa == nullptr) {
        // B-B: no time-stamp will say when, so the claimed signingTime stays (verifiers show it and
        // check the chain at that time). B-T leaves it out, as PAdES baseline asks.
        ASN1_TIME* now = X509_gmtime_adj(nullptr, 0);
        const bool ok = now != nullptr &&
                        CMS_signed_add1_attr_by_NID(si, NID_pkcs9_signingTime, now->type, now, -1) == 1;
        ASN1_TIME_free(now);
        if (!ok) return sign_error(openssl_reason("signingTime"));
    }
    std::string attrs;
    if (!encode_signed_attrs(si, attrs)) return sign_error(openssl_reason("encoding signed attributes"));
    std::string sig;
    {
        std::unique_ptr<EVP_MD_CTX, Del> ctx(EVP_MD_CTX_new());
        std::size_t len = 0;
        const auto* in = reinterpret_cast<const unsigned char*>(attrs.data());
        bool ok = ctx && EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, id.key.get()) == 1 &&
                  EVP_DigestSign(ctx.get(), nullptr, &len, in, attrs.size()) == 1;
        if (ok) {
            sig.resize(len);
            ok = EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, in, attrs.size()) == 1;
            sig.resize(len);
        }
        if (!ok) return sign_error(openssl_reason("signing"));
    }
    if (ASN1_STRING_set(CMS_SignerInfo_get0_signature(si), sig.data(), static_cast<int>(sig.size())) != 1)
        return sign_error(openssl_reason("setting the signature"));
    if (tsa != nullptr) {
        unsigned char imprint[32];
        if (EVP_Digest(sig.data(), sig.size(), imprint, nullptr, EVP_sha256(), nullptr) != 1)
            return sign_error(openssl_reason("signature digest"));
        auto token = tsa->timestamp(std::span<const unsigned char, 32>(imprint, 32));
        if (!token) return token.error();
        if (CMS_unsigned_add1_attr_by_NID(si, NID_id_smime_aa_timeStampToken, V_ASN1_SEQUENCE, token->data(),
                                          static_cast<int>(token->size())) != 1)
            return sign_error(openssl_reason("adding the time-stamp token"));
    }
    unsigned char* der = nullptr;
    const int n = i2d_CMS_ContentInfo(cms.get(), &der);
    if (n <= 0) return sign_error(openssl_reason("encoding the CMS"));
    std::string out(reinterpret_cast<const char*>(der), static_cast<std::size_t>(n));
    OPENSSL_free(der);
    return out;
}

}  // namespace cades

Result<std::string> sign_detached(std::string_view content, const SigningIdentity& id, TimeStamper* tsa) {
    const std::string_view pieces[] = {content};
    return cades::sign(pieces, id, tsa);
}

}  // namespace idara::trust
