// Certificate checks before use (trust/cert_check.hpp).
#include "trust/cert_check.hpp"
#include "trust/ossl_handles.hpp"

#include "trust/keys.hpp"
#include "trust/revocation.hpp"

#include <openssl/err.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <memory>

namespace idara::trust {

namespace {


Error err(const char* code, int status, std::string detail) { return Error{code, status, std::move(detail)}; }

std::string who(X509* cert) { return name_entry(X509_get_subject_name(cert), NID_commonName); }

}  // namespace

Status check_key_usage(X509* cert, CertPurpose purpose) {
    if (cert == nullptr) return err("trust.cert_key_usage", 422, "no certificate");
    const std::uint32_t flags = X509_get_extension_flags(cert);
    const std::uint32_t ku = X509_get_key_usage(cert);  // UINT32_MAX when absent
    const bool signs = (ku & (KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION)) != 0;
    if (!signs) return err("trust.cert_key_usage", 422, who(cert) + ": keyUsage allows no signature");
    if ((flags & EXFLAG_CA) != 0 && purpose != CertPurpose::tsa)
        return err("trust.cert_key_usage", 422, who(cert) + ": a CA certificate does not sign documents");
    const bool has_eku = (flags & EXFLAG_XKUSAGE) != 0;
    const std::uint32_t eku = X509_get_extended_key_usage(cert);
    if (purpose == CertPurpose::tsa) {
        const int idx = X509_get_ext_by_NID(cert, NID_ext_key_usage, -1);
        if (!has_eku || eku != XKU_TIMESTAMP || idx < 0 || X509_EXTENSION_get_critical(X509_get_ext(cert, idx)) != 1)
            return err("trust.cert_key_usage", 422, who(cert) + ": a TSA needs the critical EKU timeStamping only");
        return {};
    }
    if (has_eku && (eku & (XKU_SMIME | XKU_CODE_SIGN | XKU_ANYEKU)) == 0) {
        // documentSigning (1.3.6.1.5.5.7.3.36) is not among OpenSSL's flags: look for it by OID.
        bool document_signing = false;
        auto* ext = static_cast<EXTENDED_KEY_USAGE*>(X509_get_ext_d2i(cert, NID_ext_key_usage, nullptr, nullptr));
        for (int i = 0; ext != nullptr && i < sk_ASN1_OBJECT_num(ext); ++i) {
            char buf[64];
            OBJ_obj2txt(buf, sizeof buf, sk_ASN1_OBJECT_value(ext, i), 1);
            if (std::string_view(buf) == "1.3.6.1.5.5.7.3.36") document_signing = true;
        }
        EXTENDED_KEY_USAGE_free(ext);
        if (!document_signing)
            return err("trust.cert_key_usage", 422, who(cert) + ": the extended key usage does not allow signing");
    }
    return {};
}

Status check_certificate(X509* cert, const std::vector<X509*>& chain, CertPurpose purpose, std::int64_t at_ms,
                         const CertCheckOptions& options) {
    if (cert == nullptr) return err("trust.cert_untrusted", 422, "no certificate");
    // The leaf's validity first, for the precise error.
    if (at_ms < asn1_time_ms(X509_get0_notBefore(cert)))
        return err("trust.cert_not_yet_valid", 422, who(cert) + " is not valid yet");
    if (at_ms > asn1_time_ms(X509_get0_notAfter(cert))) return err("trust.cert_expired", 422, who(cert) + " has expired");
    if (auto s = check_key_usage(cert, purpose); !s) return s;

    std::unique_ptr<X509_STORE, StoreDeleter> store(X509_STORE_new());
    std::unique_ptr<STACK_OF(X509), StackDeleter> untrusted(sk_X509_new_null());
    std::unique_ptr<X509_STORE_CTX, CtxDeleter> ctx(X509_STORE_CTX_new());
    if (!store || !untrusted || !ctx) return errors::internal("OpenSSL allocation");
    std::size_t anchors = 0;
    for (const auto& pem : options.anchors_pem)
        for (auto& a : certs_from_pem(pem))
            if (X509_STORE_add_cert(store.get(), a.get()) == 1) ++anchors;
    ERR_clear_error();
    if (anchors == 0) return err("trust.cert_untrusted", 422, "no trust anchor configured");
    for (X509* c : chain) {
        X509_up_ref(c);
        sk_X509_push(untrusted.get(), c);
    }
    if (X509_STORE_CTX_init(ctx.get(), store.get(), cert, untrusted.get()) != 1)
        return errors::internal("X509_STORE_CTX_init");
    X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(ctx.get()), static_cast<time_t>(at_ms / 1000));
    if (X509_verify_cert(ctx.get()) != 1) {
        const int e = X509_STORE_CTX_get_error(ctx.get());
        ERR_clear_error();
        if (e == X509_V_ERR_CERT_HAS_EXPIRED)
            return err("trust.cert_expired", 422, "a certificate of the chain has expired");
        if (e == X509_V_ERR_CERT_NOT_YET_VALID)
            return err("trust.cert_not_yet_valid", 422, "a certificate of the chain is not valid yet");
        return err("trust.cert_untrusted", 422, who(cert) + ": " + X509_verify_cert_error_string(e));
    }
    // Revocation of every certificate below the anchor.
    std::unique_ptr<STACK_OF(X509), StackDeleter> path(X509_STORE_CTX_get1_chain(ctx.get()));
    const int n = path ? sk_X509_num(path.get()) : 0;
    for (int i = 0; i + 1 < n; ++i) {
        X509* c = sk_X509_value(path.get(), i);
        X509* issuer = sk_X509_value(path.get(), i + 1);
        RevocationResult r = check_crls(c, issuer, options.crls_der, at_ms);
        if (r.state == RevocationState::revoked)
            return err("trust.cert_revoked", 422, who(c) + " is revoked (" + r.source + ")");
        if (options.ocsp && !ocsp_url(c).empty()) {
            RevocationResult o = check_ocsp(c, issuer, options.ocsp_timeout_ms);
            if (o.state == RevocationState::revoked)
                return err("trust.cert_revoked", 422, who(c) + " is revoked (ocsp)");
            if (o.state != RevocationState::good)
                return err("trust.revocation_unknown", 503, who(c) + ": " + o.detail);
        } else if (r.state == RevocationState::unknown) {
            return err("trust.revocation_unknown", 503, who(c) + ": " + r.detail);
        }
    }
    return {};
}

}  // namespace idara::trust
