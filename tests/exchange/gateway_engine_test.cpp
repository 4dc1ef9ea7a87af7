// The gateway engine in-process: two gateways, a central and a back-end on loopback
// (gateway_fixture.hpp). Each case asserts the exact status and X-Road error type.
#include "gateway_fixture.hpp"

#include "exchange/message.hpp"
#include "exchange/xerror.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>
#include <vector>

namespace idara::exchange::test {
namespace {

namespace json = boost::json;

const std::string kUnivClient = "X-Road-Client: MA/GOV/UNIV/registration";
const std::string kBac = "/r1/MA/GOV/MEN/bac-results/bac-result";

class GatewayEngine : public ::testing::Test {
protected:
    static void SetUpTestSuite() { env_ = new Env(); }
    static void TearDownTestSuite() {
        delete env_;
        env_ = nullptr;
    }
    static Env& env() { return *env_; }
    static Reply call(const std::string& target, CallOptions o = {}) {
        return http_call(env().univ_gw->client_url() + target, o);
    }
    static CallOptions as_univ(std::string method = "GET", std::string body = "") {
        CallOptions o;
        o.method = std::move(method);
        o.body = std::move(body);
        o.headers = {kUnivClient};
        return o;
    }
    static std::string admin_token(const GatewayConfig& g) {
        std::ifstream in(g.path("admin-token"));
        std::string t;
        in >> t;
        return t;
    }

private:
    static Env* env_;
};
Env* GatewayEngine::env_ = nullptr;

void expect_xerror(const Reply& r, long status, const std::string& type) {
    EXPECT_EQ(r.status, status) << r.body;
    EXPECT_EQ(r.header("x-road-error"), type) << r.body;
    EXPECT_EQ(xerror_type_of(r.body), type) << r.body;
}

TEST_F(GatewayEngine, SuccessfulGetReachesTheBackendSignedAndVerified) {
    const int hits = env().backend_hits;
    CallOptions o = as_univ();
    o.headers.push_back("X-Road-Id: query-1");
    o.headers.push_back("X-Road-UserId: MA12345");
    const Reply r = call(kBac + "/results/42?year=2026", o);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.header("x-road-error"), "");
    EXPECT_EQ(r.header("x-road-id"), "query-1");
    EXPECT_EQ(r.header("x-road-client"), "MA/GOV/UNIV/registration");
    EXPECT_EQ(r.header("x-road-service"), "MA/GOV/MEN/bac-results/bac-result");
    EXPECT_FALSE(r.header("x-road-request-hash").empty());
    const auto v = json::parse(r.body).as_object();
    EXPECT_EQ(v.at("method").as_string(), "GET");
    EXPECT_EQ(v.at("target").as_string(), "/results/42?year=2026");
    EXPECT_EQ(v.at("client").as_string(), "MA/GOV/UNIV/registration");
    EXPECT_EQ(v.at("query_id").as_string(), "query-1");
    EXPECT_EQ(v.at("user_id").as_string(), "MA12345");
    EXPECT_EQ(v.at("signature").as_string(), "") << "the signature stays between gateways";
    EXPECT_EQ(env().backend_hits.load(), hits + 1);
}

TEST_F(GatewayEngine, SuccessfulPostCarriesBodyAndContentType) {
    CallOptions o = as_univ("POST", R"({"student":"42"})");
    o.headers.push_back("Content-Type: application/json");
    const Reply r = call(kBac + "/echo", o);
    ASSERT_EQ(r.status, 200) << r.body;
    const auto v = json::parse(r.body).as_object();
    EXPECT_EQ(v.at("method").as_string(), "POST");
    EXPECT_EQ(v.at("body").as_string(), R"({"student":"42"})");
    EXPECT_EQ(v.at("content_type").as_string(), "application/json");
    EXPECT_EQ(r.header("content-type"), "application/json");
}

TEST_F(GatewayEngine, QueryIdIsGeneratedWhenAbsent) {
    const Reply r = call(kBac + "/results/1", as_univ());
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.header("x-road-id").size(), 36u);
}

TEST_F(GatewayEngine, UnknownOrForeignClientIsRefused) {
    CallOptions none;
    expect_xerror(call(kBac + "/results/1", none), 400, "Client.InvalidClientIdentifier");
    CallOptions bad;
    bad.headers = {"X-Road-Client: MA/GOV"};
    expect_xerror(call(kBac + "/results/1", bad), 400, "Client.InvalidClientIdentifier");
    CallOptions foreign;
    foreign.headers = {"X-Road-Client: MA/GOV/MEN/bac-results"};
    expect_xerror(call(kBac + "/results/1", foreign), 400, "Client.InvalidClientIdentifier");
    CallOptions unknown_sub;
    unknown_sub.headers = {"X-Road-Client: MA/GOV/UNIV/library"};
    expect_xerror(call(kBac + "/results/1", unknown_sub), 400, "Client.UnknownMember");
}

