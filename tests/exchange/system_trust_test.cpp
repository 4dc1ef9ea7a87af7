// System tests that change the running demo: a gateway whose TLS certificate is not the registered one,
// a rogue provider answering with a wrong request hash or a bad signature, and responses above the
// limits on both sides (provider gateway and client gateway).
#include "system_fixture.hpp"

#include "exchange/ed25519.hpp"
#include "exchange/ids.hpp"
#include "exchange/message.hpp"

#include <openssl/evp.h>
#include <openssl/pem.h>

#include <cstring>
#include <filesystem>
#include <mutex>

namespace idara::systest {
namespace {

std::string new_ec_key_pem() {
    EVP_PKEY* k = EVP_EC_gen("P-256");
    if (!k) throw std::runtime_error("EVP_EC_gen failed");
    BIO* b = BIO_new(BIO_s_mem());
    PEM_write_bio_PrivateKey(b, k, nullptr, nullptr, 0, nullptr, nullptr);
    char* data = nullptr;
    long n = BIO_get_mem_data(b, &data);
    std::string pem(data, static_cast<size_t>(n));
    BIO_free(b);
    EVP_PKEY_free(k);
    return pem;
}

// 4. A gateway whose certificate (from the same development CA) does not match its registered digest.
TEST(SystemCertificate, GatewayWithUnregisteredCertificateIsRefused) {
    std::unique_ptr<SystemEnv> env;
    ASSERT_NO_THROW(env = std::make_unique<SystemEnv>());
    const std::string student = demo_student();
    ASSERT_TRUE(is_ok(env->bac(student))) << env->logs();

    // A new key and a certificate for it from the central's CA: valid chain, digest not registered.
    const std::string rogue_dir = env->dir() + "/rogue";
    std::filesystem::create_directories(rogue_dir);
    write_text(rogue_dir + "/tls.key", new_ec_key_pem());
    auto issued = itest::run_idara({"exchange", "central", "issue-cert", "--dir", env->central_dir(), "--key",
                                    rogue_dir + "/tls.key", "--cn", "gw-univ-rogue", "--host", "127.0.0.1", "--out",
                                    rogue_dir + "/tls.crt"});
    ASSERT_EQ(issued.exit_code, 0) << issued.output;
    const Tls rogue{rogue_dir + "/tls.crt", rogue_dir + "/tls.key", env->ca_file()};

    // Straight to MEN's peer port with it: the TLS handshake is refused (no HTTP answer at all).
    const std::string url = "https://127.0.0.1:" + std::to_string(env->peer_port(Gw::men)) + "/r1/" + kBacService +
                            "/results/" + student;
    auto direct = http({.url = url, .headers = {"X-Road-Client: " + std::string(kUnivClient)}, .tls = rogue});
    EXPECT_NE(direct.curl_code, 0) << direct.describe();
    EXPECT_EQ(direct.status, 0);
    // Without any client certificate: refused as well.
    auto anonymous = http({.url = url, .tls = Tls{"", "", env->ca_file()}});
    EXPECT_NE(anonymous.curl_code, 0) << anonymous.describe();
    // Control: a registered gateway's certificate gets an HTTP answer.
    auto control = http({.url = url, .headers = {"X-Road-Client: MA/GOV/ETATCIVIL"}, .tls = env->gateway_tls(Gw::etatcivil)});
    EXPECT_TRUE(is_xroad_error(control, 500, "Server.ServerProxy.InvalidSignatureValue"));

    // UNIV's gateway restarted with that certificate: its exchanges fail and nothing reaches MEN.
    const std::string orig_key = read_text(env->gw_dir(Gw::univ) + "/tls.key");
    const std::string orig_crt = read_text(env->gw_dir(Gw::univ) + "/tls.crt");
    env->stop_gateway(Gw::univ);
    write_text(env->gw_dir(Gw::univ) + "/tls.key", read_text(rogue_dir + "/tls.key"));
    write_text(env->gw_dir(Gw::univ) + "/tls.crt", read_text(rogue_dir + "/tls.crt"));
    ASSERT_NO_THROW(env->start_gateway(Gw::univ)) << env->logs();
    const std::string q = new_query_id("bad-cert");
    auto r = env->bac(student, q);
    EXPECT_TRUE(is_xroad_error(r, 500, "Server.ClientProxy.SslAuthenticationFailed")) << env->logs();
    for (const auto& row : env->opdata(Gw::men)) EXPECT_NE(row.at("query_id"), q) << "MEN saw the refused exchange";
    auto client_rows = env->opdata(Gw::univ);
    bool logged = false;
    for (const auto& row : client_rows)
        if (row.at("query_id") == q) logged = row.at("error_type") == "Server.ClientProxy.SslAuthenticationFailed";
    EXPECT_TRUE(logged) << "UNIV's operational record of the failed exchange";

    // Back with the registered certificate: accepted again.
    env->stop_gateway(Gw::univ);
    write_text(env->gw_dir(Gw::univ) + "/tls.key", orig_key);
    write_text(env->gw_dir(Gw::univ) + "/tls.crt", orig_crt);
    ASSERT_NO_THROW(env->start_gateway(Gw::univ));
    EXPECT_TRUE(is_ok(env->bac(student))) << env->logs();
}

// ---- a rogue provider in place of MEN's gateway --------------------------------------------------
enum class Rogue { honest, wrong_hash, bad_signature, huge, huge_chunked };

class SystemRogueProvider : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        EnvOptions o;
        o.edit = [](exchange::GatewayConfig& c, Gw g) {
            if (g == Gw::men) c.limits.max_response_bytes = 100;     // any bac result is larger
            if (g == Gw::univ) c.limits.max_response_bytes = 16384;  // the rogue's huge answer is larger
        };
        try {
            env_ = std::make_unique<SystemEnv>(o);
        } catch (const std::exception& e) {
            error_ = e.what();
        }
    }
    static void TearDownTestSuite() { env_.reset(); }
    void SetUp() override {
        if (!env_) GTEST_FAIL() << "environment did not start: " << error_;
    }
    SystemEnv& env() { return *env_; }

