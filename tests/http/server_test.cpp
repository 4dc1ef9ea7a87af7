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

#include <csignal>
#include <cstdio>
#include <cstdlib>

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
    explicit Running(ServerOptions o = {}, bool with_fallback = false, bool signals = false) {
        router_.get("/where/inline", [this](Request&) { return Response::text(200, on_run_thread() ? "io" : "other"); },
                    {.inline_ok = true});
        router_.get("/where/worker", [this](Request&) { return Response::text(200, on_run_thread() ? "io" : "other"); });
        router_.get("/own-csp", [](Request&) {
            auto r = Response::text(200, "x");
            r.headers.set("Content-Security-Policy", "default-src 'none'");
            return r;
        });
        router_.get("/throw-int", [](Request&) -> Response { throw 42; });
        if (with_fallback)
            router_.set_fallback([](Request& r) { return Response::html(404, "<p>no page at " + r.path + "</p>"); });
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
        o.handle_signals = signals;
        server_ = make_server(o, router_);
        port_ = server_->start().value();
        thread_ = std::thread([this] {
            run_thread_ = std::this_thread::get_id();
            run_thread_set_ = true;
            server_->run();
            returned_ = true;
        });
        while (!run_thread_set_) std::this_thread::sleep_for(1ms);
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
    bool on_run_thread() const { return std::this_thread::get_id() == run_thread_; }
    void join() { thread_.join(); }
    std::atomic<bool> started_{false};
    std::atomic<bool> returned_{false};

private:
    std::thread::id run_thread_;
    std::atomic<bool> run_thread_set_{false};
    Router router_;
    std::unique_ptr<Server> server_;
    std::thread thread_;
    int port_ = 0;
};

ServerOptions quiet() {
    ServerOptions o;
    o.access_log = false;
    return o;
}

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
    Running s(quiet());
    Client c;
    auto a = c.call(s.url("/items/42"));
    auto b = c.call(s.url("/items/new"));
    EXPECT_EQ(a.body, "42");
    EXPECT_EQ(b.body, "literal") << "literal segments win over parameters";
    EXPECT_EQ(b.connects, 0) << "the second request reused the keep-alive connection";
}

TEST(Server, NotFoundAndMethodNotAllowedUseTheErrorShape) {
    Running s(quiet());
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
    Running s(quiet());
    Client c;
    auto r = c.call(s.url("/hello"), {}, "HEAD");
    EXPECT_EQ(r.status, 200);
    EXPECT_TRUE(r.body.empty());
    EXPECT_NE(r.headers.find("Content-Length: 6"), std::string::npos) << r.headers;
}

TEST(Server, OversizedBodyIs413AndHugeHeadersAre431) {
    ServerOptions o = quiet();
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
    Running s(quiet());
    auto out = raw(s.port(), "THIS IS NOT HTTP\r\n\r\n");
    EXPECT_NE(out.find("400"), std::string::npos) << out;
    EXPECT_NE(out.find("request.invalid"), std::string::npos) << out;
    auto dots = raw(s.port(), "GET /static/../../etc/passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    EXPECT_NE(dots.find("HTTP/1.1 400"), std::string::npos) << dots;
}

TEST(Server, SecurityHeadersAndRequestIds) {
    Running s(quiet());
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
    Running s(quiet());
    Client c;
    auto r = c.call(s.url("/throw"));
    EXPECT_EQ(r.status, 500);
    EXPECT_EQ(error_code_of(r.body), "internal");
    EXPECT_EQ(r.body.find("handler bug"), std::string::npos) << "internals never leak";
    EXPECT_EQ(c.call(s.url("/hello")).status, 200) << "the server goes on";
}

TEST(Server, StaticFilesHaveETagsRevalidateAndGzip) {
    Running s(quiet());
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
    Running s(quiet());
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
    ServerOptions o = quiet();
    o.read_timeout = 300ms;
    o.idle_timeout = 300ms;
    Running s(o);
    const auto t0 = std::chrono::steady_clock::now();
    auto out = raw(s.port(), "GET /hello HTTP/1.1\r\nHost: x\r\n", 5000ms);  // headers never finish
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 3s) << "the server closed the connection itself";
    EXPECT_EQ(out.find("hello"), std::string::npos);
}

