// The in-process environment of gateway_fixture.hpp.
#include "gateway_fixture.hpp"

#include "exchange/ed25519.hpp"

#include <openssl/pem.h>

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace idara::exchange::test {

namespace {

std::size_t append(char* p, std::size_t size, std::size_t n, void* out) {
    static_cast<std::string*>(out)->append(p, size * n);
    return size * n;
}

std::size_t on_header(char* p, std::size_t size, std::size_t n, void* out) {
    std::string line(p, size * n);
    const auto colon = line.find(':');
    if (colon != std::string::npos) {
        std::string name = line.substr(0, colon);
        for (auto& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        std::string value = line.substr(colon + 1);
        while (!value.empty() && (value.front() == ' ')) value.erase(0, 1);
        while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) value.pop_back();
        (*static_cast<std::map<std::string, std::string>*>(out))[name] = value;
    }
    return size * n;
}

struct ChunkSource {
    const std::string* body;
    std::size_t at = 0;
};

std::size_t read_chunk(char* p, std::size_t size, std::size_t n, void* in) {
    auto* s = static_cast<ChunkSource*>(in);
    const std::size_t left = s->body->size() - s->at;
    const std::size_t k = std::min({left, size * n, std::size_t{4096}});
    std::copy_n(s->body->data() + s->at, k, p);
    s->at += k;
    return k;
}

void write_file(const std::string& path, const std::string& data) {
    std::ofstream out(path, std::ios::binary);
    out << data;
}

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::string key_pem(EVP_PKEY* k) {
    BIO* bio = BIO_new(BIO_s_mem());
    PEM_write_bio_PrivateKey(bio, k, nullptr, nullptr, 0, nullptr, nullptr);
    char* p = nullptr;
    const long n = BIO_get_mem_data(bio, &p);
    std::string out(p, static_cast<std::size_t>(n));
    BIO_free(bio);
    return out;
}

trust::PkeyPtr key_from_pem(const std::string& pem) {
    BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
    EVP_PKEY* k = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
    return trust::PkeyPtr(k);
}

GatewayConfig base_config(const std::string& dir, const std::string& code, const std::string& central_url,
                          const PublicKey& central_pk, std::uint16_t peer_port) {
    GatewayConfig c;
    c.dir = dir;
    c.instance = "MA";
    c.member_class = "GOV";
    c.member_code = code;
    c.gateway_code = "gw1";
    c.central_url = central_url;
    c.central_public_key = central_pk;
    c.client_listen = "127.0.0.1:0";
    c.peer_listen = "127.0.0.1:" + std::to_string(peer_port);
    c.admin_listen = "127.0.0.1:0";
    c.conf_refresh_seconds = 60;
    c.io_threads = 2;
    c.log.timestamp_interval_seconds = 1;
    c.log.timestamp_grace_seconds = 600;
    std::filesystem::create_directories(dir);
    return c;
}

}  // namespace

Reply http_call(const std::string& url, const CallOptions& o) {
    Reply r;
    CURL* c = curl_easy_init();
    curl_slist* h = nullptr;
    for (const auto& x : o.headers) h = curl_slist_append(h, x.c_str());
    if (!o.bearer.empty()) h = curl_slist_append(h, ("Authorization: Bearer " + o.bearer).c_str());
    ChunkSource src{&o.body};
    if (o.chunked) {
        h = curl_slist_append(h, "Transfer-Encoding: chunked");
        curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(c, CURLOPT_READFUNCTION, read_chunk);
        curl_easy_setopt(c, CURLOPT_READDATA, &src);
    } else if (!o.body.empty() || o.method == "POST") {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, o.body.data());
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, static_cast<long>(o.body.size()));
    }
    h = curl_slist_append(h, "Expect:");
    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, o.method.c_str());
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, append);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &r.body);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &r.headers);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
    curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
    const CURLcode rc = curl_easy_perform(c);
    if (rc != CURLE_OK) r.status = -1;
    else curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    return r;
}

