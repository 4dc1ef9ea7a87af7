// The pure request parsing shared by the server and the fuzz targets.
#include "http/request_parse.hpp"

#include <gtest/gtest.h>

#include <string>

using namespace idara::http;

namespace {

ParsedRequest parse(const std::string& bytes, RequestLimits limits = {}) { return parse_request_bytes(bytes, limits); }

}  // namespace

TEST(RequestParse, CompleteRequestWithQueryHeadersAndBody) {
    const std::string bytes =
        "POST /api/v1/units/%D8%A8?x=1&y=%20 HTTP/1.1\r\nHost: a\r\nX-Request-Id: r-1\r\n"
        "Content-Length: 5\r\n\r\nhelloGET /next HTTP/1.1\r\n";
    const auto p = parse(bytes);
    ASSERT_EQ(p.status, ParsedRequest::Status::complete);
    EXPECT_EQ(p.request.method, Method::post);
    EXPECT_EQ(p.request.target, "/api/v1/units/%D8%A8?x=1&y=%20");
    EXPECT_EQ(p.request.path, "/api/v1/units/\xD8\xA8");
    EXPECT_EQ(p.request.query, "x=1&y=%20");
    EXPECT_EQ(p.request.query_param("y").value(), " ");
    EXPECT_EQ(p.request.header("x-request-id").value(), "r-1");
    EXPECT_EQ(p.request.body, "hello");
    EXPECT_TRUE(p.keep_alive);
    EXPECT_EQ(bytes.substr(p.consumed), "GET /next HTTP/1.1\r\n") << "pipelined bytes are left over";
    EXPECT_EQ(parse(bytes.substr(p.consumed)).status, ParsedRequest::Status::incomplete);
}

TEST(RequestParse, ChunkedBodiesAndConnectionClose) {
    const auto p = parse("PUT /u HTTP/1.1\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                         "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n");
    ASSERT_EQ(p.status, ParsedRequest::Status::complete);
    EXPECT_EQ(p.request.body, "abcde");
    EXPECT_FALSE(p.keep_alive);
    const auto http10 = parse("GET / HTTP/1.0\r\n\r\n");
    ASSERT_EQ(http10.status, ParsedRequest::Status::complete);
    EXPECT_FALSE(http10.keep_alive);
}

TEST(RequestParse, LimitsGive413And431) {
    const RequestLimits small{.max_header_bytes = 64, .max_body_bytes = 4};
    const auto body = parse("POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello", small);
    ASSERT_EQ(body.status, ParsedRequest::Status::failed);
    EXPECT_EQ(body.error.status, 413);
    EXPECT_EQ(body.error.code, "request.too_large");
    const auto head = parse("GET / HTTP/1.1\r\nX-Big: " + std::string(100, 'a') + "\r\n\r\n", small);
    ASSERT_EQ(head.status, ParsedRequest::Status::failed);
    EXPECT_EQ(head.error.status, 431);
    EXPECT_EQ(head.error.code, "request.header_too_large");
    EXPECT_EQ(parse("POST / HTTP/1.1\r\nContent-Length: 4\r\n\r\nabcd", small).status, ParsedRequest::Status::complete);
}

TEST(RequestParse, GarbageAndBadPathsAre400) {
    for (const std::string bad : {"GARBAGE\r\n\r\n", "GET / HTTP/9.9\r\n\r\n", "GET / HTTP/1.1\r\nNo colon\r\n\r\n",
                                  "GET /a/../b HTTP/1.1\r\n\r\n", "GET /a/%2e%2E/b HTTP/1.1\r\n\r\n",
                                  "GET /a%00b HTTP/1.1\r\n\r\n", "GET x HTTP/1.1\r\n\r\n", "GET /.. HTTP/1.1\r\n\r\n"}) {
        const auto p = parse(bad);
        ASSERT_EQ(p.status, ParsedRequest::Status::failed) << bad;
        EXPECT_EQ(p.error.status, 400) << bad;
        EXPECT_EQ(p.error.code, "request.invalid") << bad;
    }
    EXPECT_EQ(parse("GET /a/..b/c.. HTTP/1.1\r\n\r\n").status, ParsedRequest::Status::complete) << "not a .. segment";
}

TEST(RequestParse, IncompleteInputAsksForMore) {
    for (const std::string part : {"", "GE", "GET / HTTP/1.1\r\nHost: a\r\n", "POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nab"})
        EXPECT_EQ(parse(part).status, ParsedRequest::Status::incomplete) << part;
}

TEST(RequestParse, PathDecodingAndRequestIds) {
    EXPECT_EQ(decode_request_path("/a%20b+c/%zz%4").value(), "/a b+c/%zz%4") << "'+' stays, bad escapes are literal";
    EXPECT_FALSE(decode_request_path(""));
    EXPECT_FALSE(decode_request_path("a/b"));
    EXPECT_FALSE(decode_request_path("/a/%2E%2e"));
    EXPECT_FALSE(decode_request_path("/%00"));
    EXPECT_TRUE(decode_request_path("/a/.../b"));
    EXPECT_TRUE(valid_request_id("abc-DEF_0.9"));
    EXPECT_TRUE(valid_request_id(std::string(64, 'a')));
    EXPECT_FALSE(valid_request_id(std::string(65, 'a')));
    EXPECT_FALSE(valid_request_id(""));
    EXPECT_FALSE(valid_request_id("a b"));
    EXPECT_FALSE(valid_request_id("a\"b"));
    EXPECT_FALSE(valid_request_id("\xD8\xA8"));
}

TEST(RequestParse, MakeRequestSplitsTheTarget) {
    Headers h;
    h.set("Cookie", "a=1");
    auto r = make_request("DELETE", "/x/%41?q=%42", std::move(h), "body");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->method, Method::del);
    EXPECT_EQ(r->path, "/x/A");
    EXPECT_EQ(r->query, "q=%42");
    EXPECT_EQ(r->cookie("a").value(), "1");
    EXPECT_EQ(r->body, "body");
    auto bad = make_request("GET", "/../etc/passwd", {}, "");
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().status, 400);
}
