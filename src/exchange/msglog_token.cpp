// RFC 3161 token check for the message log's batches (exchange/msglog_record.hpp, check_token):
// the imprint must be the batch's Merkle root; the token's signature, version and signing
// certificate are checked by OpenSSL (TS_RESP_verify_token) at the token's genTime, against the
// anchors or, when none are given, against the token's own signer certificate only.
#include "exchange/msglog_record.hpp"

#include "trust/keys.hpp"
#include "trust/ossl_handles.hpp"

#include <openssl/err.h>
#include <openssl/ts.h>

#include <cstring>
#include <memory>

namespace idara::exchange::msglog {

namespace {

using P7Ptr = std::unique_ptr<PKCS7, trust::P7Deleter>;
using StorePtr = std::unique_ptr<X509_STORE, trust::StoreDeleter>;

struct TstDeleter {
    void operator()(TS_TST_INFO* t) const { TS_TST_INFO_free(t); }
};
struct VerifyCtxDeleter {
    void operator()(TS_VERIFY_CTX* c) const { TS_VERIFY_CTX_free(c); }
};

std::string openssl_reason() {
    const unsigned long e = ERR_peek_last_error();
    char msg[256] = "unknown reason";
    if (e != 0) ERR_error_string_n(e, msg, sizeof msg);
    ERR_clear_error();
    return msg;
}

StorePtr make_store(PKCS7* p7, const std::vector<std::string>& anchors_pem) {
    StorePtr store(X509_STORE_new());
    if (!store) return store;
    if (!anchors_pem.empty()) {
        for (const auto& pem : anchors_pem)
            for (auto& c : trust::certs_from_pem(pem)) X509_STORE_add_cert(store.get(), c.get());
    } else if (STACK_OF(X509)* signers = PKCS7_get0_signers(p7, nullptr, 0)) {
        // No anchors: trust the signer's own certificate (signature checked, chain not).
        for (int i = 0; i < sk_X509_num(signers); ++i) X509_STORE_add_cert(store.get(), sk_X509_value(signers, i));
        sk_X509_free(signers);
        X509_STORE_set_flags(store.get(), X509_V_FLAG_PARTIAL_CHAIN);
    }
    ERR_clear_error();
    return store;
}

}  // namespace

std::string check_token(std::string_view token_der, const journal::Hash& root,
                        const std::vector<std::string>& anchors_pem) {
    if (token_der.empty() || token_der.size() > (1u << 24)) return "time-stamp token is missing";
    const auto* p = reinterpret_cast<const unsigned char*>(token_der.data());
    P7Ptr p7(d2i_PKCS7(nullptr, &p, static_cast<long>(token_der.size())));
    if (!p7 || p != reinterpret_cast<const unsigned char*>(token_der.data()) + token_der.size()) {
        ERR_clear_error();
        return "time-stamp token is not a CMS SignedData";
    }
    std::unique_ptr<TS_TST_INFO, TstDeleter> info(PKCS7_to_TS_TST_INFO(p7.get()));
    if (!info) {
        ERR_clear_error();
        return "time-stamp token holds no TSTInfo";
    }
    TS_MSG_IMPRINT* mi = TS_TST_INFO_get_msg_imprint(info.get());
    const ASN1_OBJECT* alg = nullptr;
    X509_ALGOR_get0(&alg, nullptr, nullptr, TS_MSG_IMPRINT_get_algo(mi));
    const ASN1_OCTET_STRING* imprint = TS_MSG_IMPRINT_get_msg(mi);
    if (OBJ_obj2nid(alg) != NID_sha256 || imprint == nullptr ||
        static_cast<std::size_t>(ASN1_STRING_length(imprint)) != root.size() ||
        std::memcmp(ASN1_STRING_get0_data(imprint), root.data(), root.size()) != 0)
        return "time-stamp imprint is not the root";
    const std::int64_t gen_ms = trust::asn1_time_ms(TS_TST_INFO_get_time(info.get()));

    StorePtr store = make_store(p7.get(), anchors_pem);
    std::unique_ptr<TS_VERIFY_CTX, VerifyCtxDeleter> ctx(TS_VERIFY_CTX_new());
    if (!store || !ctx) return "time-stamp token could not be checked (out of memory)";
    if (gen_ms > 0) X509_VERIFY_PARAM_set_time(X509_STORE_get0_param(store.get()), static_cast<time_t>(gen_ms / 1000));
    TS_VERIFY_CTX_set_flags(ctx.get(), TS_VFY_VERSION | TS_VFY_SIGNATURE | TS_VFY_IMPRINT);
    TS_VERIFY_CTX_set_store(ctx.get(), store.release());
    auto* buf = static_cast<unsigned char*>(OPENSSL_malloc(root.size()));
    if (buf == nullptr) return "time-stamp token could not be checked (out of memory)";
    std::memcpy(buf, root.data(), root.size());
    TS_VERIFY_CTX_set_imprint(ctx.get(), buf, static_cast<long>(root.size()));
    if (TS_RESP_verify_token(ctx.get(), p7.get()) != 1)
        return std::string(anchors_pem.empty() ? "time-stamp token signature does not verify: "
                                               : "time-stamp token does not verify against the trust anchors: ") +
               openssl_reason();
    ERR_clear_error();
    return {};
}

}  // namespace idara::exchange::msglog
