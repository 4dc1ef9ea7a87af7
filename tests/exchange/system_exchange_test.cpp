// System tests sharing one running demo (central, two back-ends, three gateways as `idara` processes):
// a successful exchange through two gateways, unknown clients, access not granted, unsigned or tampered
// messages sent straight to a peer port, oversized requests and the metaservices.
// None of them changes the environment, so one environment serves the whole suite.
#include "system_fixture.hpp"

#include "exchange/ed25519.hpp"
#include "exchange/ids.hpp"
#include "exchange/message.hpp"

#include <boost/json.hpp>

namespace idara::systest {
namespace {

namespace json = boost::json;

class SystemExchange : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        EnvOptions o;
        o.edit = [](exchange::GatewayConfig& c, Gw g) {
            if (g == Gw::men) {
                // A second service of MEN that nobody is granted: listMethods shows it, allowedMethods does not.
                exchange::ServiceDef stats = c.services.at(0);
                stats.code = "bac-stats";
                c.services.push_back(stats);
            }
            if (g == Gw::univ) c.limits.max_request_bytes = 4096;
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
    HttpResult backend(const std::string& kind, const std::string& path) {
        return http({.url = "http://127.0.0.1:" + std::to_string(env().backend_port(kind)) + path});
    }
    const std::map<std::string, std::string>* find_op(Gw g, const std::string& qid,
                                                      std::vector<std::map<std::string, std::string>>& rows) {
        rows = env().opdata(g);
        for (const auto& r : rows)
            if (r.count("query_id") && r.at("query_id") == qid) return &r;
        return nullptr;
    }
    // Polls the operational records of `g` until `qid` shows up (they are durable before the answer,
    // but the provider may answer the client gateway an instant before its record commits).
    std::map<std::string, std::string> wait_op(Gw g, const std::string& qid) {
        std::vector<std::map<std::string, std::string>> rows;
        std::map<std::string, std::string> found;
        eventually(
            [&] {
                if (auto* r = find_op(g, qid, rows)) found = *r;
                return !found.empty();
            },
            std::chrono::seconds(5));
        return found;
    }

    static inline std::unique_ptr<SystemEnv> env_;
    static inline std::string error_;
};

// 1. A successful exchange UNIV → MEN and UNIV → ETATCIVIL through two gateways each.
TEST_F(SystemExchange, SuccessfulExchangeThroughTwoGateways) {
    const std::string student = demo_student(), nid = demo_national_id();
    const std::string q1 = new_query_id("ok-bac"), q2 = new_query_id("ok-birth");

    auto r = env().bac(student, q1);
    ASSERT_TRUE(is_ok(r)) << env().logs();
    auto direct = backend("bac", "/results/" + student);
    ASSERT_EQ(direct.status, 200) << direct.describe();
    EXPECT_EQ(r.body, direct.body);  // the back-end's answer, unchanged
    EXPECT_NE(r.body.find(student), std::string::npos);
    EXPECT_EQ(r.header("x-road-id").value_or(""), q1);
    const std::string hash = r.header("x-road-request-hash").value_or("");
    auto raw = exchange::unb64(hash);
    ASSERT_TRUE(raw.has_value()) << "X-Road-Request-Hash: '" << hash << "'";
    EXPECT_EQ(raw->size(), 32u);

    auto b = env().birth(nid, q2);
    ASSERT_TRUE(is_ok(b)) << env().logs();
    auto direct_b = backend("birth", "/births/" + nid);
    ASSERT_EQ(direct_b.status, 200) << direct_b.describe();
    EXPECT_EQ(b.body, direct_b.body);
    EXPECT_EQ(b.header("x-road-id").value_or(""), q2);
    EXPECT_FALSE(b.header("x-road-request-hash").value_or("").empty());

    // A fresh X-Road-Id is given when the information system sends none.
    auto anon = env().bac(student);
    ASSERT_TRUE(is_ok(anon));
    EXPECT_FALSE(anon.header("x-road-id").value_or("").empty());

    // Operational records on both sides, read by each gateway's owner on its admin port.
    auto client_row = wait_op(Gw::univ, q1);
    ASSERT_FALSE(client_row.empty()) << env().admin_get(Gw::univ, "/opdata?since=0&limit=100").describe();
    EXPECT_EQ(client_row["success"], "true");
    EXPECT_EQ(client_row["service"], kBacService);
    EXPECT_EQ(client_row["client"], kUnivClient);
    auto server_row = wait_op(Gw::men, q1);
    ASSERT_FALSE(server_row.empty()) << env().admin_get(Gw::men, "/opdata?since=0&limit=100").describe();
    EXPECT_EQ(server_row["success"], "true");
    EXPECT_NE(client_row["direction"], server_row["direction"]);
    auto birth_row = wait_op(Gw::etatcivil, q2);
    ASSERT_FALSE(birth_row.empty());
    EXPECT_EQ(birth_row["success"], "true");
    std::vector<std::map<std::string, std::string>> rows;
    EXPECT_EQ(find_op(Gw::etatcivil, q1, rows), nullptr);  // MEN's exchange never reached ETATCIVIL

    // The admin port wants the bearer token.
    EXPECT_EQ(env().admin_get(Gw::univ, "/opdata?since=0&limit=10", false).status, 401);
    EXPECT_EQ(http({.url = "http://127.0.0.1:" + std::to_string(env().admin_port(Gw::univ)) + "/metrics",
                    .headers = {"Authorization: Bearer 00" + env().admin_token(Gw::univ).substr(2)}})
                  .status,
              401);

    for (Gw g : {Gw::univ, Gw::men}) {
        auto m = env().admin_get(g, "/metrics");
        ASSERT_EQ(m.status, 200) << m.describe();
        EXPECT_NE(m.body.find("idara_exchange_requests_total{"), std::string::npos) << m.body;
        EXPECT_NE(m.body.find("result=\"ok\""), std::string::npos) << m.body;
        EXPECT_NE(m.body.find("idara_exchange_log_accepting"), std::string::npos) << m.body;
    }
}

// 2. Unknown or malformed X-Road-Client: refused by the client gateway with 400 Client.*.
TEST_F(SystemExchange, UnknownClientIsRefused) {
    const std::string path = std::string(kBacService) + "/results/" + demo_student();
    const std::string q = new_query_id("unknown-client");
    // A member that is not in the configuration (so not UNIV's gateway's member either).
    EXPECT_TRUE(is_xroad_error(env().call(Gw::univ, "GET", path, {"X-Road-Id: " + q}, "", "MA/GOV/NOBODY/registration"),
                               400, "Client.InvalidClientIdentifier"));
    EXPECT_TRUE(is_xroad_error(env().call(Gw::univ, "GET", path, {"X-Road-Id: " + q}, "", "MA/GOV/NOBODY"), 400,
                               "Client.InvalidClientIdentifier"));
    // UNIV's own member with a subsystem the configuration does not list.
    EXPECT_TRUE(is_xroad_error(env().call(Gw::univ, "GET", path, {"X-Road-Id: " + q}, "", "MA/GOV/UNIV/nosuchsubsystem"),
                               400, "Client.UnknownMember"));
    // Another gateway's member cannot be used through UNIV's client port.
    EXPECT_TRUE(is_xroad_error(env().call(Gw::univ, "GET", path, {}, "", "MA/GOV/MEN/bac-results"), 400,
                               "Client.InvalidClientIdentifier"));
    // Malformed identifiers and a missing header.
    for (const std::string bad : {"MA/GOV", "MA/GOV/UNIV/registration/extra/x", "MA/GOV/UN!V/registration",
                                  "MA/GOV/../registration", ""}) {
        std::vector<std::string> h;
        if (bad.empty()) h.push_back("X-Road-Client:");
        EXPECT_TRUE(is_xroad_error(env().call(Gw::univ, "GET", path, h, "", bad), 400, "Client.InvalidClientIdentifier"))
            << "client '" << bad << "'";
    }
    // A provider that is not in the configuration.
    EXPECT_TRUE(is_xroad_error(env().call(Gw::univ, "GET", "MA/GOV/NOBODY/sub/svc/x"), 500,
                               "Server.ClientProxy.UnknownMember"));
    // Nothing of it reached MEN.
    std::vector<std::map<std::string, std::string>> rows;
    EXPECT_EQ(find_op(Gw::men, q, rows), nullptr);
}

// 3. Access not granted: deny by default on the provider side.
TEST_F(SystemExchange, AccessNotGrantedIsDenied) {
    const std::string student = demo_student();
    // MEN (the member itself, through its own gateway) asks ETATCIVIL for a birth record: no rule.
    const std::string q = new_query_id("denied");
    auto r = env().call(Gw::men, "GET", std::string(kBirthService) + "/births/" + demo_national_id(),
                        {"X-Road-Id: " + q}, "", "MA/GOV/MEN");
    EXPECT_TRUE(is_xroad_error(r, 500, "Server.ServerProxy.AccessDenied")) << env().logs();
    auto row = wait_op(Gw::etatcivil, q);
    ASSERT_FALSE(row.empty());
    EXPECT_EQ(row["success"], "false");
    EXPECT_EQ(row["error_type"], "Server.ServerProxy.AccessDenied");

    // UNIV: a path outside /results/*, a method not granted, a service of MEN it was not granted.
    EXPECT_TRUE(is_xroad_error(env().call(Gw::univ, "GET", std::string(kBacService) + "/students/" + student), 500,
                               "Server.ServerProxy.AccessDenied"));
    EXPECT_TRUE(is_xroad_error(env().call(Gw::univ, "GET", std::string(kBacService) + "/results/" + student + "/more"),
                               500, "Server.ServerProxy.AccessDenied"));
    EXPECT_TRUE(is_xroad_error(env().call(Gw::univ, "POST", std::string(kBacService) + "/results/" + student,
                                          {"Content-Type: application/json"}, "{}"),
                               500, "Server.ServerProxy.AccessDenied"));
    EXPECT_TRUE(is_xroad_error(env().call(Gw::univ, "GET", "MA/GOV/MEN/bac-results/bac-stats/results/" + student), 500,
                               "Server.ServerProxy.AccessDenied"));
    // A service MEN does not offer at all.
    EXPECT_TRUE(is_xroad_error(env().call(Gw::univ, "GET", "MA/GOV/MEN/bac-results/nothing/x"), 500,
                               "Server.ServerProxy.UnknownService"));
    // The granted call still works (the denials above are about the rules, not a broken setup).
    EXPECT_TRUE(is_ok(env().bac(student)));
}

// 5. Unsigned or tampered messages sent straight to MEN's peer port with UNIV's registered TLS identity.
TEST_F(SystemExchange, UnsignedOrTamperedMessageIsRefused) {
    const std::string student = demo_student();
    const std::string target = "/r1/" + std::string(kBacService) + "/results/" + student;
    const std::string url = "https://127.0.0.1:" + std::to_string(env().peer_port(Gw::men)) + target;
    const std::string univ_key = env().gw_dir(Gw::univ) + "/sign.key";
    auto send = [&](std::vector<std::string> headers) {
        return http({.url = url, .headers = std::move(headers), .tls = env().gateway_tls(Gw::univ)});
    };

    // No X-Road-Signature at all.
    const std::string q0 = new_query_id("unsigned");
    EXPECT_TRUE(is_xroad_error(send({"X-Road-Client: " + std::string(kUnivClient), "X-Road-Id: " + q0}), 500,
                               "Server.ServerProxy.InvalidSignatureValue"))
        << env().logs();
    // A garbage signature header.
    EXPECT_TRUE(is_xroad_error(send({"X-Road-Client: " + std::string(kUnivClient), "X-Road-Id: " + q0,
                                     "X-Road-Signature: v1;member=MA/GOV/UNIV;sig=AAAA"}),
                               500, "Server.ServerProxy.InvalidSignatureValue"));
    // Signed over another body than the one sent (here: none).
    auto other_body = sign_request(univ_key, "MA/GOV/UNIV", "GET", target, kUnivClient, new_query_id("t1"), "", "x");
    EXPECT_TRUE(is_xroad_error(send(other_body.headers), 500, "Server.ServerProxy.InvalidSignatureValue"));
    // Signed for another target (another student) than the one sent.
    auto other_target = sign_request(univ_key, "MA/GOV/UNIV", "GET", target + "0", kUnivClient, new_query_id("t2"), "", "");
    EXPECT_TRUE(is_xroad_error(send(other_target.headers), 500, "Server.ServerProxy.InvalidSignatureValue"));
    // Signed with another member's key while claiming UNIV.
    auto wrong_key = sign_request(env().gw_dir(Gw::etatcivil) + "/sign.key", "MA/GOV/UNIV", "GET", target, kUnivClient,
                                  new_query_id("t3"), "", "");
    EXPECT_TRUE(is_xroad_error(send(wrong_key.headers), 500, "Server.ServerProxy.InvalidSignatureValue"));
    // A correct signature, but from a TLS peer that is not UNIV's gateway (ETATCIVIL's): the client
    // must be the owner of the authenticated gateway.
    const std::string q4 = new_query_id("t4");
    auto good4 = sign_request(univ_key, "MA/GOV/UNIV", "GET", target, kUnivClient, q4, "", "");
    EXPECT_TRUE(is_xroad_error(http({.url = url, .headers = good4.headers, .tls = env().gateway_tls(Gw::etatcivil)}),
                               500, "Server.ServerProxy.InvalidClient"));

    // The same request correctly signed is answered: proves the refusals above are about the signature.
    const std::string q = new_query_id("signed");
    auto good = sign_request(univ_key, "MA/GOV/UNIV", "GET", target, kUnivClient, q, "", "");
    auto r = send(good.headers);
    ASSERT_TRUE(is_ok(r)) << env().logs();
    EXPECT_EQ(r.body, backend("bac", "/results/" + student).body);
    // The response is signed by MEN and bound to our request.
    EXPECT_EQ(r.header("x-road-request-hash").value_or(""), exchange::request_hash(good.canonical));
    exchange::ResponseParts rp;
    rp.status = 200;
    rp.query_id = q;
    rp.request_hash = exchange::request_hash(good.canonical);
    rp.content_type = r.header("content-type").value_or("");
    rp.body_sha256 = exchange::sha256(r.body);
    auto rcanon = exchange::canonical(rp);
    ASSERT_TRUE(rcanon.has_value());
    auto sig = exchange::parse_signature_header(r.header("x-road-signature").value_or(""));
    ASSERT_TRUE(sig.has_value()) << r.header("x-road-signature").value_or("(none)");
    EXPECT_EQ(sig->signer.str(), "MA/GOV/MEN");
    auto men_key = exchange::SigningKey::load(env().gw_dir(Gw::men) + "/sign.key");
    ASSERT_TRUE(men_key.has_value());
    EXPECT_TRUE(exchange::verify_canonical(men_key->public_key(), *rcanon, sig->sig));

    // The errors are signed too, and bound to the request they answer.
    auto bad = send(other_body.headers);
    EXPECT_FALSE(bad.header("x-road-signature").value_or("").empty()) << bad.describe();
}

// 9 (request side). Bodies above the client gateway's max_request_bytes (4096 here).
TEST_F(SystemExchange, OversizedRequestIsRefused) {
    const std::string path = std::string(kBacService) + "/results/" + demo_student();
    const std::string big(10000, 'a');
    EXPECT_TRUE(is_xroad_error(env().call(Gw::univ, "POST", path, {"Content-Type: text/plain"}, big), 400,
                               "Client.RequestTooLarge"));
    EXPECT_TRUE(is_xroad_error(env().call(Gw::univ, "POST", path, {"Content-Type: text/plain"}, big, kUnivClient, true),
                               400, "Client.RequestTooLarge"));
    // Just above the limit, chunked (the count is kept while reading).
    EXPECT_TRUE(is_xroad_error(
        env().call(Gw::univ, "POST", path, {"Content-Type: text/plain"}, std::string(4097, 'b'), kUnivClient, true), 400,
        "Client.RequestTooLarge"));
    // Under the limit the request goes through (and MEN refuses POST: proves the size was the reason).
    EXPECT_TRUE(is_xroad_error(env().call(Gw::univ, "POST", path, {"Content-Type: text/plain"}, std::string(4000, 'c')),
                               500, "Server.ServerProxy.AccessDenied"));
    EXPECT_TRUE(is_xroad_error(
        env().call(Gw::univ, "POST", path, {"Content-Type: text/plain"}, std::string(4000, 'c'), kUnivClient, true), 500,
        "Server.ServerProxy.AccessDenied"));
}

// 10. Metaservices through the gateways.
TEST_F(SystemExchange, Metaservices) {
    auto clients = env().call(Gw::univ, "GET", "MA/listClients");
    ASSERT_TRUE(is_ok(clients)) << env().logs();
    ASSERT_NO_THROW((void)json::parse(clients.body)) << clients.body;
    for (const char* s : {"MEN", "ETATCIVIL", "UNIV", "bac-results", "records", "registration"})
        EXPECT_NE(clients.body.find(s), std::string::npos) << s << " missing from " << clients.body;

    auto methods = env().call(Gw::univ, "GET", "MA/GOV/MEN/bac-results/listMethods");
    ASSERT_TRUE(is_ok(methods)) << env().logs();
    ASSERT_NO_THROW((void)json::parse(methods.body)) << methods.body;
    EXPECT_NE(methods.body.find("\"bac-result\""), std::string::npos) << methods.body;
    EXPECT_NE(methods.body.find("\"bac-stats\""), std::string::npos) << methods.body;

    auto allowed = env().call(Gw::univ, "GET", "MA/GOV/MEN/bac-results/allowedMethods");
    ASSERT_TRUE(is_ok(allowed));
    ASSERT_NO_THROW((void)json::parse(allowed.body)) << allowed.body;
    EXPECT_NE(allowed.body.find("\"bac-result\""), std::string::npos) << allowed.body;
    EXPECT_EQ(allowed.body.find("bac-stats"), std::string::npos) << allowed.body;
    EXPECT_NE(allowed.body.find("/results/*"), std::string::npos) << allowed.body;

    auto allowed_civil = env().call(Gw::univ, "GET", "MA/GOV/ETATCIVIL/records/allowedMethods");
    ASSERT_TRUE(is_ok(allowed_civil));
    EXPECT_NE(allowed_civil.body.find("\"birth-record\""), std::string::npos) << allowed_civil.body;
    // MEN itself may call nothing at ETATCIVIL.
    auto allowed_men = env().call(Gw::men, "GET", "MA/GOV/ETATCIVIL/records/allowedMethods", {}, "", "MA/GOV/MEN");
    ASSERT_TRUE(is_ok(allowed_men));
    EXPECT_EQ(allowed_men.body.find("birth-record"), std::string::npos) << allowed_men.body;

    auto openapi = env().call(Gw::univ, "GET", "MA/GOV/MEN/bac-results/getOpenAPI?serviceCode=bac-result");
    ASSERT_TRUE(is_ok(openapi));
    auto cfg = exchange::load_gateway_config(env().gw_dir(Gw::men));
    ASSERT_TRUE(cfg.has_value());
    const auto* svc = cfg->service("bac-results", "bac-result");
    ASSERT_NE(svc, nullptr);
    json::value doc;
    ASSERT_NO_THROW(doc = json::parse(openapi.body)) << openapi.body;
    EXPECT_EQ(doc, json::parse(read_text(svc->openapi_file)));
    EXPECT_TRUE(doc.as_object().contains("openapi"));

    EXPECT_TRUE(is_xroad_error(env().call(Gw::univ, "GET", "MA/GOV/MEN/bac-results/getOpenAPI?serviceCode=bac-stats"),
                               500, "Server.ServerProxy.AccessDenied"));
    EXPECT_TRUE(is_xroad_error(env().call(Gw::men, "GET", "MA/GOV/ETATCIVIL/records/getOpenAPI?serviceCode=birth-record",
                                          {}, "", "MA/GOV/MEN"),
                               500, "Server.ServerProxy.AccessDenied"));
}

}  // namespace
}  // namespace idara::systest
