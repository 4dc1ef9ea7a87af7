#include "trust/tsa.hpp"

#include "trust/tsa_protocol.hpp"

#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/ts.h>
#include <openssl/x509v3.h>

#include <chrono>
#include <cstring>
#include <memory>

namespace idara::trust {

namespace tsa_protocol {

namespace {
struct TsReqDel {
    void operator()(TS_REQ* r) const { TS_REQ_free(r); }
    void operator()(TS_RESP* r) const { TS_RESP_free(r); }
    void operator()(TS_MSG_IMPRINT* m) const { TS_MSG_IMPRINT_free(m); }
    void operator()(X509_ALGOR* a) const { X509_ALGOR_free(a); }
    void operator()(ASN1_INTEGER* i) const { ASN1_INTEGER_free(i); }
    void operator()(BIGNUM* b) const { BN_free(b); }
};
template <class T>
using Own = std::unique_ptr<T, TsReqDel>;

std::string integer_bytes(const ASN1_INTEGER* i) {
    Own<BIGNUM> bn(ASN1_INTEGER_to_BN(i, nullptr));
    if (!bn) return {};
    std::string out(static_cast<std::size_t>(BN_num_bytes(bn.get())), '\0');
    BN_bn2bin(bn.get(), reinterpret_cast<unsigned char*>(out.data()));
    return out;
}
}  // namespace

Result<Request> make_request(std::span<const unsigned char, 32> sha256) {
    Own<TS_REQ> req(TS_REQ_new());
    Own<TS_MSG_IMPRINT> imprint(TS_MSG_IMPRINT_new());
    Own<X509_ALGOR> algo(X509_ALGOR_new());
    unsigned char nonce_bytes[8];
    if (!req || !imprint || !algo || RAND_bytes(nonce_bytes, sizeof nonce_bytes) != 1)
        return unavailable("cannot build a time-stamp request");
    nonce_bytes[0] = static_cast<unsigned char>((nonce_bytes[0] & 0x7f) | 0x40);  // positive, 8 bytes long
    Own<BIGNUM> bn(BN_bin2bn(nonce_bytes, sizeof nonce_bytes, nullptr));
    Own<ASN1_INTEGER> nonce(BN_to_ASN1_INTEGER(bn.get(), nullptr));
    const bool ok = nonce && X509_ALGOR_set0(algo.get(), OBJ_nid2obj(NID_sha256), V_ASN1_NULL, nullptr) == 1 &&
                    TS_MSG_IMPRINT_set_algo(imprint.get(), algo.get()) == 1 &&
                    TS_MSG_IMPRINT_set_msg(imprint.get(), const_cast<unsigned char*>(sha256.data()), 32) == 1 &&
                    TS_REQ_set_version(req.get(), 1) == 1 && TS_REQ_set_msg_imprint(req.get(), imprint.get()) == 1 &&
                    TS_REQ_set_nonce(req.get(), nonce.get()) == 1 && TS_REQ_set_cert_req(req.get(), 1) == 1;
    unsigned char* der = nullptr;
    const int n = ok ? i2d_TS_REQ(req.get(), &der) : -1;
    if (n <= 0) return unavailable("cannot encode a time-stamp request");
    Request r;
    r.der.assign(reinterpret_cast<const char*>(der), static_cast<std::size_t>(n));
    OPENSSL_free(der);
    r.nonce.assign(reinterpret_cast<const char*>(nonce_bytes), sizeof nonce_bytes);
    return r;
}

Result<std::string> token_from_response(std::string_view der_response, std::span<const unsigned char, 32> sha256,
                                        const std::string& nonce) {
    const auto* p = reinterpret_cast<const unsigned char*>(der_response.data());
    Own<TS_RESP> resp(d2i_TS_RESP(nullptr, &p, static_cast<long>(der_response.size())));
    if (!resp) return unavailable("the answer is not a TimeStampResp");
    const long status = ASN1_INTEGER_get(TS_STATUS_INFO_get0_status(TS_RESP_get_status_info(resp.get())));
    if (status != TS_STATUS_GRANTED && status != TS_STATUS_GRANTED_WITH_MODS)
        return unavailable("the authority refused: status " + std::to_string(status));
    TS_TST_INFO* info = TS_RESP_get_tst_info(resp.get());
    PKCS7* token = TS_RESP_get_token(resp.get());
    if (info == nullptr || token == nullptr) return unavailable("granted without a token");
    TS_MSG_IMPRINT* imprint = TS_TST_INFO_get_msg_imprint(info);
    const ASN1_OCTET_STRING* digest = TS_MSG_IMPRINT_get_msg(imprint);
    const X509_ALGOR* algo = TS_MSG_IMPRINT_get_algo(imprint);
    if (OBJ_obj2nid(algo->algorithm) != NID_sha256 || ASN1_STRING_length(digest) != 32 ||
        std::memcmp(ASN1_STRING_get0_data(digest), sha256.data(), 32) != 0)
        return unavailable("the token is over another imprint");
    const ASN1_INTEGER* got = TS_TST_INFO_get_nonce(info);
    if (got == nullptr || integer_bytes(got) != nonce) return unavailable("the token's nonce differs");
    unsigned char* der = nullptr;
    const int n = i2d_PKCS7(token, &der);
    if (n <= 0) return unavailable("cannot encode the token");
    std::string out(reinterpret_cast<const char*>(der), static_cast<std::size_t>(n));
    OPENSSL_free(der);
    return out;
}

}  // namespace tsa_protocol

namespace {

struct CtxDel {
    void operator()(TS_RESP_CTX* c) const { TS_RESP_CTX_free(c); }
    void operator()(TS_RESP* r) const { TS_RESP_free(r); }
    void operator()(BIO* b) const { BIO_free(b); }
    void operator()(ASN1_OBJECT* o) const { ASN1_OBJECT_free(o); }
};

// Random positive 128-bit serial numbers: unique without shared state.
ASN1_INTEGER* random_serial(TS_RESP_CTX*, void*) {
    unsigned char bytes[16];
    if (RAND_bytes(bytes, sizeof bytes) != 1) return nullptr;
    bytes[0] = static_cast<unsigned char>((bytes[0] & 0x7f) | 0x01);
    BIGNUM* bn = BN_bin2bn(bytes, sizeof bytes, nullptr);
    ASN1_INTEGER* i = bn ? BN_to_ASN1_INTEGER(bn, nullptr) : nullptr;
    BN_free(bn);
    return i;
}

int clock_time(TS_RESP_CTX*, void* data, long* sec, long* usec) {
    const auto* clock = static_cast<const Clock*>(data);
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(clock->now().time_since_epoch()).count();
    *sec = static_cast<long>(us / 1000000);
    *usec = static_cast<long>(us % 1000000);
    return 1;
}

class Builtin final : public BuiltinTsa {
public:
    Builtin(SigningIdentity id, const Clock& clock, BuiltinTsaOptions o)
        : id_(std::move(id)), clock_(clock), o_(std::move(o)) {
        if (!id_.key || !id_.cert) {
            problem_ = "no TSA key or certificate";
            return;
        }
        // OpenSSL's own check, as TS_RESP_CTX_set_signer_cert makes it: critical EKU timeStamping only.
        if (X509_check_purpose(id_.cert.get(), X509_PURPOSE_TIMESTAMP_SIGN, 0) != 1) {
            problem_ = "the TSA certificate lacks the critical extended key usage timeStamping";
            return;
        }
        policy_.reset(OBJ_txt2obj(o_.policy_oid.c_str(), 1));
        if (!policy_) problem_ = "invalid TSA policy OID " + o_.policy_oid;
    }