std::uint16_t free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    ::close(fd);
    return ntohs(a.sin_port);
}

TestServer::TestServer(http::Router& r) {
    http::ServerOptions o;
    o.port = 0;
    o.handle_signals = false;
    o.access_log = false;
    o.io_threads = 1;
    o.worker_threads = 4;
    o.max_body_bytes = 4 * 1024 * 1024;
    server_ = http::make_server(o, r);
    port_ = server_->start().value();
    thread_ = std::thread([this] { server_->run(); });
}

TestServer::~TestServer() {
    server_->stop();
    thread_.join();
}

RunningGateway::RunningGateway(const GatewayConfig& cfg) {
    gw_ = open_gateway(cfg).value();
    ports_ = gw_->start().value();
    thread_ = std::thread([this] { gw_->run(); });
}

RunningGateway::~RunningGateway() {
    gw_->stop();
    thread_.join();
}

std::string Env::issue_tls_cert(const std::string& pem, const std::string& cn) {
    auto key = key_from_pem(pem);
    trust::CertProfile p;
    p.common_name = cn;
    p.organisation = "idara test";
    p.key_usage = "critical,digitalSignature";
    p.ext_key_usage = "serverAuth,clientAuth";
    auto cert = trust::issue_certificate(key.get(), ca.key.get(), ca.cert.get(), p);
    return trust::to_pem(cert.get());
}

