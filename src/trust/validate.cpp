// The validator (trust/validate.hpp): one CMS signature checked as ETSI EN 319 102-1 would
// report it; PDFs go through verify_pdf (trust/pdf_verify.hpp) for finding signatures and their
// byte ranges, then every CMS through the same checks as a detached .p7s.
#include "trust/validate.hpp"
#include "trust/ossl_handles.hpp"

#include "core/clock.hpp"
#include "trust/keys.hpp"
#include "trust/pdf_verify.hpp"
#include "trust/revocation.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/cms.h>
#include <openssl/ts.h>
#include <openssl/x509_vfy.h>

#include <cstring>
#include <memory>

namespace idara::trust {

namespace {

using CmsPtr = std::unique_ptr<CMS_ContentInfo, CmsDeleter>;
using StorePtr = std::unique_ptr<X509_STORE, StoreDeleter>;
using StackPtr = std::unique_ptr<STACK_OF(X509), StackDeleter>;

void set(SignatureValidation& v, Indication i, SubIndication s) {
    v.indication = i;
    v.sub_indication = s;
}

StorePtr make_store(const std::vector<std::string>& anchors_pem) {
    StorePtr store(X509_STORE_new());
    if (!store) return store;
    for (const auto& pem : anchors_pem)
        for (auto& c : certs_from_pem(pem)) X509_STORE_add_cert(store.get(), c.get());
    ERR_clear_error();
    return store;
}

std::string digest(const EVP_MD* md, std::string_view data) {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    if (md == nullptr || EVP_Digest(data.data(), data.size(), out, &n, md, nullptr) != 1) return {};
    return std::string(reinterpret_cast<char*>(out), n);
}

// Integrity: SubIndication::none when intact.
SubIndication integrity(CMS_ContentInfo* cms, CMS_SignerInfo* si, std::string_view content) {
    X509_ALGOR* dig = nullptr;
    CMS_SignerInfo_get0_algs(si, nullptr, nullptr, &dig, nullptr);
    const ASN1_OBJECT* alg = nullptr;
    if (dig != nullptr) X509_ALGOR_get0(&alg, nullptr, nullptr, dig);
    if (CMS_signed_get_attr_count(si) > 0) {
        const EVP_MD* md = alg ? EVP_get_digestbyobj(alg) : nullptr;
        auto* md_attr = static_cast<ASN1_OCTET_STRING*>(
            CMS_signed_get0_data_by_OBJ(si, OBJ_nid2obj(NID_pkcs9_messageDigest), -3, V_ASN1_OCTET_STRING));
        const std::string want = digest(md, content);
        if (md_attr == nullptr || want.empty() || static_cast<std::size_t>(ASN1_STRING_length(md_attr)) != want.size() ||
            std::memcmp(ASN1_STRING_get0_data(md_attr), want.data(), want.size()) != 0)
            return SubIndication::hash_failure;
        const int ok = CMS_SignerInfo_verify(si);
        ERR_clear_error();
        return ok == 1 ? SubIndication::none : SubIndication::sig_crypto_failure;
    }
    // No signed attributes: the signature is over the content itself.
    BIO* in = BIO_new_mem_buf(content.data(), static_cast<int>(content.size()));
    StorePtr empty(X509_STORE_new());
    const int ok = in && empty ? CMS_verify(cms, nullptr, empty.get(), in, nullptr,
                                            CMS_DETACHED | CMS_BINARY | CMS_NO_SIGNER_CERT_VERIFY)
                               : 0;
    BIO_free(in);
    ERR_clear_error();
    return ok == 1 ? SubIndication::none : SubIndication::sig_crypto_failure;
}

// The signature time-stamp (id-aa-signatureTimeStampToken), checked against the anchors.
TimestampReport timestamp(CMS_SignerInfo* si, STACK_OF(X509) * extra_certs, const std::vector<std::string>& anchors,
                          std::int64_t now_ms) {
    TimestampReport t;
    auto* attr = static_cast<ASN1_STRING*>(
        CMS_unsigned_get0_data_by_OBJ(si, OBJ_nid2obj(NID_id_smime_aa_timeStampToken), -3, V_ASN1_SEQUENCE));
    ERR_clear_error();
    if (attr == nullptr) return t;
    t.present = true;
    const unsigned char* p = ASN1_STRING_get0_data(attr);
    std::unique_ptr<PKCS7, P7Deleter> token(d2i_PKCS7(nullptr, &p, ASN1_STRING_length(attr)));
    if (!token) {
        ERR_clear_error();
        t.error = "the time-stamp token is not a CMS SignedData";
        return t;
    }
    TS_TST_INFO* info = PKCS7_to_TS_TST_INFO(token.get());
    if (info == nullptr) {
        ERR_clear_error();
        t.error = "the time-stamp token holds no TSTInfo";
        return t;
    }
    t.gen_time_ms = asn1_time_ms(TS_TST_INFO_get_time(info));
    X509_ALGOR* alg = TS_MSG_IMPRINT_get_algo(TS_TST_INFO_get_msg_imprint(info));
    const ASN1_OBJECT* alg_obj = nullptr;
    X509_ALGOR_get0(&alg_obj, nullptr, nullptr, alg);
    const EVP_MD* md = EVP_get_digestbyobj(alg_obj);
    TS_TST_INFO_free(info);
    if (STACK_OF(X509)* signers = PKCS7_get0_signers(token.get(), nullptr, 0)) {
        if (sk_X509_num(signers) > 0)
            t.tsa_name = name_entry(X509_get_subject_name(sk_X509_value(signers, 0)), NID_commonName);
        sk_X509_free(signers);
    }
    ERR_clear_error();
    ASN1_OCTET_STRING* sig = CMS_SignerInfo_get0_signature(si);
    const std::string imprint =
        digest(md, std::string_view(reinterpret_cast<const char*>(ASN1_STRING_get0_data(sig)),
                                    static_cast<std::size_t>(ASN1_STRING_length(sig))));
    if (imprint.empty()) {
        t.error = "unsupported time-stamp imprint algorithm";
        return t;
    }
    TS_VERIFY_CTX* ctx = TS_VERIFY_CTX_new();
    StorePtr store = make_store(anchors);
    if (ctx == nullptr || !store) {
        TS_VERIFY_CTX_free(ctx);
        t.error = "allocation";
        return t;
    }
    X509_VERIFY_PARAM_set_time(X509_STORE_get0_param(store.get()), static_cast<time_t>(now_ms / 1000));
    TS_VERIFY_CTX_set_flags(ctx, TS_VFY_VERSION | TS_VFY_SIGNATURE | TS_VFY_IMPRINT);
    TS_VERIFY_CTX_set_store(ctx, store.release());
    if (extra_certs != nullptr) TS_VERIFY_CTX_set_certs(ctx, X509_chain_up_ref(extra_certs));
    auto* buf = static_cast<unsigned char*>(OPENSSL_malloc(imprint.size()));
    std::memcpy(buf, imprint.data(), imprint.size());
    TS_VERIFY_CTX_set_imprint(ctx, buf, static_cast<long>(imprint.size()));
    t.valid = TS_RESP_verify_token(ctx, token.get()) == 1;
    if (!t.valid) {
        const unsigned long e = ERR_peek_last_error();
        char msg[256] = "the time-stamp token does not verify";
        if (e != 0) ERR_error_string_n(e, msg, sizeof msg);
        t.error = msg;
    }
    TS_VERIFY_CTX_free(ctx);
    ERR_clear_error();
    return t;
}

// Chain building at time `at_ms`; the verified path in `path` when trusted; the X509 error otherwise.
int verify_chain(X509* signer, STACK_OF(X509) * untrusted, X509_STORE* store, std::int64_t at_ms, StackPtr& path) {
    std::unique_ptr<X509_STORE_CTX, CtxDeleter> ctx(X509_STORE_CTX_new());
    if (!ctx || X509_STORE_CTX_init(ctx.get(), store, signer, untrusted) != 1) return X509_V_ERR_UNSPECIFIED;
    X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(ctx.get()), static_cast<time_t>(at_ms / 1000));
    const int ok = X509_verify_cert(ctx.get());
    const int e = ok == 1 ? X509_V_OK : X509_STORE_CTX_get_error(ctx.get());
    if (ok == 1) path.reset(X509_STORE_CTX_get1_chain(ctx.get()));
    ERR_clear_error();
    return e;
}

SignatureValidation validate_cms(std::string_view der, std::string_view content, const ValidationOptions& o,
                                 SignatureValidation v) {
    const std::int64_t now = o.now_ms != 0 ? o.now_ms : system_clock().now_ms();
    CmsPtr cms;
    if (der.substr(0, 11) == "-----BEGIN ") {
        BIO* b = BIO_new_mem_buf(der.data(), static_cast<int>(der.size()));
        cms.reset(PEM_read_bio_CMS(b, nullptr, nullptr, nullptr));
        BIO_free(b);
    } else if (der.size() < (1u << 24)) {
        const auto* p = reinterpret_cast<const unsigned char*>(der.data());
        cms.reset(d2i_CMS_ContentInfo(nullptr, &p, static_cast<long>(der.size())));
    }
    ERR_clear_error();
    STACK_OF(CMS_SignerInfo)* infos = cms && OBJ_obj2nid(CMS_get0_type(cms.get())) == NID_pkcs7_signed
                                          ? CMS_get0_SignerInfos(cms.get())
                                          : nullptr;
    if (infos == nullptr || sk_CMS_SignerInfo_num(infos) < 1) {
        v.chain_error = "not a CMS SignedData with a signer";
        set(v, Indication::indeterminate, SubIndication::format_failure);
        return v;
    }
    CMS_SignerInfo* si = sk_CMS_SignerInfo_value(infos, 0);
    CMS_set1_signers_certs(cms.get(), nullptr, 0);
    ERR_clear_error();
    X509* signer = nullptr;
    CMS_SignerInfo_get0_algs(si, nullptr, &signer, nullptr, nullptr);
    if (auto* st = static_cast<ASN1_TIME*>(
            CMS_signed_get0_data_by_OBJ(si, OBJ_nid2obj(NID_pkcs9_signingTime), -3, V_ASN1_UTCTIME)))
        v.signing_time_ms = asn1_time_ms(st);
    ERR_clear_error();
    if (signer != nullptr) {
        v.signer_common_name = name_entry(X509_get_subject_name(signer), NID_commonName);
        v.signer_organisation = name_entry(X509_get_subject_name(signer), NID_organizationName);
        v.signer_cert_sha256 = cert_sha256_hex(signer);
    }
    const SubIndication integ = integrity(cms.get(), si, content);
    v.integrity = integ == SubIndication::none;
    StackPtr certs(CMS_get1_certs(cms.get()));
    v.timestamp = timestamp(si, certs.get(), o.anchors_pem, now);
    if (!v.integrity) {
        set(v, Indication::total_failed, integ);
        return v;
    }
    if (signer == nullptr) {
        v.chain_error = "the signer certificate is not in the signature";
        set(v, Indication::indeterminate, SubIndication::no_certificate_chain_found);
        return v;
    }
    // The chain, now; an expired certificate needs a proof of existence within its validity.
    StorePtr store = make_store(o.anchors_pem);
    StackPtr path;
    const bool poe = v.timestamp.valid;
    bool out_of_bounds = false;
    int e = verify_chain(signer, certs.get(), store.get(), now, path);
    if (e == X509_V_ERR_CERT_HAS_EXPIRED || e == X509_V_ERR_CERT_NOT_YET_VALID) {
        out_of_bounds = true;
        v.chain_error = X509_verify_cert_error_string(e);
        if (poe) {
            StackPtr at_poe;
            if (verify_chain(signer, certs.get(), store.get(), v.timestamp.gen_time_ms, at_poe) == X509_V_OK) {
                path = std::move(at_poe);
                out_of_bounds = false;
                v.chain_error.clear();
                e = X509_V_OK;
            }
        }
        if (out_of_bounds) {
            // Whether the chain is otherwise sound: check it at the end of the signer's validity.
            StackPtr at_end;
            const std::int64_t end = asn1_time_ms(X509_get0_notAfter(signer)) - 1000;
            if (verify_chain(signer, certs.get(), store.get(), end, at_end) == X509_V_OK) {
                v.chain_trusted = true;
                path = std::move(at_end);
            }
        }
    } else if (e != X509_V_OK) {
        v.chain_error = X509_verify_cert_error_string(e);
        set(v, Indication::indeterminate, SubIndication::no_certificate_chain_found);
        return v;
    }
    if (e == X509_V_OK) v.chain_trusted = true;
    // Revocation of every certificate below the anchor.
    RevocationResult worst;
    bool any_good = false, any_unknown = false;
    const int n = path ? sk_X509_num(path.get()) : 0;
    for (int i = 0; i + 1 < n && worst.state != RevocationState::revoked; ++i) {
        X509* c = sk_X509_value(path.get(), i);
        X509* issuer = sk_X509_value(path.get(), i + 1);
        RevocationResult r = check_crls(c, issuer, o.crls_der, now);
        if (r.state != RevocationState::revoked && o.ocsp && !ocsp_url(c).empty()) {
            RevocationResult q = check_ocsp(c, issuer, o.ocsp_timeout_ms);
            if (q.state == RevocationState::revoked || q.state == RevocationState::good ||
                r.state == RevocationState::not_checked)
                r = q;
        }
        if (r.state == RevocationState::revoked) worst = r;
        else if (r.state == RevocationState::unknown) any_unknown = true;
        else if (r.state == RevocationState::good) any_good = true;
    }
    if (worst.state == RevocationState::revoked) v.revocation = "revoked";
    else if (any_unknown) v.revocation = "unknown";
    else if (any_good) v.revocation = "good";
    if (worst.state == RevocationState::revoked &&
        !(poe && worst.revoked_at_ms != 0 && v.timestamp.gen_time_ms < worst.revoked_at_ms)) {
        set(v, Indication::total_failed, SubIndication::revoked);
        return v;
    }
    if (out_of_bounds) {
        set(v, Indication::indeterminate,
            poe ? SubIndication::out_of_bounds_not_revoked : SubIndication::out_of_bounds_no_poe);
        return v;
    }
    if (any_unknown) {
        set(v, Indication::indeterminate, SubIndication::try_later);
        return v;
    }
    if (v.timestamp.present && !v.timestamp.valid) {
        set(v, Indication::indeterminate, SubIndication::no_poe);
        return v;
    }
    set(v, Indication::total_passed, SubIndication::none);
    return v;
}

int rank(Indication i) {
    return i == Indication::total_failed ? 0 : i == Indication::indeterminate ? 1 : 2;
}

void overall(ValidationReport& r) {
    if (r.signatures.empty()) {
        r.indication = Indication::indeterminate;
        r.sub_indication = SubIndication::signed_data_not_found;
        return;
    }
    const SignatureValidation* worst = &r.signatures.front();
    for (const auto& s : r.signatures)
        if (rank(s.indication) < rank(worst->indication)) worst = &s;
    r.indication = worst->indication;
    r.sub_indication = worst->sub_indication;
}

bool looks_like_pdf(std::string_view b) { return b.substr(0, 1024).find("%PDF-") != std::string_view::npos; }

std::string hex(std::string_view bytes) {
    static const char* h = "0123456789abcdef";
    std::string out;
    for (unsigned char c : bytes) {
        out += h[c >> 4];
        out += h[c & 15];
    }
    return out;
}

}  // namespace

