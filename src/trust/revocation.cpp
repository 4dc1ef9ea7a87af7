// CRL and OCSP checks (trust/revocation.hpp).
#include "trust/revocation.hpp"
#include "trust/ossl_handles.hpp"

#include "trust/keys.hpp"

#include <openssl/err.h>
#include <openssl/http.h>
#include <openssl/ocsp.h>
#include <openssl/x509v3.h>

#include <ctime>
#include <memory>

namespace idara::trust {

namespace {


RevocationResult result(RevocationState s, std::string source, std::string detail, std::int64_t at = 0) {
    RevocationResult r;
    r.state = s;
    r.source = std::move(source);
    r.detail = std::move(detail);
    r.revoked_at_ms = at;
    return r;
}

}  // namespace

std::string_view to_string(RevocationState s) {
    switch (s) {
        case RevocationState::good: return "good";
        case RevocationState::revoked: return "revoked";
        case RevocationState::unknown: return "unknown";
        case RevocationState::not_checked: break;
    }
    return "not_checked";
}

RevocationResult check_crls(X509* cert, X509* issuer, const std::vector<std::string>& crls_der, std::int64_t at_ms) {
    if (cert == nullptr || issuer == nullptr) return {};
    EVP_PKEY* issuer_key = X509_get0_pubkey(issuer);
    bool applicable = false, stale = false;
    for (const auto& der : crls_der) {
        const auto* p = reinterpret_cast<const unsigned char*>(der.data());
        std::unique_ptr<X509_CRL, CrlDeleter> crl(d2i_X509_CRL(nullptr, &p, static_cast<long>(der.size())));
        if (!crl) {
            ERR_clear_error();
            continue;
        }
        if (X509_NAME_cmp(X509_CRL_get_issuer(crl.get()), X509_get_subject_name(issuer)) != 0 || issuer_key == nullptr ||
            X509_CRL_verify(crl.get(), issuer_key) != 1) {
            ERR_clear_error();
            continue;
        }
        applicable = true;
        const ASN1_TIME* next = X509_CRL_get0_nextUpdate(crl.get());
        if (next != nullptr && asn1_time_ms(next) < at_ms) stale = true;
        X509_REVOKED* entry = nullptr;
        if (X509_CRL_get0_by_cert(crl.get(), &entry, cert) == 1 && entry != nullptr)
            return result(RevocationState::revoked, "crl", "listed in the CRL",
                          asn1_time_ms(X509_REVOKED_get0_revocationDate(entry)));
    }
    ERR_clear_error();
    if (!applicable) return {};
    if (stale) return result(RevocationState::unknown, "crl", "the CRL has expired");
    return result(RevocationState::good, "crl", "");
}

std::string ocsp_url(X509* cert) {
    std::string out;
    STACK_OF(OPENSSL_STRING)* urls = X509_get1_ocsp(cert);
    if (urls != nullptr && sk_OPENSSL_STRING_num(urls) > 0) out = sk_OPENSSL_STRING_value(urls, 0);
    X509_email_free(urls);
    return out;
}

RevocationResult check_ocsp(X509* cert, X509* issuer, long timeout_ms) {
    if (cert == nullptr || issuer == nullptr) return {};
    const std::string url = ocsp_url(cert);
    if (url.empty()) return {};
    char *host = nullptr, *port = nullptr, *path = nullptr;
    int ssl = 0;
    if (OSSL_HTTP_parse_url(url.c_str(), &ssl, nullptr, &host, &port, nullptr, &path, nullptr, nullptr) != 1) {
        ERR_clear_error();
        return result(RevocationState::unknown, "ocsp", "unreadable OCSP URL");
    }
    auto release = [&] {
        OPENSSL_free(host);
        OPENSSL_free(port);
        OPENSSL_free(path);
    };
    OCSP_CERTID* id = OCSP_cert_to_id(EVP_sha1(), cert, issuer);
    OCSP_REQUEST* req = OCSP_REQUEST_new();
    RevocationResult out = result(RevocationState::unknown, "ocsp", "");
    OCSP_RESPONSE* resp = nullptr;
    OCSP_BASICRESP* basic = nullptr;
    do {
        if (id == nullptr || req == nullptr || OCSP_request_add0_id(req, OCSP_CERTID_dup(id)) == nullptr) {
            out.detail = "cannot build the OCSP request";
            break;
        }
        OCSP_request_add1_nonce(req, nullptr, -1);
        std::unique_ptr<BIO, BioDeleter> req_bio(ASN1_item_i2d_mem_bio(ASN1_ITEM_rptr(OCSP_REQUEST),
                                                                      reinterpret_cast<const ASN1_VALUE*>(req)));
        const int timeout_s = static_cast<int>(timeout_ms <= 1000 ? 1 : timeout_ms / 1000);
        std::unique_ptr<BIO, BioDeleter> rsp_bio(
            OSSL_HTTP_transfer(nullptr, host, port, path, ssl, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, 0,
                               nullptr, "application/ocsp-request", req_bio.get(), "application/ocsp-response", 1,
                               1 << 20, timeout_s, 0));
        if (!rsp_bio) {
            out.detail = "the OCSP responder cannot be reached";
            break;
        }
        resp = reinterpret_cast<OCSP_RESPONSE*>(ASN1_item_d2i_bio(ASN1_ITEM_rptr(OCSP_RESPONSE), rsp_bio.get(), nullptr));
        if (resp == nullptr || OCSP_response_status(resp) != OCSP_RESPONSE_STATUS_SUCCESSFUL) {
            out.detail = "the OCSP responder answered an error";
            break;
        }
        basic = OCSP_response_get1_basic(resp);
        if (basic == nullptr) {
            out.detail = "no basic OCSP response";
            break;
        }
        // Signed by the issuer itself or by a responder the issuer certified (OCSP signing EKU).
        STACK_OF(X509)* certs = sk_X509_new_null();
        X509_STORE* store = X509_STORE_new();
        sk_X509_push(certs, issuer);
        X509_STORE_add_cert(store, issuer);
        const int ok = OCSP_basic_verify(basic, certs, store, OCSP_TRUSTOTHER | OCSP_PARTIAL_CHAIN);
        sk_X509_free(certs);
        X509_STORE_free(store);
        if (ok != 1) {
            out.detail = "the OCSP response signature does not verify";
            break;
        }
        if (OCSP_check_nonce(req, basic) == 0) {
            out.detail = "the OCSP response nonce does not match";
            break;
        }
        int status = 0, reason = 0;
        ASN1_GENERALIZEDTIME *rev = nullptr, *thisupd = nullptr, *nextupd = nullptr;
        if (OCSP_resp_find_status(basic, id, &status, &reason, &rev, &thisupd, &nextupd) != 1) {
            out.detail = "the OCSP response does not cover this certificate";
            break;
        }
        if (OCSP_check_validity(thisupd, nextupd, 300, -1) != 1) {
            out.detail = "the OCSP response is outside its validity";
            break;
        }
        if (status == V_OCSP_CERTSTATUS_GOOD) out = result(RevocationState::good, "ocsp", "");
        else if (status == V_OCSP_CERTSTATUS_REVOKED)
            out = result(RevocationState::revoked, "ocsp", "revoked (OCSP)", asn1_time_ms(rev));
        else out.detail = "the OCSP responder does not know this certificate";
    } while (false);
    OCSP_BASICRESP_free(basic);
    OCSP_RESPONSE_free(resp);
    OCSP_REQUEST_free(req);
    OCSP_CERTID_free(id);
    release();
    ERR_clear_error();
    return out;
}

}  // namespace idara::trust
