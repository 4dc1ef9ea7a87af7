// The HTTP server in-process on an ephemeral port: limits, keep-alive, HEAD,
// headers, static files, errors, timeouts and graceful shutdown.
#include "core/error_json.hpp"
#include "http/metrics.hpp"
#include "http/server.hpp"
#include "http/static_files.hpp"

#include <arpa/inet.h>
#include <boost/json.hpp>
#include <curl/curl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>

using namespace idara;
using namespace idara::http;
using namespace std::chrono_literals;

namespace {

// A server with a few routes, running on a background thread.
class Running {
public:
    explicit Running(ServerOptions o = {}) {
        router_.get("/hello", [](Request& r) { return Response::text(200, "hello " + std::string(r.param("x"))); });
        router_.get("/items/{id}", [](Request& r) { return Response::text(200, std::string(r.param("id"))); });
        router_.get("/items/new", [](Request&) { return Response::text(200, "literal"); });
        router_.post("/echo", [](Request& r) { return Response::text(200, r.body); });
        router_.get("/throw", [](Request&) -> Response { throw std::runtime_error("handler bug"); });
        router_.get("/slow", [this](Request&) {
            started_ = true;
            std::this_thread::sleep_for(600ms);
            return Response::text(200, "slow done");
        });
        register_static_files(router_);
        o.port = 0;
        o.handle_signals = false;
        o.access_log = false;
        server_ = make_server(o, router_);
        port_ = server_->start().value();
        thread_ = std::thread([this] { server_->run(); });
    }
    ~Running() {
        stop();
    }
    void stop() {
        if (thread_.joinable()) {
            server_->stop();
            thread_.join();
        }
    }
    std::string url(const std::string& p) const { return "http://127.0.0.1:" + std::to_string(port_) + p; }
    int port() const { return port_; }
    Metrics& metrics() { return server_->metrics(); }
    std::atomic<bool> started_{false};

private:
    Router router_;
    std::unique_ptr<Server> server_;
    std::thread thread_;
    int port_ = 0;
};

struct Reply {
    long status = 0;
    std::string headers, body;
    long connects = 0;
};

size_t append(char* p, size_t s, size_t n, void* out) {
    static_cast<std::string*>(out)->append(p, s * n);
    return s * n;
}

// One libcurl handle reused across calls, so keep-alive can be observed.
class Client {
public:
    Client() : c_(curl_easy_init()) {}
    ~Client() { curl_easy_cleanup(c_); }
    Reply call(const std::string& url, const std::vector<std::string>& headers = {}, const char* method = "GET",
               const std::string& body = "") {
        Reply r;
        curl_slist* h = nullptr;
        for (const auto& x : headers) h = curl_slist_append(h, x.c_str());
        curl_easy_setopt(c_, CURLOPT_URL, url.c_str());
        curl_easy_setopt(c_, CURLOPT_HTTPHEADER, h);
        if (body.empty()) {
            curl_easy_setopt(c_, CURLOPT_HTTPGET, 1L);  // leaves any earlier POST mode
        } else {
            curl_easy_setopt(c_, CURLOPT_POSTFIELDS, body.data());
            curl_easy_setopt(c_, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
        }
        curl_easy_setopt(c_, CURLOPT_CUSTOMREQUEST, method);
        curl_easy_setopt(c_, CURLOPT_NOBODY, std::string(method) == "HEAD" ? 1L : 0L);
        curl_easy_setopt(c_, CURLOPT_WRITEFUNCTION, append);
        curl_easy_setopt(c_, CURLOPT_WRITEDATA, &r.body);
        curl_easy_setopt(c_, CURLOPT_HEADERFUNCTION, append);
        curl_easy_setopt(c_, CURLOPT_HEADERDATA, &r.headers);
        curl_easy_setopt(c_, CURLOPT_TIMEOUT, 10L);
        CURLcode rc = curl_easy_perform(c_);
        curl_slist_free_all(h);
        if (rc != CURLE_OK) r.status = -1;
        else curl_easy_getinfo(c_, CURLINFO_RESPONSE_CODE, &r.status);
        curl_easy_getinfo(c_, CURLINFO_NUM_CONNECTS, &r.connects);
        return r;
    }

private:
    CURL* c_;
};

std::string error_code_of(const std::string& body) {
    return std::string(boost::json::parse(body).at("error").at("code").as_string());
}

// Sends raw bytes on a new TCP connection and returns everything read until close or timeout.
std::string raw(int port, const std::string& bytes, std::chrono::milliseconds wait = 3000ms) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
        close(fd);
        return "connect failed";
    }
    timeval tv{static_cast<long>(wait.count() / 1000), static_cast<long>((wait.count() % 1000) * 1000)};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    (void)send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    std::string out;
    char buf[4096];
    for (ssize_t n; (n = recv(fd, buf, sizeof buf, 0)) > 0;) out.append(buf, static_cast<size_t>(n));
    close(fd);
    return out;
}

}  // namespace