    // Replaces MEN's gateway by a TLS server presenting MEN's registered certificate and answering
    // responses signed with MEN's key, tampered as `mode` says.
    std::unique_ptr<RogueServer> rogue(Rogue mode) {
        env().stop_gateway(Gw::men);
        auto men_key = exchange::SigningKey::load(env().gw_dir(Gw::men) + "/sign.key");
        auto univ_key = exchange::SigningKey::load(env().gw_dir(Gw::univ) + "/sign.key");
        if (!men_key || !univ_key) throw std::runtime_error("sign keys");
        const std::string body = mode == Rogue::huge || mode == Rogue::huge_chunked
                                     ? "{\"pad\":\"" + std::string(64 * 1024, 'x') + "\"}"
                                     : "{\"rogue\":true}";
        auto handler = [this, mode, body, men = *men_key, univ_pk = univ_key->public_key()](const RawRequest& q) {
            exchange::RequestParts p;
            p.method = q.method;
            p.target = q.target;
            p.client = q.header("x-road-client");
            p.query_id = q.header("x-road-id");
            p.user_id = q.header("x-road-userid");
            p.issue = q.header("x-road-issue");
            p.content_type = q.header("content-type");
            p.body_sha256 = exchange::sha256(q.body);
            const std::string canon = exchange::canonical(p).value();
            {
                auto sig = exchange::parse_signature_header(q.header("x-road-signature"));
                std::lock_guard lk(mu_);
                request_signature_ok_ = sig && exchange::verify_canonical(univ_pk, canon, sig->sig);
            }
            exchange::ResponseParts rp;
            rp.status = 200;
            rp.query_id = p.query_id;
            rp.request_hash = exchange::request_hash(mode == Rogue::wrong_hash ? canon + "x" : canon);
            rp.content_type = "application/json";
            rp.body_sha256 = exchange::sha256(body);
            const std::string rcanon = exchange::canonical(rp).value();
            const auto signer = exchange::parse_member_id("MA/GOV/MEN").value();
            std::string sig = mode == Rogue::bad_signature
                                  ? exchange::signature_header(signer, exchange::SigningKey::generate(), rcanon)
                                  : exchange::signature_header(signer, men, rcanon);
            return raw_response(200,
                                {{"Content-Type", "application/json"},
                                 {"X-Road-Id", rp.query_id},
                                 {"X-Road-Request-Hash", rp.request_hash},
                                 {"X-Road-Signature", sig}},
                                body, mode == Rogue::huge_chunked);
        };
        return std::make_unique<RogueServer>(env().peer_port(Gw::men), env().gw_dir(Gw::men) + "/tls.crt",
                                             env().gw_dir(Gw::men) + "/tls.key", handler);
    }
    // Calls UNIV → MEN until the rogue answered once (the client gateway may first try a pooled
    // connection to the stopped gateway).
    HttpResult call_rogue(RogueServer& s) {
        HttpResult r;
        eventually(
            [&] {
                r = env().bac(demo_student());
                return s.requests() > 0;
            },
            std::chrono::seconds(10), std::chrono::milliseconds(200));
        return r;
    }
    bool request_signature_ok() {
        std::lock_guard lk(mu_);
        return request_signature_ok_;
    }