std::string_view to_string(Indication i) {
    switch (i) {
        case Indication::total_passed: return "TOTAL_PASSED";
        case Indication::total_failed: return "TOTAL_FAILED";
        case Indication::indeterminate: break;
    }
    return "INDETERMINATE";
}

std::string_view to_string(SubIndication s) {
    switch (s) {
        case SubIndication::none: return "";
        case SubIndication::hash_failure: return "HASH_FAILURE";
        case SubIndication::sig_crypto_failure: return "SIG_CRYPTO_FAILURE";
        case SubIndication::revoked: return "REVOKED";
        case SubIndication::no_certificate_chain_found: return "NO_CERTIFICATE_CHAIN_FOUND";
        case SubIndication::out_of_bounds_no_poe: return "OUT_OF_BOUNDS_NO_POE";
        case SubIndication::out_of_bounds_not_revoked: return "OUT_OF_BOUNDS_NOT_REVOKED";
        case SubIndication::no_poe: return "NO_POE";
        case SubIndication::try_later: return "TRY_LATER";
        case SubIndication::signed_data_not_found: return "SIGNED_DATA_NOT_FOUND";
        case SubIndication::format_failure: break;
    }
    return "FORMAT_FAILURE";
}

std::string reason_key(Indication i, SubIndication s) {
    if (i == Indication::total_passed || s == SubIndication::none) return "trust.indication.passed";
    std::string k(to_string(s));
    for (auto& c : k) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return "trust.indication." + k;
}