TEST(Server, GracefulShutdownFinishesInFlightRequests) {
    auto s = std::make_unique<Running>(quiet());
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
    Running s(quiet());
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

namespace {

// Value of a response header in libcurl's raw header text (first occurrence), or "".
std::string header_value(const std::string& headers, const std::string& name) {
    auto pos = headers.find(name + ": ");
    if (pos == std::string::npos) return "";
    pos += name.size() + 2;
    return headers.substr(pos, headers.find('\r', pos) - pos);
}

bool is_hex(const std::string& s) { return s.find_first_not_of("0123456789abcdef") == std::string::npos; }

}  // namespace

TEST(Server, EveryResponseCarriesTheSecurityHeadersUnlessTheHandlerSetsThem) {
    Running s(quiet());
    Client c;
    for (const char* path : {"/hello", "/nothing", "/throw", "/static/css/idara.css"}) {
        auto r = c.call(s.url(path));
        EXPECT_EQ(header_value(r.headers, "Content-Security-Policy"),
                  "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; "
                  "base-uri 'self'; form-action 'self'; frame-ancestors 'none'") << path;
        EXPECT_EQ(header_value(r.headers, "X-Content-Type-Options"), "nosniff") << path;
        EXPECT_EQ(header_value(r.headers, "X-Frame-Options"), "DENY") << path;
        EXPECT_EQ(header_value(r.headers, "Referrer-Policy"), "same-origin") << path;
        EXPECT_EQ(header_value(r.headers, "Permissions-Policy"), "camera=(), microphone=(), geolocation=()") << path;
        EXPECT_EQ(header_value(r.headers, "Cross-Origin-Opener-Policy"), "same-origin") << path;
        EXPECT_EQ(header_value(r.headers, "Server"), "idara") << path;
    }
    auto own = c.call(s.url("/own-csp"));
    EXPECT_EQ(header_value(own.headers, "Content-Security-Policy"), "default-src 'none'");
    EXPECT_EQ(own.headers.find("default-src 'self'"), std::string::npos) << "not duplicated";
    auto garbage = raw(s.port(), "NOT HTTP AT ALL\r\n\r\n");
    EXPECT_NE(garbage.find("X-Frame-Options: DENY"), std::string::npos) << "server errors too";
}

TEST(Server, RequestIdsAreEchoedOrGenerated) {
    Running s(quiet());
    Client c;
    EXPECT_EQ(header_value(c.call(s.url("/hello"), {"X-Request-Id: Ab.9_-z"}).headers, "X-Request-Id"), "Ab.9_-z");
    const std::string long_id(65, 'a');
    for (const std::string& bad : {long_id, std::string("a b"), std::string("<x>"), std::string("")}) {
        auto id = header_value(c.call(s.url("/hello"), {"X-Request-Id: " + bad}).headers, "X-Request-Id");
        EXPECT_EQ(id.size(), 16u) << bad;
        EXPECT_TRUE(is_hex(id)) << id;
    }
    EXPECT_EQ(header_value(c.call(s.url("/hello"), {"X-Request-Id: " + std::string(64, 'b')}).headers, "X-Request-Id"),
              std::string(64, 'b'));
    auto a = header_value(c.call(s.url("/hello")).headers, "X-Request-Id");
    auto b = header_value(c.call(s.url("/hello")).headers, "X-Request-Id");
    EXPECT_TRUE(is_hex(a) && a.size() == 16u) << a;
    EXPECT_NE(a, b);
}

TEST(Server, FallbackServesUnknownPagesButApiKeepsJson404) {
    Running s(quiet(), /*with_fallback=*/true);
    Client c;
    auto page = c.call(s.url("/no/such/page"));
    EXPECT_EQ(page.status, 404);
    EXPECT_EQ(page.body, "<p>no page at /no/such/page</p>");
    EXPECT_EQ(header_value(page.headers, "Content-Type"), "text/html; charset=utf-8");
    auto api = c.call(s.url("/api/v1/nothing"));
    EXPECT_EQ(api.status, 404);
    EXPECT_EQ(header_value(api.headers, "Content-Type"), "application/json");
    EXPECT_EQ(api.body, error_json(errors::not_found()));
    auto na = c.call(s.url("/hello"), {}, "POST", "x");
    EXPECT_EQ(na.status, 405) << "a known path with another method is not a missing page";
    Running plain(quiet());
    auto nf = c.call(plain.url("/no/such/page"));
    EXPECT_EQ(nf.status, 404);
    EXPECT_EQ(nf.body, error_json(errors::not_found())) << "no fallback: the JSON error";
}

TEST(Server, ErrorsUseTheExactJsonShapeAndContentType) {
    Running s(quiet());
    Client c;
    auto nf = c.call(s.url("/nothing"));
    EXPECT_EQ(header_value(nf.headers, "Content-Type"), "application/json");
    EXPECT_EQ(nf.body, error_json(errors::not_found()));
    auto na = c.call(s.url("/echo"), {}, "GET");
    EXPECT_EQ(na.status, 405);
    EXPECT_EQ(na.body, error_json(errors::method_not_allowed()));
    EXPECT_EQ(header_value(na.headers, "Allow"), "POST");
    auto msg = boost::json::parse(nf.body).at("error").at("message");
    EXPECT_FALSE(msg.at("ar").as_string().empty());
    EXPECT_FALSE(msg.at("fr").as_string().empty());
    auto thrown = c.call(s.url("/throw-int"));
    EXPECT_EQ(thrown.status, 500) << "even a non-std exception";
    EXPECT_EQ(thrown.body, error_json(errors::internal()));
}

TEST(Server, HeaderTooLargeMessageIsCatalogued) {
    const auto body = boost::json::parse(error_json(Error{"request.header_too_large", 431}));
    const auto& msg = body.at("error").at("message");
    EXPECT_NE(std::string(msg.at("fr").as_string()), "error.request.header_too_large");
    EXPECT_NE(std::string(msg.at("ar").as_string()), "error.request.header_too_large");
}

TEST(Server, HandlersRunOnWorkersUnlessInlineOk) {
    ServerOptions o = quiet();
    o.io_threads = 1;
    Running s(o);
    Client c;
    EXPECT_EQ(c.call(s.url("/where/inline")).body, "io");
    EXPECT_EQ(c.call(s.url("/where/worker")).body, "other");
}

TEST(Server, WorkerPoolServesSlowHandlersConcurrently) {
    ServerOptions o = quiet();
    o.worker_threads = 4;
    Running s(o);
    const auto t0 = std::chrono::steady_clock::now();
    std::vector<std::future<Reply>> f;
    for (int i = 0; i < 4; ++i) f.push_back(std::async(std::launch::async, [&] { return Client().call(s.url("/slow")); }));
    // While they run, the I/O thread still answers inline routes, and the gauge shows them.
    while (!s.started_) std::this_thread::sleep_for(5ms);
    Client c;
    EXPECT_EQ(c.call(s.url("/where/inline")).status, 200);
    EXPECT_EQ(s.metrics().render().find("idara_http_in_flight_requests 0\n"), std::string::npos);
    for (auto& x : f) EXPECT_EQ(x.get().body, "slow done");
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 2000ms) << "4 x 600 ms ran in parallel";
    EXPECT_NE(s.metrics().render().find("idara_http_in_flight_requests 0\n"), std::string::npos);
}