TEST(Server, RoutesParamsAndKeepAlive) {
    Running s;
    Client c;
    auto a = c.call(s.url("/items/42"));
    auto b = c.call(s.url("/items/new"));
    EXPECT_EQ(a.body, "42");
    EXPECT_EQ(b.body, "literal") << "literal segments win over parameters";
    EXPECT_EQ(b.connects, 0) << "the second request reused the keep-alive connection";
}

TEST(Server, NotFoundAndMethodNotAllowedUseTheErrorShape) {
    Running s;
    Client c;
    auto nf = c.call(s.url("/nothing"));
    EXPECT_EQ(nf.status, 404);
    EXPECT_EQ(error_code_of(nf.body), "resource.not_found");
    auto na = c.call(s.url("/hello"), {}, "DELETE");
    EXPECT_EQ(na.status, 405);
    EXPECT_EQ(error_code_of(na.body), "request.method_not_allowed");
    EXPECT_NE(na.headers.find("Allow: GET"), std::string::npos) << na.headers;
}

TEST(Server, HeadAnswersLikeGetWithoutABody) {
    Running s;
    Client c;
    auto r = c.call(s.url("/hello"), {}, "HEAD");
    EXPECT_EQ(r.status, 200);
    EXPECT_TRUE(r.body.empty());
    EXPECT_NE(r.headers.find("Content-Length: 6"), std::string::npos) << r.headers;
}

TEST(Server, OversizedBodyIs413AndHugeHeadersAre431) {
    ServerOptions o;
    o.max_body_bytes = 1024;
    o.max_header_bytes = 2048;
    Running s(o);
    Client c;
    auto big = c.call(s.url("/echo"), {"Content-Type: text/plain"}, "POST", std::string(4096, 'x'));
    EXPECT_EQ(big.status, 413);
    EXPECT_EQ(error_code_of(big.body), "request.too_large");
    auto small = c.call(s.url("/echo"), {"Content-Type: text/plain"}, "POST", "fits");
    EXPECT_EQ(small.body, "fits");
    Client c2;
    auto huge = c2.call(s.url("/hello"), {"X-Padding: " + std::string(4096, 'p')});
    EXPECT_EQ(huge.status, 431);
    EXPECT_EQ(error_code_of(huge.body), "request.header_too_large");
}

