// The central's HTTP routes, called through the Router in-process.
#include "central_fixture.hpp"
#include "error_codes.hpp"

#include "core/i18n.hpp"

#include "exchange/conf.hpp"
#include "http/router.hpp"
#include "trust/keys.hpp"

#include <openssl/rand.h>
#include <openssl/ts.h>
#include <openssl/x509_vfy.h>

namespace idara::testing {
namespace {

class CentralRoutes : public CentralTest {
protected:
    void SetUp() override {
        CentralTest::SetUp();
        if (central_) central_->add_routes(router_);
    }

    http::Response call(http::Method m, const std::string& path, std::string body = {}, std::string type = {}) {
        auto match = router_.match(m, path);
        EXPECT_NE(match.handler, nullptr) << path;
        if (match.handler == nullptr) return http::Response::text(599, "no route");
        http::Request req;
        req.method = m;
        req.target = path;
        req.path = path;
        req.body = std::move(body);
        if (!type.empty()) req.headers.set("Content-Type", std::move(type));
        req.params = match.params;
        return (*match.handler)(req);
    }

    static std::string error_code(const http::Response& r) {
        boost::system::error_code ec;
        auto v = boost::json::parse(r.body, ec);
        if (ec || !v.is_object() || !v.as_object().contains("error")) return "<not an error body>";
        return std::string(v.at("error").at("code").as_string());
    }

    http::Router router_;
};

// A DER TimeStampReq over SHA-256(data), asking for the TSA certificate.
std::string timestamp_request(std::string_view data, TS_REQ** keep) {
    unsigned char md[32];
    unsigned int len = 0;
    EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
    TS_REQ* req = TS_REQ_new();
    TS_REQ_set_version(req, 1);
    TS_MSG_IMPRINT* imprint = TS_MSG_IMPRINT_new();
    X509_ALGOR* algo = X509_ALGOR_new();
    X509_ALGOR_set0(algo, OBJ_nid2obj(NID_sha256), V_ASN1_NULL, nullptr);
    TS_MSG_IMPRINT_set_algo(imprint, algo);
    TS_MSG_IMPRINT_set_msg(imprint, md, static_cast<int>(len));
    TS_REQ_set_msg_imprint(req, imprint);
    TS_MSG_IMPRINT_free(imprint);
    X509_ALGOR_free(algo);
    ASN1_INTEGER* nonce = ASN1_INTEGER_new();
    ASN1_INTEGER_set_int64(nonce, 0x1234567890LL);
    TS_REQ_set_nonce(req, nonce);
    ASN1_INTEGER_free(nonce);
    TS_REQ_set_cert_req(req, 1);
    unsigned char* der = nullptr;
    const int n = i2d_TS_REQ(req, &der);
    std::string out(reinterpret_cast<char*>(der), static_cast<std::size_t>(n));
    OPENSSL_free(der);
    *keep = req;
    return out;
}

TEST_F(CentralRoutes, ConfIsTheSignedEnvelope) {
    approved("member", member_json("MEN"));
    auto r = call(http::Method::get, "/conf");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.headers.get("Content-Type").value_or(""), "application/json");
    EXPECT_EQ(r.headers.get("Cache-Control").value_or(""), "no-store");
    auto conf = exchange::verify_conf(r.body, central_->public_key());
    ASSERT_TRUE(conf) << conf.error().detail;
    EXPECT_EQ(conf->serial, 1);
    EXPECT_EQ(conf->issued_at_ms, clock_.now_ms());
    EXPECT_FALSE(exchange::verify_conf(r.body, exchange::SigningKey::generate().public_key()));

    auto pk = call(http::Method::get, "/conf/public-key");
    EXPECT_EQ(pk.status, 200);
    auto parsed = exchange::parse_public_key_b64(pk.body);
    ASSERT_TRUE(parsed);
    EXPECT_EQ(*parsed, central_->public_key());
}

TEST_F(CentralRoutes, TsaGrantsATokenThatChainsToTheAnchor) {
    TS_REQ* req = nullptr;
    const std::string der = timestamp_request("merkle root", &req);
    auto r = call(http::Method::post, "/tsa", der, "application/timestamp-query");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.headers.get("Content-Type").value_or(""), "application/timestamp-reply");
    const auto* p = reinterpret_cast<const unsigned char*>(r.body.data());
    TS_RESP* resp = d2i_TS_RESP(nullptr, &p, static_cast<long>(r.body.size()));
    ASSERT_NE(resp, nullptr);
    EXPECT_EQ(ASN1_INTEGER_get(TS_STATUS_INFO_get0_status(TS_RESP_get_status_info(resp))), TS_STATUS_GRANTED);

