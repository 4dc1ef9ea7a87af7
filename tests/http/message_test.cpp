#include "http/message.hpp"
#include "http/router.hpp"

#include <gtest/gtest.h>

using namespace idara::http;

TEST(Message, UrlencodedDecoding) {
    auto p = parse_urlencoded("a=1&b=x+y%20z&empty=&flag&%E2%9C%93=%D8%A8&bad=%zz%4");
    ASSERT_EQ(p.size(), 6u);
    EXPECT_EQ(p[1].second, "x y z");
    EXPECT_EQ(p[2].second, "");
    EXPECT_EQ(p[3].first, "flag");
    EXPECT_EQ(p[4].first, "\xE2\x9C\x93");
    EXPECT_EQ(p[4].second, "\xD8\xA8");
    EXPECT_EQ(p[5].second, "%zz%4") << "invalid escapes stay as they are";
    EXPECT_EQ(url_encode("a b/ب"), "a%20b%2F%D8%A8");
}

TEST(Message, HeadersAreCaseInsensitive) {
    Headers h;
    h.set("Content-Type", "text/html");
    EXPECT_EQ(h.get("content-type").value(), "text/html");
    h.add("Set-Cookie", "a=1");
    h.add("set-cookie", "b=2");
    EXPECT_EQ(h.all().size(), 3u);
    h.set("SET-COOKIE", "c=3");
    EXPECT_EQ(h.all().size(), 2u);
    h.remove("content-TYPE");
    EXPECT_FALSE(h.get("Content-Type"));
}

TEST(Message, CookiesQueriesAndForms) {
    Request r;
    r.headers.set("Cookie", "a=1; idara_session=\"xyz\"; broken; b=2");
    EXPECT_EQ(r.cookie("idara_session").value(), "xyz");
    EXPECT_EQ(r.cookie("b").value(), "2");
    EXPECT_FALSE(r.cookie("broken"));
    r.query = "next=%2Faccount&lang=fr";
    EXPECT_EQ(r.query_param("next").value(), "/account");
    r.body = "login=a%40b.ma&_csrf=t";
    EXPECT_FALSE(r.form("login")) << "not declared as a form";
    r.headers.set("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8");
    EXPECT_EQ(r.form("login").value(), "a@b.ma");
}

TEST(Router, MatchesParamsAndReportsAllowedMethods) {
    Router r;
    r.get("/a/{x}/b", [](Request&) { return Response{}; });
    r.post("/a/{x}/b", [](Request&) { return Response{}; });
    r.get("/a/fixed/b", [](Request&) { return Response{}; });
    auto m = r.match(Method::get, "/a/42/b");
    ASSERT_NE(m.handler, nullptr);
    EXPECT_EQ(m.pattern, "/a/{x}/b");
    EXPECT_EQ(m.params.at(0).second, "42");
    EXPECT_EQ(r.match(Method::get, "/a/fixed/b").pattern, "/a/fixed/b");
    EXPECT_EQ(r.match(Method::head, "/a/1/b").pattern, "/a/{x}/b") << "HEAD is served by GET routes";
    auto del = r.match(Method::del, "/a/1/b");
    EXPECT_EQ(del.handler, nullptr);
    EXPECT_EQ(del.allowed.size(), 2u);
    auto none = r.match(Method::get, "/a/1");
    EXPECT_EQ(none.handler, nullptr);
    EXPECT_TRUE(none.allowed.empty());
    EXPECT_NE(r.match(Method::get, "/a/1/b/").handler, nullptr) << "a trailing slash is the same path";
    EXPECT_EQ(r.fallback(), nullptr);
    r.set_fallback([](Request&) { return Response::text(404, "page"); });
    EXPECT_NE(r.fallback(), nullptr);
}