TEST(Server, GarbageIs400AndBadPathsAreRefused) {
    Running s;
    auto out = raw(s.port(), "THIS IS NOT HTTP\r\n\r\n");
    EXPECT_NE(out.find("400"), std::string::npos) << out;
    EXPECT_NE(out.find("request.invalid"), std::string::npos) << out;
    auto dots = raw(s.port(), "GET /static/../../etc/passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    EXPECT_NE(dots.find("HTTP/1.1 400"), std::string::npos) << dots;
}

TEST(Server, SecurityHeadersAndRequestIds) {
    Running s;
    Client c;
    auto r = c.call(s.url("/hello"), {"X-Request-Id: abc-123"});
    for (const char* h : {"Content-Security-Policy: default-src 'self'", "X-Content-Type-Options: nosniff",
                          "X-Frame-Options: DENY", "Referrer-Policy: same-origin", "X-Request-Id: abc-123"})
        EXPECT_NE(r.headers.find(h), std::string::npos) << h;
    auto bad = c.call(s.url("/hello"), {"X-Request-Id: <script>"});
    EXPECT_EQ(bad.headers.find("<script>"), std::string::npos) << "an unsafe id is replaced";
    EXPECT_NE(bad.headers.find("X-Request-Id: "), std::string::npos);
}

TEST(Server, ThrowingHandlerIs500WithTheErrorShape) {
    Running s;
    Client c;
    auto r = c.call(s.url("/throw"));
    EXPECT_EQ(r.status, 500);
    EXPECT_EQ(error_code_of(r.body), "internal");
    EXPECT_EQ(r.body.find("handler bug"), std::string::npos) << "internals never leak";
    EXPECT_EQ(c.call(s.url("/hello")).status, 200) << "the server goes on";
}

TEST(Server, StaticFilesHaveETagsRevalidateAndGzip) {
    Running s;
    Client c;
    auto r = c.call(s.url("/static/css/idara.css"));
    ASSERT_EQ(r.status, 200);
    auto pos = r.headers.find("ETag: ");
    ASSERT_NE(pos, std::string::npos);
    const std::string etag = r.headers.substr(pos + 6, r.headers.find('\r', pos) - pos - 6);
    EXPECT_EQ(c.call(s.url("/static/css/idara.css"), {"If-None-Match: " + etag}).status, 304);
    auto gz = c.call(s.url("/static/css/idara.css"), {"Accept-Encoding: gzip"});
    EXPECT_NE(gz.headers.find("Content-Encoding: gzip"), std::string::npos);
    EXPECT_LT(gz.body.size(), r.body.size());
    EXPECT_EQ(static_cast<unsigned char>(gz.body[0]), 0x1f) << "gzip magic";
}

TEST(Server, MetricsCountRequestsByRoute) {
    Running s;
    Client c;
    c.call(s.url("/items/1"));
    c.call(s.url("/items/2"));
    c.call(s.url("/nope"));
    const std::string m = s.metrics().render();
    EXPECT_NE(m.find("idara_http_requests_total{route=\"/items/{id}\",method=\"GET\",status=\"200\"} 2"), std::string::npos) << m;
    EXPECT_NE(m.find("route=\"unmatched\""), std::string::npos);
    EXPECT_EQ(m.find("/nope"), std::string::npos) << "raw paths never become labels";
}

TEST(Server, StalledClientsAreCutOffByTheReadTimeout) {
    ServerOptions o;
    o.read_timeout = 300ms;
    o.idle_timeout = 300ms;
    Running s(o);
    const auto t0 = std::chrono::steady_clock::now();
    auto out = raw(s.port(), "GET /hello HTTP/1.1\r\nHost: x\r\n", 5000ms);  // headers never finish
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 3s) << "the server closed the connection itself";
    EXPECT_EQ(out.find("hello"), std::string::npos);
}

TEST(Server, GracefulShutdownFinishesInFlightRequests) {
    auto s = std::make_unique<Running>();
    auto slow = std::async(std::launch::async, [&] {
        Client c;
        return c.call(s->url("/slow"));
    });
    while (!s->started_) std::this_thread::sleep_for(5ms);
    const int port = s->port();
    s->stop();  // returns once drained
    auto r = slow.get();
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "slow done");
    EXPECT_EQ(raw(port, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n", 500ms), "connect failed") << "no longer accepting";
}

TEST(Server, ManyConcurrentClients) {
    Running s;
    std::vector<std::future<int>> f;
    for (int i = 0; i < 16; ++i)
        f.push_back(std::async(std::launch::async, [&, i] {
            Client c;
            int ok = 0;
            for (int j = 0; j < 20; ++j) ok += c.call(s.url("/items/" + std::to_string(i * 100 + j))).body == std::to_string(i * 100 + j);
            return ok;
        }));
    int total = 0;
    for (auto& x : f) total += x.get();
    EXPECT_EQ(total, 320);
}