Result<ValidationReport> validate_pdf(std::string_view pdf, const ValidationOptions& o) {
    ValidationReport r;
    r.format = "pdf";
    if (pdf.empty() || !looks_like_pdf(pdf)) {
        r.sha256 = hex(digest(EVP_sha256(), pdf));
        SignatureValidation v;
        v.chain_error = "not a PDF";
        set(v, Indication::indeterminate, SubIndication::format_failure);
        r.signatures.push_back(std::move(v));
        overall(r);
        return r;
    }
    auto found = verify_pdf(pdf, o.anchors_pem);
    if (!found) return found.error();
    r.sha256 = found->sha256;
    r.keywords = found->keywords;
    for (const auto& s : found->signatures) {
        SignatureValidation v;
        v.field_name = s.field_name;
        v.sub_filter = s.sub_filter;
        v.total_document = s.total_document;
        if (s.byte_range.size() != 4) {
            v.chain_error = s.chain_error;
            set(v, Indication::indeterminate, SubIndication::signed_data_not_found);
        } else if (s.cms_der.empty()) {
            v.chain_error = s.chain_error;
            set(v, Indication::indeterminate, SubIndication::format_failure);
        } else {
            const auto& br = s.byte_range;
            const std::string content =
                std::string(pdf.substr(0, static_cast<std::size_t>(br[1]))) +
                std::string(pdf.substr(static_cast<std::size_t>(br[2]), static_cast<std::size_t>(br[3])));
            v = validate_cms(s.cms_der, content, o, std::move(v));
        }
        r.signatures.push_back(std::move(v));
    }
    overall(r);
    return r;
}

Result<ValidationReport> validate_detached(std::string_view content, std::string_view p7s_der,
                                           const ValidationOptions& o) {
    ValidationReport r;
    r.format = "cades";
    r.sha256 = hex(digest(EVP_sha256(), content));
    SignatureValidation v;
    v.sub_filter = "CAdES-detached";
    v.total_document = true;
    if (content.empty()) {
        v.chain_error = "no signed content";
        set(v, Indication::indeterminate, SubIndication::signed_data_not_found);
    } else {
        v = validate_cms(p7s_der, content, o, std::move(v));
    }
    r.signatures.push_back(std::move(v));
    overall(r);
    return r;
}

}  // namespace idara::trust