TEST_F(GatewayEngine, BadServiceIdentifierAndUnknownProvider) {
    expect_xerror(call("/r1/MA/GOV/MEN/bac-results", as_univ()), 400, "Client.InvalidServiceIdentifier");
    expect_xerror(call("/r2/MA/GOV/MEN/bac-results/bac-result/x", as_univ()), 400, "Client.InvalidServiceIdentifier");
    expect_xerror(call("/r1/MA/GOV/NOBODY/sub/svc/x", as_univ()), 500, "Server.ClientProxy.UnknownMember");
}

TEST_F(GatewayEngine, AccessDeniedByDefault) {
    const int hits = env().backend_hits;
    expect_xerror(call(kBac + "/other/1", as_univ()), 500, "Server.ServerProxy.AccessDenied");
    expect_xerror(call(kBac + "/results/1", as_univ("DELETE")), 500, "Server.ServerProxy.AccessDenied");
    expect_xerror(call("/r1/MA/GOV/MEN/bac-results/secret/x", as_univ()), 500, "Server.ServerProxy.AccessDenied");
    EXPECT_EQ(env().backend_hits.load(), hits);
}

TEST_F(GatewayEngine, UnknownServiceOfTheProvider) {
    expect_xerror(call("/r1/MA/GOV/MEN/bac-results/nope/x", as_univ()), 500, "Server.ServerProxy.UnknownService");
    expect_xerror(call("/r1/MA/GOV/MEN/other-sub/bac-result/x", as_univ()), 500, "Server.ServerProxy.UnknownService");
}

TEST_F(GatewayEngine, ListClientsIsAnsweredLocally) {
    const Reply r = call("/r1/MA/listClients");
    ASSERT_EQ(r.status, 200) << r.body;
    const auto list = json::parse(r.body).at("member").as_array();
    bool saw_sub = false;
    for (const auto& m : list) {
        const auto& id = m.at("id").as_object();
        if (id.at("member_code").as_string() == "MEN" && id.at("object_type").as_string() == "SUBSYSTEM") {
            EXPECT_EQ(id.at("subsystem_code").as_string(), "bac-results");
            saw_sub = true;
        }
    }
    EXPECT_TRUE(saw_sub) << r.body;
    expect_xerror(call("/r1/XX/listClients"), 400, "Client.InvalidServiceIdentifier");
}

TEST_F(GatewayEngine, ListMethodsAndAllowedMethods) {
    const Reply all = call("/r1/MA/GOV/MEN/bac-results/listMethods", as_univ());
    ASSERT_EQ(all.status, 200) << all.body;
    EXPECT_FALSE(all.header("x-road-request-hash").empty());
    std::set<std::string> codes;
    const json::value all_v = json::parse(all.body);
    for (const auto& s : all_v.at("service").as_array()) codes.insert(std::string(s.at("service_code").as_string()));
    EXPECT_EQ(codes, (std::set<std::string>{"bac-result", "big-result", "dead", "secret"}));
    EXPECT_NE(all.body.find("/results/{n}"), std::string::npos) << "endpoints from the OpenAPI document";

    const Reply mine = call("/r1/MA/GOV/MEN/bac-results/allowedMethods", as_univ());
    ASSERT_EQ(mine.status, 200) << mine.body;
    codes.clear();
    const json::value mine_v = json::parse(mine.body);
    for (const auto& s : mine_v.at("service").as_array()) codes.insert(std::string(s.at("service_code").as_string()));
    EXPECT_EQ(codes, (std::set<std::string>{"bac-result", "big-result", "dead"}));
}

TEST_F(GatewayEngine, GetOpenApiOnlyWhenAllowed) {
    const Reply ok = call("/r1/MA/GOV/MEN/bac-results/getOpenAPI?serviceCode=bac-result", as_univ());
    ASSERT_EQ(ok.status, 200) << ok.body;
    EXPECT_EQ(json::parse(ok.body).at("openapi").as_string(), "3.0.0");
    expect_xerror(call("/r1/MA/GOV/MEN/bac-results/getOpenAPI?serviceCode=secret", as_univ()), 500,
                  "Server.ServerProxy.AccessDenied");
    expect_xerror(call("/r1/MA/GOV/MEN/bac-results/getOpenAPI?serviceCode=none", as_univ()), 500,
                  "Server.ServerProxy.UnknownService");
}