    static inline std::unique_ptr<SystemEnv> env_;
    static inline std::string error_;
    std::mutex mu_;
    bool request_signature_ok_ = false;
};

// 9 (response side, provider). MEN's gateway refuses a back-end answer above its max_response_bytes.
TEST_F(SystemRogueProvider, ProviderResponseTooLarge) {
    ASSERT_NO_THROW(env().start_gateway(Gw::men));  // (again, if an earlier test stopped it)
    EXPECT_TRUE(is_xroad_error(env().bac(demo_student()), 500, "Server.ServerProxy.ResponseTooLarge")) << env().logs();
    EXPECT_TRUE(is_ok(env().birth(demo_national_id())));  // ETATCIVIL has the default limits
}

// 6. A response whose X-Road-Request-Hash is not the one of the request.
TEST_F(SystemRogueProvider, WrongRequestHashIsRefused) {
    auto s = rogue(Rogue::wrong_hash);
    auto r = call_rogue(*s);
    EXPECT_TRUE(is_xroad_error(r, 500, "Server.ClientProxy.InvalidRequestHash")) << env().logs();
    EXPECT_EQ(r.body.find("rogue"), std::string::npos);
    EXPECT_TRUE(request_signature_ok()) << "the rogue could not verify UNIV's request signature: the test is wrong";
}

// 6. A response with a bad signature; an honest answer from the same server goes through (control).
TEST_F(SystemRogueProvider, BadResponseSignatureIsRefused) {
    {
        auto s = rogue(Rogue::bad_signature);
        auto r = call_rogue(*s);
        EXPECT_TRUE(is_xroad_error(r, 500, "Server.ClientProxy.InvalidSignatureValue")) << env().logs();
        EXPECT_EQ(r.body.find("rogue"), std::string::npos);
    }
    auto s = rogue(Rogue::honest);
    auto r = call_rogue(*s);
    EXPECT_TRUE(is_ok(r)) << env().logs();
    EXPECT_EQ(r.body, "{\"rogue\":true}");
    EXPECT_TRUE(request_signature_ok());
}

// 9 (response side, client). UNIV's gateway refuses a (correctly signed) answer above its limit.
TEST_F(SystemRogueProvider, ClientResponseTooLarge) {
    {
        auto s = rogue(Rogue::huge);
        EXPECT_TRUE(is_xroad_error(call_rogue(*s), 500, "Server.ClientProxy.ResponseTooLarge")) << env().logs();
    }
    auto s = rogue(Rogue::huge_chunked);
    EXPECT_TRUE(is_xroad_error(call_rogue(*s), 500, "Server.ClientProxy.ResponseTooLarge")) << env().logs();
}

}  // namespace
}  // namespace idara::systest
