// Unit tests of the Beast-free parts: router precedence and fallback, message
// helpers, metrics exposition, gzip; and a deterministic fuzz-style robustness run.
#include "http/message.hpp"
#include "http/metrics.hpp"
#include "http/router.hpp"
#include "http/static_files.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdint>
#include <string>
#include <thread>
#include <vector>

using namespace idara::http;

namespace {

Handler tag(std::string name) {
    return [name](Request&) { return Response::text(200, name); };
}

std::string call(const Router::Match& m) {
    if (m.handler == nullptr) return "<none>";
    Request r;
    return (*m.handler)(r).body;
}

std::string gunzip(const std::string& in) {
    z_stream z{};
    EXPECT_EQ(inflateInit2(&z, 15 + 16), Z_OK);
    std::string out(in.size() * 20 + 1024, '\0');
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    z.avail_in = static_cast<uInt>(in.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    const int rc = inflate(&z, Z_FINISH);
    out.resize(z.total_out);
    inflateEnd(&z);
    EXPECT_EQ(rc, Z_STREAM_END);
    return out;
}

}  // namespace

TEST(Router, LiteralSegmentsTakePrecedenceSegmentBySegment) {
    Router r;
    r.get("/a/{x}/c", tag("param-first"));
    r.get("/a/b/{y}", tag("literal-first"));
    r.get("/a/{x}/{y}", tag("params"));
    r.get("/a/b/c", tag("all-literal"));
    EXPECT_EQ(call(r.match(Method::get, "/a/b/c")), "all-literal");
    EXPECT_EQ(call(r.match(Method::get, "/a/b/z")), "literal-first");
    EXPECT_EQ(call(r.match(Method::get, "/a/b/c/")), "all-literal");
    EXPECT_EQ(call(r.match(Method::get, "/a/q/c")), "param-first");
    auto m = r.match(Method::get, "/a/q/z");
    EXPECT_EQ(call(m), "params");
    ASSERT_EQ(m.params.size(), 2u);
    EXPECT_EQ(m.params[0], (std::pair<std::string, std::string>{"x", "q"}));
    EXPECT_EQ(m.params[1], (std::pair<std::string, std::string>{"y", "z"}));
    EXPECT_EQ(m.pattern, "/a/{x}/{y}");

    // Registration order must not matter: the earlier literal segment decides.
    Router r2;
    r2.get("/a/{x}/c", tag("param-first"));
    r2.get("/a/b/{y}", tag("literal-first"));
    EXPECT_EQ(call(r2.match(Method::get, "/a/b/c")), "literal-first");
    Router r3;
    r3.get("/a/b/{y}", tag("literal-first"));
    r3.get("/a/{x}/c", tag("param-first"));
    EXPECT_EQ(call(r3.match(Method::get, "/a/b/c")), "literal-first");
}

TEST(Router, NotFoundVersusMethodNotAllowed) {
    Router r;
    r.get("/units/{id}", tag("get"));
    r.add(Method::put, "/units/{id}", tag("put"));
    r.post("/units", tag("post"));
    auto del = r.match(Method::del, "/units/7");
    EXPECT_EQ(del.handler, nullptr);
    EXPECT_EQ(del.allowed, (std::vector<Method>{Method::get, Method::put}));
    auto get_units = r.match(Method::get, "/units");
    EXPECT_EQ(get_units.handler, nullptr);
    EXPECT_EQ(get_units.allowed, (std::vector<Method>{Method::post}));
    auto nothing = r.match(Method::get, "/units/7/extra");
    EXPECT_EQ(nothing.handler, nullptr);
    EXPECT_TRUE(nothing.allowed.empty());
    EXPECT_EQ(call(r.match(Method::head, "/units/7")), "get") << "HEAD matches GET routes";
    EXPECT_EQ(r.match(Method::head, "/units").allowed, (std::vector<Method>{Method::post}));
    EXPECT_EQ(r.match(Method::get, "/").handler, nullptr);
}

TEST(Router, FallbackIsStoredAndCallable) {
    Router r;
    EXPECT_EQ(r.fallback(), nullptr);
    r.set_fallback([](Request& q) { return Response::html(404, "missing " + q.path); });
    ASSERT_NE(r.fallback(), nullptr);
    Request q;
    q.path = "/x";
    auto res = (*r.fallback())(q);
    EXPECT_EQ(res.status, 404);
    EXPECT_EQ(res.body, "missing /x");
    EXPECT_EQ(res.headers.get("content-type").value(), "text/html; charset=utf-8");
}

TEST(Message, MethodsAndResponseFactories) {
    for (auto m : {Method::get, Method::head, Method::post, Method::put, Method::patch, Method::del, Method::options})
        EXPECT_EQ(parse_method(method_name(m)), m);
    EXPECT_EQ(method_name(Method::del), "DELETE");
    EXPECT_EQ(parse_method("get"), Method::other) << "methods are case-sensitive";
    EXPECT_EQ(parse_method("BREW"), Method::other);
    EXPECT_EQ(Response::json(201, "{}").headers.get("Content-Type").value(), "application/json");
    EXPECT_EQ(Response::json(201, "{}").status, 201);
    auto red = Response::redirect("/next");
    EXPECT_EQ(red.status, 303);
    EXPECT_EQ(red.headers.get("location").value(), "/next");
    EXPECT_EQ(Response::text(200, "x").headers.get("Content-Type").value(), "text/plain; charset=utf-8");
}

TEST(Message, DecodingEdgeCases) {
    auto p = parse_urlencoded("a=%41%42&b=%4&c=%&d=%%41&e=1=2&&=v&f=%2B+");
    ASSERT_EQ(p.size(), 7u);
    EXPECT_EQ(p[0].second, "AB");
    EXPECT_EQ(p[1].second, "%4");
    EXPECT_EQ(p[2].second, "%");
    EXPECT_EQ(p[3].second, "%A");
    EXPECT_EQ(p[4].second, "1=2") << "only the first '=' separates";
    EXPECT_EQ(p[5].first, "");
    EXPECT_EQ(p[6].second, "+ ");
    EXPECT_TRUE(parse_urlencoded("").empty());
    EXPECT_EQ(url_encode("AZaz09-_.~"), "AZaz09-_.~");
    EXPECT_EQ(url_encode("a+b&c=d"), "a%2Bb%26c%3Dd");
    std::string all;
    for (int c = 0; c < 256; ++c) all += static_cast<char>(c);
    auto back = parse_urlencoded("k=" + url_encode(all));
    ASSERT_EQ(back.size(), 1u);
    EXPECT_EQ(back[0].second, all) << "url_encode round-trips through parse_urlencoded";
}

TEST(Message, RequestAccessors) {
    Request r;
    r.params = {{"id", "42"}};
    EXPECT_EQ(r.param("id"), "42");
    EXPECT_EQ(r.param("nope"), "");
    r.query = "a=1&a=2&q=x%20y";
    EXPECT_EQ(r.query_param("a").value(), "1") << "first occurrence";
    EXPECT_EQ(r.query_param("q").value(), "x y");
    EXPECT_FALSE(r.query_param("z"));
    r.headers.add("cookie", "sid=abc;theme=dark;  lang=ar ; empty=");
    EXPECT_EQ(r.cookie("sid").value(), "abc");
    EXPECT_EQ(r.cookie("theme").value(), "dark");
    EXPECT_EQ(r.cookie("lang").value(), "ar") << "whitespace around values is trimmed";
    EXPECT_EQ(r.cookie("empty").value(), "");
    EXPECT_FALSE(r.cookie("Sid")) << "cookie names are case-sensitive";
    r.headers.set("CONTENT-TYPE", "Application/X-WWW-Form-Urlencoded");
    r.body = "x=1";
    EXPECT_EQ(r.form("x").value(), "1") << "media types are case-insensitive";
    r.headers.set("Content-Type", "application/x-www-form-urlencodedX");
    EXPECT_FALSE(r.form("x"));
    r.headers.set("Content-Type", "multipart/form-data; boundary=x");
    EXPECT_FALSE(r.form("x"));
}

TEST(Metrics, RendersCountersHistogramGaugeAndSources) {
    Metrics m;
    m.observe("/a/{id}", "GET", 200, 0.003);
    m.observe("/a/{id}", "GET", 200, 0.2);
    m.observe("/a/{id}", "POST", 400, 20.0);
    m.observe("unmatched", "GET", 404, 0.0001);
    m.inc_in_flight();
    m.inc_in_flight();
    m.dec_in_flight();
    m.add_source([] { return std::string("extra_metric 7\n"); });
    const std::string t = m.render();
    auto has = [&](const std::string& line) { return t.find(line + "\n") != std::string::npos; };
    EXPECT_TRUE(has("idara_http_requests_total{route=\"/a/{id}\",method=\"GET\",status=\"200\"} 2")) << t;
    EXPECT_TRUE(has("idara_http_requests_total{route=\"/a/{id}\",method=\"POST\",status=\"400\"} 1")) << t;
    EXPECT_TRUE(has("idara_http_requests_total{route=\"unmatched\",method=\"GET\",status=\"404\"} 1")) << t;
    EXPECT_TRUE(has("# TYPE idara_http_requests_total counter"));
    EXPECT_TRUE(has("# TYPE idara_http_request_duration_seconds histogram"));
    EXPECT_TRUE(has("idara_http_request_duration_seconds_bucket{route=\"/a/{id}\",le=\"0.001\"} 0")) << t;
    EXPECT_TRUE(has("idara_http_request_duration_seconds_bucket{route=\"/a/{id}\",le=\"0.005\"} 1")) << t;
    EXPECT_TRUE(has("idara_http_request_duration_seconds_bucket{route=\"/a/{id}\",le=\"0.25\"} 2")) << t;
    EXPECT_TRUE(has("idara_http_request_duration_seconds_bucket{route=\"/a/{id}\",le=\"10\"} 2")) << t;
    EXPECT_TRUE(has("idara_http_request_duration_seconds_bucket{route=\"/a/{id}\",le=\"+Inf\"} 3")) << t;
    EXPECT_TRUE(has("idara_http_request_duration_seconds_count{route=\"/a/{id}\"} 3")) << t;
    EXPECT_TRUE(has("idara_http_request_duration_seconds_sum{route=\"/a/{id}\"} 20.203")) << t;
    EXPECT_TRUE(has("idara_http_request_duration_seconds_bucket{route=\"unmatched\",le=\"0.001\"} 1")) << t;
    for (const char* le : {"0.001", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10"})
        EXPECT_NE(t.find(std::string("route=\"unmatched\",le=\"") + le + "\"}"), std::string::npos) << le;
    EXPECT_TRUE(has("idara_http_in_flight_requests 1")) << t;
    EXPECT_TRUE(has("extra_metric 7"));
    EXPECT_GT(t.find("extra_metric"), t.find("idara_http_in_flight_requests")) << "sources come last";
}

TEST(Metrics, LabelValuesAreEscapedAndObserveIsThreadSafe) {
    Metrics m;
    m.observe("/q\"\\\n", "GET", 200, 0.01);
    EXPECT_NE(m.render().find("route=\"/q\\\"\\\\\\n\""), std::string::npos) << m.render();
    std::vector<std::thread> ts;
    for (int i = 0; i < 4; ++i)
        ts.emplace_back([&] {
            for (int j = 0; j < 1000; ++j) {
                m.inc_in_flight();
                m.observe("/t", "GET", 200, 0.002);
                m.dec_in_flight();
            }
        });
    for (auto& t : ts) t.join();
    const std::string t = m.render();
    EXPECT_NE(t.find("idara_http_requests_total{route=\"/t\",method=\"GET\",status=\"200\"} 4000\n"), std::string::npos);
    EXPECT_NE(t.find("idara_http_in_flight_requests 0\n"), std::string::npos);
}

TEST(StaticFiles, GzipRoundTrips) {
    std::string text;
    for (int i = 0; i < 200; ++i) text += "body { color: #123; } /* " + std::to_string(i) + " */\n";
    const std::string z = gzip(text);
    EXPECT_LT(z.size(), text.size() / 3);
    EXPECT_EQ(gunzip(z), text);
    EXPECT_EQ(gunzip(gzip("")), "");
}

TEST(StaticFiles, RegistersOneInlineRoutePerEmbeddedFile) {
    Router r;
    register_static_files(r);
    auto m = r.match(Method::get, "/static/css/idara.css");
    ASSERT_NE(m.handler, nullptr);
    EXPECT_TRUE(m.options.inline_ok);
    Request q;
    auto res = (*m.handler)(q);
    EXPECT_EQ(res.status, 200);
    EXPECT_EQ(res.headers.get("Content-Type").value(), "text/css; charset=utf-8");
    EXPECT_EQ(res.headers.get("Cache-Control").value(), "public, max-age=86400");
    EXPECT_EQ(res.headers.get("Vary").value(), "Accept-Encoding");
    const std::string etag(res.headers.get("ETag").value());
    EXPECT_EQ(etag.size(), 66u) << "quoted SHA-256 hex";
    q.headers.set("Accept-Encoding", "gzip;q=0, br");
    EXPECT_FALSE((*m.handler)(q).headers.get("Content-Encoding")) << "q=0 refuses gzip";
    q.headers.set("Accept-Encoding", "deflate, gzip;q=0.5");
    auto gz = (*m.handler)(q);
    EXPECT_EQ(gz.headers.get("Content-Encoding").value(), "gzip");
    EXPECT_EQ(gunzip(gz.body), res.body);
    q.headers.set("If-None-Match", "\"other\", W/" + etag);
    auto nm = (*m.handler)(q);
    EXPECT_EQ(nm.status, 304);
    EXPECT_TRUE(nm.body.empty());
    EXPECT_EQ(nm.headers.get("ETag").value(), etag);
    EXPECT_EQ(r.match(Method::get, "/static/nope.css").handler, nullptr);
}

// 20 000 deterministic pseudo-random and mutated inputs through the parsers: they
// must never crash or trip ASan/UBSan, and must keep basic invariants.
TEST(Fuzz, ParsersSurviveMutatedInput) {
    std::uint64_t state = 0x9E3779B97F4A7C15ull;
    auto next = [&] {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        return state;
    };
    const std::vector<std::string> seeds = {
        "a=1&b=x+y%20z", "%E2%9C%93=%D8%A8", "sid=abc; theme=\"dark\"; x", "/api/v1/units/42/members",
        "/static/css/idara.css", "%%%%", "&&==&&", "/a/b/c/", "%zz%4%", "k=%00v"};
    const std::string alphabet = std::string("%=&;+/ {}\"\\.aZ09\r\n\xff") + std::string(1, '\0');
    Router r;
    r.get("/api/v1/units/{id}", [](Request&) { return Response{}; });
    r.post("/api/v1/units/{id}/members", [](Request&) { return Response{}; });
    r.get("/api/v1/units/new", [](Request&) { return Response{}; });
    r.get("/", [](Request&) { return Response{}; });
    r.get("/{a}/{b}/{c}", [](Request&) { return Response{}; });
    std::size_t total_pairs = 0;
    for (int i = 0; i < 20000; ++i) {
        std::string s;
        if (i % 2 == 0) {
            const std::size_t len = next() % 64;
            for (std::size_t k = 0; k < len; ++k)
                s += (next() % 3 == 0) ? alphabet[next() % alphabet.size()] : static_cast<char>(next() & 0xff);
        } else {
            s = seeds[next() % seeds.size()];
            const int edits = 1 + static_cast<int>(next() % 4);
            for (int e = 0; e < edits; ++e) {
                const std::size_t pos = s.empty() ? 0 : next() % (s.size() + 1);
                switch (next() % 4) {
                    case 0: s.insert(pos, 1, alphabet[next() % alphabet.size()]); break;
                    case 1: if (pos < s.size()) s.erase(pos, 1); break;
                    case 2: if (pos < s.size()) s[pos] = static_cast<char>(next() & 0xff); break;
                    default: s.insert(pos, s.substr(0, next() % (s.size() + 1))); break;
                }
            }
        }
        auto pairs = parse_urlencoded(s);
        for (const auto& [k, v] : pairs) {
            ASSERT_LE(k.size() + v.size(), s.size());
            total_pairs += 1;
        }
        Request q;
        q.headers.set("Cookie", s);
        q.query = s;
        q.body = s;
        q.headers.set("Content-Type", "application/x-www-form-urlencoded");
        (void)q.cookie("sid");
        (void)q.cookie(s.substr(0, next() % (s.size() + 1)));
        (void)q.query_param("a");
        (void)q.form("b");
        (void)url_encode(s);
        for (Method m : {Method::get, Method::post, Method::del}) {
            auto match = r.match(m, s);
            if (match.handler != nullptr) {
                ASSERT_TRUE(match.allowed.empty());
            }
            for (const auto& [k, v] : match.params) ASSERT_LE(v.size(), s.size());
        }
    }
    EXPECT_GT(total_pairs, 0u);
}

TEST(Metrics, SourcesMayReadMetricsAndTheGaugeIsExact) {
    Metrics m;
    // A source runs with no lock held: it may record metrics itself (a slow source never blocks requests).
    m.add_source([&m] {
        m.observe("/from-source", "GET", 200, 0.0);
        return std::string("source_ok 1\n");
    });
    std::vector<std::thread> ts;
    for (int i = 0; i < 4; ++i)
        ts.emplace_back([&] {
            for (int j = 0; j < 5000; ++j) m.inc_in_flight();
            for (int j = 0; j < 5000; ++j) m.dec_in_flight();
        });
    for (auto& t : ts) t.join();
    m.inc_in_flight();
    m.inc_in_flight();
    m.inc_in_flight();
    const std::string t = m.render();
    EXPECT_NE(t.find("idara_http_in_flight_requests 3\n"), std::string::npos) << t;
    EXPECT_NE(t.find("source_ok 1\n"), std::string::npos) << t;
    EXPECT_NE(m.render().find("route=\"/from-source\",method=\"GET\",status=\"200\"} 1\n"), std::string::npos);
    m.observe("/b", "GET", 200, 10.0);
    m.observe("/b", "GET", 200, 10.5);
    const std::string u = m.render();
    EXPECT_NE(u.find("idara_http_request_duration_seconds_bucket{route=\"/b\",le=\"10\"} 1\n"), std::string::npos)
        << "le is inclusive: 10 s falls in the 10 s bucket";
    EXPECT_NE(u.find("idara_http_request_duration_seconds_bucket{route=\"/b\",le=\"+Inf\"} 2\n"), std::string::npos);
}