    // The token verifies against the configuration's trust anchor (the central CA).
    TS_VERIFY_CTX* ctx = TS_REQ_to_TS_VERIFY_CTX(req, nullptr);
    X509_STORE* store = X509_STORE_new();
    auto ca = trust::cert_from_pem(read_text(dir_ + "/ca/ca.crt"));
    X509_STORE_add_cert(store, ca.get());
    TS_VERIFY_CTX_set_store(ctx, store);
    TS_VERIFY_CTX_add_flags(ctx, TS_VFY_SIGNATURE);
    EXPECT_EQ(TS_RESP_verify_response(ctx, resp), 1);
    TS_VERIFY_CTX_free(ctx);
    TS_RESP_free(resp);
    TS_REQ_free(req);
}

TEST_F(CentralRoutes, TsaRefusesWrongTypeAndGarbage) {
    TS_REQ* req = nullptr;
    const std::string der = timestamp_request("x", &req);
    TS_REQ_free(req);
    auto wrong = call(http::Method::post, "/tsa", der, "application/octet-stream");
    EXPECT_EQ(wrong.status, 415);
    EXPECT_EQ(error_code(wrong), "request.unsupported_media_type");
    auto none = call(http::Method::post, "/tsa", der);
    EXPECT_EQ(none.status, 415);
    auto garbage = call(http::Method::post, "/tsa", "not DER at all", "application/timestamp-query");
    EXPECT_EQ(garbage.status, 400);
    EXPECT_EQ(error_code(garbage), "trust.tsa_request");
    auto big = call(http::Method::post, "/tsa", std::string(20 * 1024, '\x30'), "application/timestamp-query");
    EXPECT_EQ(big.status, 413);
    EXPECT_EQ(error_code(big), "request.too_large");
}

TEST_F(CentralRoutes, RegistrationFilesPendingRequests) {
    auto r = call(http::Method::post, "/registration/members", member_json("MEN"), "application/json; charset=utf-8");
    ASSERT_EQ(r.status, 202) << r.body;
    auto v = boost::json::parse(r.body);
    EXPECT_EQ(v.at("request_id").as_int64(), 1);
    EXPECT_EQ(v.at("state").as_string(), "pending");
    auto list = central_->requests("pending");
    ASSERT_TRUE(list);
    ASSERT_EQ(list->size(), 1u);
    EXPECT_EQ((*list)[0].kind, "member");

    auto dup = call(http::Method::post, "/registration/members", member_json("MEN"), "application/json");
    EXPECT_EQ(dup.status, 409);
    EXPECT_EQ(error_code(dup), "exchange.duplicate");

    auto bad = call(http::Method::post, "/registration/members", R"({"class":"GOV"})", "application/json");
    EXPECT_EQ(bad.status, 400);
    EXPECT_EQ(error_code(bad), "exchange.bad_registration");

    auto sub = call(http::Method::post, "/registration/subsystems", subsystem_json("MA/GOV/MEN", "bac-results"),
                    "application/json");
    EXPECT_EQ(sub.status, 400);  // the member is still pending
    EXPECT_EQ(error_code(sub), "exchange.bad_registration");
    ASSERT_TRUE(central_->approve(1));
    sub = call(http::Method::post, "/registration/subsystems", subsystem_json("MA/GOV/MEN", "bac-results"),
               "application/json");
    EXPECT_EQ(sub.status, 202) << sub.body;

    auto gw = call(http::Method::post, "/registration/gateways", gateway_json("MA/GOV/MEN", "gw1", gateway_cert()),
                   "application/json");
    EXPECT_EQ(gw.status, 202) << gw.body;

    auto form = call(http::Method::post, "/registration/members", member_json("UNIV"), "text/plain");
    EXPECT_EQ(form.status, 415);
    EXPECT_EQ(central_->requests("all")->size(), 3u);
}

TEST_F(CentralRoutes, ErrorsHaveMessagesInBothLanguages) {
    auto bad = call(http::Method::post, "/registration/gateways", "{}", "application/json");
    ASSERT_EQ(bad.status, 400);
    auto v = boost::json::parse(bad.body);
    const auto& msg = v.at("error").at("message");
    const auto& cat = i18n::catalogue();
    EXPECT_EQ(msg.at("fr").as_string(), cat.get(i18n::Lang::fr, "error.exchange.bad_registration"));
    EXPECT_EQ(msg.at("ar").as_string(), cat.get(i18n::Lang::ar, "error.exchange.bad_registration"));
    // Every code the central's sources return has a message in both languages.
    const auto codes = error_codes_in({"src/exchange/central.cpp", "src/exchange/central_ca.cpp",
                                       "src/exchange/central_store.cpp", "app/cmd_exchange_central.cpp"});
    EXPECT_GE(codes.size(), 4u);
    for (const auto& code : codes)
        for (auto l : i18n::kAllLangs) EXPECT_TRUE(cat.has(l, "error." + code)) << code << " " << i18n::code(l);
}

}  // namespace
}  // namespace idara::testing