TEST_F(GatewayEngine, OversizedRequestWithContentLength) {
    const Reply r = call(kBac + "/echo", as_univ("POST", std::string(40 * 1024, 'a')));
    expect_xerror(r, 400, "Client.RequestTooLarge");
}

TEST_F(GatewayEngine, OversizedChunkedRequestIsCutAtTheLimit) {
    CallOptions o = as_univ("POST", std::string(40 * 1024, 'b'));
    o.chunked = true;
    expect_xerror(call(kBac + "/echo", o), 400, "Client.RequestTooLarge");
    CallOptions small = as_univ("POST", std::string(1000, 'c'));
    small.chunked = true;
    const Reply r = call(kBac + "/echo", small);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(json::parse(r.body).at("body").as_string().size(), 1000u);
}

TEST_F(GatewayEngine, OversizedBackendResponse) {
    expect_xerror(call("/r1/MA/GOV/MEN/bac-results/big-result/big", as_univ()), 500,
                  "Server.ServerProxy.ResponseTooLarge");
}

TEST_F(GatewayEngine, BackendDownIsServiceFailed) {
    expect_xerror(call("/r1/MA/GOV/MEN/bac-results/dead/x", as_univ()), 500, "Server.ServerProxy.ServiceFailed");
}

TEST_F(GatewayEngine, ProviderPresentingAnotherCertificateIsRefusedByTheClient) {
    // FAKE's registered gateway is MEN's address with another digest: MEN's certificate does not match.
    expect_xerror(call("/r1/MA/GOV/FAKE/bac-results/bac-result/results/1", as_univ()), 500,
                  "Server.ClientProxy.SslAuthenticationFailed");
}