    Result<std::string> respond(std::string_view der_request) override {
        if (der_request.empty() || der_request.size() > std::size_t{64} * 1024)
            return Error{"trust.tsa_request", 400, "empty or oversized request"};
        {
            const auto* p = reinterpret_cast<const unsigned char*>(der_request.data());
            TS_REQ* req = d2i_TS_REQ(nullptr, &p, static_cast<long>(der_request.size()));
            const bool whole = req != nullptr && p == reinterpret_cast<const unsigned char*>(der_request.data()) +
                                                             der_request.size();
            TS_REQ_free(req);
            if (!whole) {
                ERR_clear_error();
                return Error{"trust.tsa_request", 400, "not a DER TimeStampReq"};
            }
        }
        std::unique_ptr<TS_RESP, CtxDel> resp(create(der_request));
        if (!resp) return tsa_protocol::unavailable("the built-in authority failed");
        unsigned char* der = nullptr;
        const int n = i2d_TS_RESP(resp.get(), &der);
        if (n <= 0) return tsa_protocol::unavailable("cannot encode the response");
        std::string out(reinterpret_cast<const char*>(der), static_cast<std::size_t>(n));
        OPENSSL_free(der);
        return out;
    }

    Result<std::string> timestamp(std::span<const unsigned char, 32> sha256) override {
        if (!problem_.empty()) return tsa_protocol::unavailable(problem_);
        auto req = tsa_protocol::make_request(sha256);
        if (!req) return req.error();
        auto resp = respond(req->der);
        if (!resp) return tsa_protocol::unavailable(resp.error().detail);
        return tsa_protocol::token_from_response(*resp, sha256, req->nonce);
    }

private:
    // One context per request: TS_RESP_CTX holds the request being answered, so sharing one
    // would need a lock; making one costs a few reference counts.
    TS_RESP* create(std::string_view der_request) {
        if (!problem_.empty()) return system_failure();
        std::unique_ptr<TS_RESP_CTX, CtxDel> ctx(TS_RESP_CTX_new());
        if (!ctx) return nullptr;
        TS_RESP_CTX* c = ctx.get();
        STACK_OF(X509)* chain = sk_X509_new_null();
        for (const auto& x : id_.chain) sk_X509_push(chain, x.get());
        const bool ok = chain != nullptr && TS_RESP_CTX_set_signer_cert(c, id_.cert.get()) == 1 &&
                        TS_RESP_CTX_set_signer_key(c, id_.key.get()) == 1 && TS_RESP_CTX_set_certs(c, chain) == 1 &&
                        TS_RESP_CTX_set_def_policy(c, policy_.get()) == 1 && TS_RESP_CTX_add_md(c, EVP_sha256()) == 1 &&
                        TS_RESP_CTX_add_md(c, EVP_sha384()) == 1 && TS_RESP_CTX_add_md(c, EVP_sha512()) == 1 &&
                        TS_RESP_CTX_set_accuracy(c, o_.accuracy_seconds, 0, 0) == 1 &&
                        TS_RESP_CTX_set_signer_digest(c, EVP_sha256()) == 1 &&
                        TS_RESP_CTX_set_ess_cert_id_digest(c, EVP_sha256()) == 1;
        sk_X509_free(chain);  // set_certs keeps its own references
        TS_RESP_CTX_set_serial_cb(c, &random_serial, nullptr);
        TS_RESP_CTX_set_time_cb(c, &clock_time, const_cast<Clock*>(&clock_));
        TS_RESP_CTX_add_flags(c, TS_ESS_CERT_ID_CHAIN);
        if (!ok) {
            ERR_clear_error();
            return nullptr;
        }
        std::unique_ptr<BIO, CtxDel> in(BIO_new_mem_buf(der_request.data(), static_cast<int>(der_request.size())));
        TS_RESP* resp = in ? TS_RESP_create_response(c, in.get()) : nullptr;
        ERR_clear_error();
        return resp;
    }

    // An unusable identity: a "rejection" answer rather than none (RFC 3161 §2.4.2; OpenSSL has no
    // public setter for failInfo outside a TS_RESP_CTX, which needs a signer).
    static TS_RESP* system_failure() {
        TS_RESP* resp = TS_RESP_new();
        TS_STATUS_INFO* si = TS_STATUS_INFO_new();
        const bool ok = resp && si && TS_STATUS_INFO_set_status(si, TS_STATUS_REJECTION) == 1 &&
                        TS_RESP_set_status_info(resp, si) == 1;  // copies si
        TS_STATUS_INFO_free(si);
        if (!ok) {
            TS_RESP_free(resp);
            return nullptr;
        }
        return resp;
    }

    SigningIdentity id_;
    const Clock& clock_;
    BuiltinTsaOptions o_;
    std::unique_ptr<ASN1_OBJECT, CtxDel> policy_;
    std::string problem_;  // why this identity cannot time-stamp; empty when it can
};

}  // namespace

std::unique_ptr<BuiltinTsa> make_builtin_tsa(SigningIdentity tsa, const Clock& clock, BuiltinTsaOptions o) {
    return std::make_unique<Builtin>(std::move(tsa), clock, std::move(o));
}

}  // namespace idara::trust