TEST(Server, TooLargeBodyClosesTheConnection) {
    ServerOptions o = quiet();
    o.max_body_bytes = 100;
    Running s(o);
    const auto t0 = std::chrono::steady_clock::now();
    auto out = raw(s.port(),
                   "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n" + std::string(5000, 'x') +
                       "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n",
                   3000ms);
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 2500ms) << "closed by the server";
    EXPECT_NE(out.find("HTTP/1.1 413"), std::string::npos) << out;
    EXPECT_NE(out.find("Connection: close"), std::string::npos) << out;
    EXPECT_NE(out.find("request.too_large"), std::string::npos);
    EXPECT_EQ(out.find("hello"), std::string::npos) << "nothing after the 413 is served";
    auto hdr = raw(s.port(), "GET /hello HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(20000, 'h') + "\r\n\r\n");
    EXPECT_NE(hdr.find("HTTP/1.1 431"), std::string::npos) << hdr.substr(0, 200);
    EXPECT_NE(hdr.find("Content-Type: application/json"), std::string::npos);
}

TEST(Server, KeepAliveServesPipelinedRequestsOnOneConnection) {
    Running s(quiet());
    auto out = raw(s.port(),
                   "GET /items/1 HTTP/1.1\r\nHost: x\r\n\r\nGET /items/2 HTTP/1.1\r\nHost: x\r\n\r\n"
                   "GET /items/3 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    std::size_t count = 0;
    for (std::size_t p = 0; (p = out.find("HTTP/1.1 200", p)) != std::string::npos; ++p) ++count;
    EXPECT_EQ(count, 3u) << out;
    EXPECT_NE(out.find("\r\n\r\n3"), std::string::npos);
    auto ten = raw(s.port(), "GET /items/9 HTTP/1.0\r\nHost: x\r\n\r\n", 2000ms);
    EXPECT_NE(ten.find("HTTP/1.0 200"), std::string::npos) << "HTTP/1.0 closes by default: raw() returned";
}

TEST(Server, HeadOnStaticFilesGivesTheLengthWithoutTheBody) {
    Running s(quiet());
    Client c;
    auto get = c.call(s.url("/static/css/idara.css"));
    auto head = c.call(s.url("/static/css/idara.css"), {}, "HEAD");
    EXPECT_EQ(head.status, 200);
    EXPECT_TRUE(head.body.empty());
    EXPECT_EQ(header_value(head.headers, "Content-Length"), std::to_string(get.body.size()));
    EXPECT_EQ(header_value(head.headers, "ETag"), header_value(get.headers, "ETag"));
    EXPECT_EQ(header_value(get.headers, "Vary"), "Accept-Encoding");
    EXPECT_EQ(header_value(get.headers, "Cache-Control"), "public, max-age=86400");
    EXPECT_EQ(header_value(get.headers, "Content-Type"), "text/css; charset=utf-8");
    EXPECT_EQ(c.call(s.url("/static/css/idara.css"), {"If-None-Match: *"}).status, 304);
    EXPECT_EQ(c.call(s.url("/static/css/idara.css"), {"If-None-Match: \"stale\""}).status, 200);
}

TEST(Server, PercentDecodedPathsAndNulAreChecked) {
    Running s(quiet());
    Client c;
    EXPECT_EQ(c.call(s.url("/items/a%20b")).body, "a b");
    EXPECT_EQ(c.call(s.url("/items/%2e%2e")).status, 400) << "encoded .. segment";
    EXPECT_EQ(c.call(s.url("/items/x%00y")).status, 400) << "NUL";
    EXPECT_EQ(c.call(s.url("/items/..x")).body, "..x") << "only whole .. segments are refused";
}

TEST(Server, AccessLogWritesOneJsonLinePerRequest) {
    char path[] = "/tmp/idara_access_XXXXXX";
    const int fd = mkstemp(path);
    ASSERT_GE(fd, 0);
    const int saved = dup(2);
    std::fflush(stderr);
    dup2(fd, 2);
    {
        ServerOptions o;
        o.access_log = true;
        Running s(o);
        Client c;
        c.call(s.url("/items/5?x=1"), {"X-Request-Id: log-test-1"});
    }
    std::fflush(stderr);
    dup2(saved, 2);
    close(saved);
    close(fd);
    std::string text;
    if (FILE* f = std::fopen(path, "r")) {
        char buf[4096];
        for (size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) text.append(buf, n);
        std::fclose(f);
    }
    std::remove(path);
    bool found = false;
    std::size_t start = 0;
    for (std::size_t end; (end = text.find('\n', start)) != std::string::npos; start = end + 1) {
        const std::string line = text.substr(start, end - start);
        if (line.find("log-test-1") == std::string::npos) continue;
        auto j = boost::json::parse(line).as_object();
        if (j.at("event").as_string() != "http.access") continue;
        found = true;
        EXPECT_EQ(j.at("method").as_string(), "GET");
        EXPECT_EQ(j.at("path").as_string(), "/items/5");
        EXPECT_EQ(j.at("route").as_string(), "/items/{id}");
        EXPECT_EQ(j.at("status").to_number<int>(), 200);
        EXPECT_EQ(j.at("bytes").to_number<int>(), 1);
        EXPECT_GE(j.at("duration_ms").to_number<double>(), 0.0);
        EXPECT_EQ(j.at("remote").as_string(), "127.0.0.1");
        EXPECT_TRUE(j.at("ts").is_string());
    }
    EXPECT_TRUE(found) << text;
}

TEST(Server, StopClosesIdleKeepAliveConnectionsAtOnce) {
    ServerOptions o = quiet();
    o.drain_timeout = 5000ms;
    o.idle_timeout = 10000ms;
    Running s(o);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(s.port()));
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    const std::string req = "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n";
    ASSERT_EQ(send(fd, req.data(), req.size(), MSG_NOSIGNAL), static_cast<ssize_t>(req.size()));
    char buf[4096];
    ASSERT_GT(recv(fd, buf, sizeof buf, 0), 0);  // the response; the connection now idles
    const auto t0 = std::chrono::steady_clock::now();
    s.stop();
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 1000ms) << "an idle connection does not hold the drain";
    EXPECT_TRUE(s.returned_);
    timeval tv{2, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    EXPECT_EQ(recv(fd, buf, sizeof buf, 0), 0) << "closed by the server";
    close(fd);
}