// A TLS client with the rogue certificate (same CA, digest not registered): the handshake or the
// first read fails and no HTTP answer comes back.
TEST_F(GatewayEngine, UnregisteredPeerCertificateIsRefusedBeforeAnyPayload) {
    const int hits = env().backend_hits;
    SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
    BIO* cb = BIO_new_mem_buf(env().rogue_cert_pem.data(), static_cast<int>(env().rogue_cert_pem.size()));
    X509* cert = PEM_read_bio_X509(cb, nullptr, nullptr, nullptr);
    BIO* kb = BIO_new_mem_buf(env().rogue_key_pem.data(), static_cast<int>(env().rogue_key_pem.size()));
    EVP_PKEY* key = PEM_read_bio_PrivateKey(kb, nullptr, nullptr, nullptr);
    ASSERT_EQ(SSL_CTX_use_certificate(ctx, cert), 1);
    ASSERT_EQ(SSL_CTX_use_PrivateKey(ctx, key), 1);
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(env().men_gw->ports().peer);
    ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    timeval tv{5, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    SSL* ssl = SSL_new(ctx);
    SSL_set_fd(ssl, fd);
    std::string got;
    if (SSL_connect(ssl) == 1) {
        const std::string req = "GET " + kBac + "/results/1 HTTP/1.1\r\nHost: x\r\n" + kUnivClient + "\r\n\r\n";
        SSL_write(ssl, req.data(), static_cast<int>(req.size()));
        char buf[4096];
        const int n = SSL_read(ssl, buf, sizeof buf);
        if (n > 0) got.assign(buf, static_cast<std::size_t>(n));
    }
    EXPECT_EQ(got, "") << "a refused peer gets no HTTP answer";
    SSL_free(ssl);
    ::close(fd);
    X509_free(cert);
    EVP_PKEY_free(key);
    BIO_free(cb);
    BIO_free(kb);
    SSL_CTX_free(ctx);
    EXPECT_EQ(env().backend_hits.load(), hits);
}

TEST_F(GatewayEngine, AdminPortRequiresTheBearerToken) {
    const std::string admin = "http://127.0.0.1:" + std::to_string(env().univ_gw->ports().admin);
    EXPECT_EQ(http_call(admin + "/metrics").status, 401);
    CallOptions wrong;
    wrong.bearer = std::string(64, '0');
    EXPECT_EQ(http_call(admin + "/opdata", wrong).status, 401);

    ASSERT_EQ(call(kBac + "/results/7", as_univ()).status, 200);
    CallOptions o;
    o.bearer = admin_token(env().univ);
    const Reply metrics = http_call(admin + "/metrics", o);
    ASSERT_EQ(metrics.status, 200) << metrics.body;
    EXPECT_FALSE(metrics.body.empty());
    const Reply opdata = http_call(admin + "/opdata?since=0&limit=10000", o);
    ASSERT_EQ(opdata.status, 200) << opdata.body;
    EXPECT_TRUE(json::parse(opdata.body).is_array());
    EXPECT_NE(opdata.body.find("MA/GOV/MEN/bac-results/bac-result"), std::string::npos);
    EXPECT_EQ(http_call(admin + "/opdata?limit=abc", o).status, 400);
}

// A gateway whose configuration has expired refuses every exchange (and keeps refreshing).
TEST_F(GatewayEngine, ExpiredConfigurationRefusesExchanges) {
    GatewayConfig copy = env().univ;
    copy.dir = env().root + "/univ-expired";
    copy.peer_listen = "127.0.0.1:0";
    std::filesystem::create_directories(copy.dir);
    for (const char* f : {"sign.key", "tls.key", "tls.crt", "admin-token"})
        std::filesystem::copy_file(env().univ.path(f), copy.path(f));
    GlobalConf saved;
    {
        std::lock_guard lk(env().conf_mu);
        saved = env().conf;
        env().conf.issued_at_ms -= 7200 * 1000;
        env().conf.expires_at_ms = env().conf.issued_at_ms + 3600 * 1000;
    }
    std::unique_ptr<RunningGateway> gw;
    ASSERT_NO_THROW(gw = std::make_unique<RunningGateway>(copy));
    {
        std::lock_guard lk(env().conf_mu);
        env().conf = saved;
    }
    CallOptions o = as_univ();
    const Reply r = http_call(gw->client_url() + kBac + "/results/1", o);
    expect_xerror(r, 500, "Server.ClientProxy.OutdatedGlobalConf");
    gw.reset();
}

TEST_F(GatewayEngine, StartFailsWithoutAnyConfiguration) {
    GatewayConfig copy = env().univ;
    copy.dir = env().root + "/univ-noconf";
    copy.peer_listen = "127.0.0.1:0";
    copy.central_url = "http://127.0.0.1:" + std::to_string(free_port());  // nobody listens
    std::filesystem::create_directories(copy.dir);
    for (const char* f : {"sign.key", "tls.key", "tls.crt", "admin-token"})
        std::filesystem::copy_file(env().univ.path(f), copy.path(f));
    // With a cache the gateway starts from it without waiting for the central.
    std::ofstream(copy.path("conf-cache.json")) << [] {
        std::lock_guard lk(env().conf_mu);
        return sign_conf(env().conf, env().central_key);
    }();
    {
        auto gw = open_gateway(copy);
        ASSERT_TRUE(gw.has_value());
        auto ports = (*gw)->start();
        ASSERT_TRUE(ports.has_value()) << ports.error().detail;
    }
    // Without one, start() fails with exchange.no_configuration (after retrying for 10 s).
    std::filesystem::remove(copy.path("conf-cache.json"));
    auto gw = open_gateway(copy);
    ASSERT_TRUE(gw.has_value());
    auto ports = (*gw)->start();
    ASSERT_FALSE(ports.has_value());
    EXPECT_EQ(ports.error().code, "exchange.no_configuration");
    EXPECT_EQ(ports.error().status, 503);
}

// Concurrent exchanges share the pooled gateway-to-gateway and back-end connections safely.
TEST_F(GatewayEngine, ConcurrentExchangesAllSucceed) {
    std::atomic<int> ok{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t)
        threads.emplace_back([&ok, t] {
            for (int i = 0; i < 15; ++i) {
                CallOptions o = as_univ(i % 2 ? "POST" : "GET", i % 2 ? "body-" + std::to_string(t) : "");
                const Reply r = call(i % 2 ? kBac + "/echo" : kBac + "/results/" + std::to_string(t * 100 + i), o);
                if (r.status == 200) ++ok;
            }
        });
    for (auto& th : threads) th.join();
    EXPECT_EQ(ok.load(), 8 * 15);
}

TEST_F(GatewayEngine, ManySequentialExchangesReuseConnections) {
    for (int i = 0; i < 50; ++i) {
        const Reply r = call(kBac + "/results/" + std::to_string(i), as_univ());
        ASSERT_EQ(r.status, 200) << i << r.body;
    }
}

}  // namespace
}  // namespace idara::exchange::test