Env::Env() {
    char tmpl[] = "/tmp/idara-gw-test-XXXXXX";
    root = ::mkdtemp(tmpl);
    ca = trust::make_dev_root("idara gateway test").value();
    ca_pem = trust::to_pem(ca.cert.get());

    // The TSA of the "central", answering over HTTP.
    trust::CertProfile tp;
    tp.common_name = "test TSA";
    tp.organisation = "idara test";
    tp.key_usage = "critical,digitalSignature";
    tp.ext_key_usage = "critical,timeStamping";
    tsa = trust::make_builtin_tsa(trust::issue_identity(ca.key.get(), ca.cert.get(), tp).value(), system_clock());
    central_router.get("/conf", [this](http::Request&) {
        std::lock_guard lk(conf_mu);
        auto r = http::Response::json(200, sign_conf(conf, central_key));
        return r;
    });
    central_router.post("/tsa", [this](http::Request& req) {
        auto der = tsa->respond(req.body);
        if (!der) return http::Response::text(400, "bad request");
        return http::Response::text(200, *der, "application/timestamp-reply");
    });
    central = std::make_unique<TestServer>(central_router);

    // The back-end: echoes what it received.
    auto echo = [this](http::Request& req) {
        ++backend_hits;
        boost::json::object o{{"method", std::string(http::method_name(req.method))},
                              {"target", req.target},
                              {"body", req.body},
                              {"content_type", std::string(req.header("Content-Type").value_or(""))},
                              {"client", std::string(req.header("X-Road-Client").value_or(""))},
                              {"query_id", std::string(req.header("X-Road-Id").value_or(""))},
                              {"user_id", std::string(req.header("X-Road-UserId").value_or(""))},
                              {"signature", std::string(req.header("X-Road-Signature").value_or(""))}};
        return http::Response::json(200, boost::json::serialize(o));
    };
    backend_router.get("/results/{n}", echo);
    backend_router.post("/echo", echo);
    backend_router.get("/big", [this](http::Request&) {
        ++backend_hits;
        return http::Response::text(200, std::string(200 * 1024, 'x'));
    });
    backend = std::make_unique<TestServer>(backend_router);
    const std::string backend_url = "http://127.0.0.1:" + std::to_string(backend->port());
    const std::string central_url = "http://127.0.0.1:" + std::to_string(central->port());

    // Gateways: keys, certificates, configurations.
    men = base_config(root + "/men", "MEN", central_url, central_key.public_key(), free_port());
    univ = base_config(root + "/univ", "UNIV", central_url, central_key.public_key(), free_port());
    for (GatewayConfig* g : {&men, &univ}) {
        init_gateway_keys(*g).value();
        write_file(g->path("tls.crt"), issue_tls_cert(read_file(g->path("tls.key")), g->gateway_id()));
    }
    const std::string openapi = R"({"openapi":"3.0.0","paths":{"/results/{n}":{"get":{}},"/echo":{"post":{}}}})";
    write_file(men.path("bac.openapi.json"), openapi);
    men.limits.max_response_bytes = 64 * 1024;
    men.services = {
        {"bac-results", "bac-result", backend_url, men.path("bac.openapi.json"), 5000},
        {"bac-results", "big-result", backend_url, "", 5000},
        {"bac-results", "dead", "http://127.0.0.1:" + std::to_string(free_port()), "", 2000},
        {"bac-results", "secret", backend_url, "", 5000},
    };
    men.access = {
        {"MA/GOV/UNIV/registration", "bac-result", {"GET"}, "/results/*"},
        {"MA/GOV/UNIV/registration", "bac-result", {"POST"}, "/echo"},
        {"MA/GOV/UNIV", "big-result", {"*"}, "/**"},
        {"MA/GOV/UNIV", "dead", {"*"}, "/**"},
    };
    univ.limits.max_request_bytes = 32 * 1024;

    // The rogue: a certificate from the same CA that no gateway registered.
    {
        trust::PkeyPtr k(EVP_EC_gen("P-256"));
        rogue_key_pem = key_pem(k.get());
        rogue_cert_pem = issue_tls_cert(rogue_key_pem, "rogue");
    }

    conf.instance = "MA";
    conf.serial = 1;
    conf.issued_at_ms = system_clock().now_ms();
    conf.expires_at_ms = conf.issued_at_ms + 3600 * 1000;
    conf.trust_anchors_pem = {ca_pem};
    conf.tsa_url = central_url + "/tsa";
    auto member = [](const GatewayConfig& g, std::string ar, std::string fr, std::vector<std::string> subs) {
        MemberInfo m;
        m.id = g.member();
        m.name_ar = std::move(ar);
        m.name_fr = std::move(fr);
        m.subsystems = std::move(subs);
        m.sign_key = SigningKey::load(g.path("sign.key")).value().public_key();
        return m;
    };
    conf.members = {member(men, "وزارة التربية", "Ministère de l'Éducation", {"bac-results"}),
                    member(univ, "الجامعة", "Université", {"registration"})};
    for (const GatewayConfig* g : {&men, &univ}) {
        GatewayInfo gi;
        gi.id = g->gateway_id();
        gi.owner = g->member();
        gi.address = g->peer_listen;
        gi.tls_cert_sha256 = cert_digest_from_pem(read_file(g->path("tls.crt"))).value();
        conf.gateways.push_back(gi);
    }
    // FAKE: a member whose registered gateway is MEN's address with a digest no certificate has.
    MemberInfo fake;
    fake.id = MemberId{"MA", "GOV", "FAKE"};
    fake.name_ar = "مزيف";
    fake.name_fr = "Faux";
    fake.subsystems = {"bac-results"};
    fake.sign_key = SigningKey::load(men.path("sign.key")).value().public_key();
    conf.members.push_back(fake);
    GatewayInfo fake_gw;
    fake_gw.id = "MA/GOV/FAKE/gw1";
    fake_gw.owner = fake.id;
    fake_gw.address = men.peer_listen;
    fake_gw.tls_cert_sha256 = std::string(64, 'a');  // no certificate has it
    conf.gateways.push_back(fake_gw);

    men_gw = std::make_unique<RunningGateway>(men);
    univ_gw = std::make_unique<RunningGateway>(univ);
}

Env::~Env() {
    univ_gw.reset();
    men_gw.reset();
    backend.reset();
    central.reset();
    std::error_code ec;
    std::filesystem::remove_all(root, ec);
}

}  // namespace idara::exchange::test