TEST(Server, InFlightRequestsGetConnectionCloseDuringDrain) {
    Running s(quiet());
    auto slow = std::async(std::launch::async, [&] { return Client().call(s.url("/slow")); });
    while (!s.started_) std::this_thread::sleep_for(5ms);
    s.stop();
    auto r = slow.get();
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(header_value(r.headers, "Connection"), "close") << r.headers;
    EXPECT_TRUE(s.returned_);
}

TEST(Server, DrainIsBoundedByTheDrainTimeout) {
    ServerOptions o = quiet();
    o.drain_timeout = 100ms;
    Running s(o);
    auto slow = std::async(std::launch::async, [&] { return Client().call(s.url("/slow")); });
    while (!s.started_) std::this_thread::sleep_for(5ms);
    const auto t0 = std::chrono::steady_clock::now();
    s.stop();
    // run() stops the I/O after 100 ms; it then waits only for the worker to return (600 ms in all).
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 1500ms);
    EXPECT_TRUE(s.returned_);
    const auto t1 = std::chrono::steady_clock::now();
    (void)slow.get();
    EXPECT_LT(std::chrono::steady_clock::now() - t1, 2000ms) << "the cut-off client sees the close at once";
}

TEST(Server, SigtermTriggersTheGracefulShutdown) {
    Running s(quiet(), false, /*signals=*/true);
    Client c;
    ASSERT_EQ(c.call(s.url("/hello")).status, 200);  // run() is serving, the signal set is installed
    auto slow = std::async(std::launch::async, [&] { return Client().call(s.url("/slow")); });
    while (!s.started_) std::this_thread::sleep_for(5ms);
    ASSERT_EQ(kill(getpid(), SIGTERM), 0);
    s.join();  // run() returns by itself
    EXPECT_TRUE(s.returned_);
    EXPECT_EQ(slow.get().body, "slow done");
}

TEST(Server, StartReportsBindErrors) {
    Running s(quiet());
    Router r;
    ServerOptions o = quiet();
    o.port = static_cast<std::uint16_t>(s.port());
    o.handle_signals = false;
    auto other = make_server(o, r);
    auto res = other->start();
    ASSERT_FALSE(res);
    EXPECT_EQ(res.error().code, "server.bind");
    o.listen_address = "not an address";
    auto bad = make_server(o, r)->start();
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code, "server.bind");
}
