// Redirect targets, cookies and CSRF tokens.
#include "web/security.hpp"

#include <gtest/gtest.h>

using namespace idara;
using namespace idara::web;

TEST(SafeNext, AcceptsLocalPaths) {
    EXPECT_EQ(safe_next("/"), "/");
    EXPECT_EQ(safe_next("/account?x=1&y=%2F"), "/account?x=1&y=%2F");
    EXPECT_EQ(safe_next("/staff#units"), "/staff#units");
}

TEST(SafeNext, RefusesEverythingElse) {
    for (const char* bad : {"//evil.example", "//evil", "/\\evil", "\\\\evil", "https://evil.example/", "http:/x",
                            "javascript:alert(1)", "evil", "", " /x", "/a\\b", "/a\nLocation: x", "/\t/evil",
                            "///evil"})
        EXPECT_FALSE(safe_next(bad)) << bad;
    EXPECT_FALSE(safe_next("/" + std::string(3000, 'a')));
}

TEST(Cookies, Attributes) {
    EXPECT_EQ(set_cookie_value("idara_session", "abc", {.secure = true}),
              "idara_session=abc; Path=/; HttpOnly; Secure; SameSite=Lax");
    EXPECT_EQ(set_cookie_value("idara_lang", "fr", {.http_only = false, .max_age = std::chrono::seconds(60)}),
              "idara_lang=fr; Path=/; Max-Age=60; SameSite=Lax");
    EXPECT_EQ(clear_cookie_value("idara_session", {}), "idara_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax");
    EXPECT_EQ(anon_csrf_cookie("t", false), "idara_csrf=t; Path=/; HttpOnly; SameSite=Strict");
}

TEST(Csrf, AnonymousTokenIsReusedOnlyWhenWellFormed) {
    http::Request r;
    bool fresh = false;
    std::string t = anon_csrf_token(r, fresh);
    EXPECT_TRUE(fresh);
    EXPECT_EQ(t.size(), 43u);
    r.headers.set("Cookie", "idara_csrf=" + t);
    EXPECT_EQ(anon_csrf_token(r, fresh), t);
    EXPECT_FALSE(fresh);
    r.headers.set("Cookie", "idara_csrf=short");
    EXPECT_NE(anon_csrf_token(r, fresh), "short");
    EXPECT_TRUE(fresh);
}

TEST(Csrf, DoubleSubmit) {
    bool fresh = false;
    http::Request r;
    const std::string t = anon_csrf_token(r, fresh);
    r.method = http::Method::post;
    r.headers.set("Content-Type", "application/x-www-form-urlencoded");
    r.headers.set("Cookie", "idara_csrf=" + t);
    r.body = "login=a&_csrf=" + t;
    EXPECT_TRUE(anon_csrf_ok(r));
    r.body = "login=a&_csrf=" + t.substr(0, 42) + "x";
    EXPECT_FALSE(anon_csrf_ok(r));
    r.body = "login=a";
    EXPECT_FALSE(anon_csrf_ok(r)) << "missing field";
    r.body = "login=a&_csrf=" + t;
    r.headers.remove("Cookie");
    EXPECT_FALSE(anon_csrf_ok(r)) << "missing cookie";
    r.headers.set("Cookie", "idara_csrf=");
    r.body = "_csrf=";
    EXPECT_FALSE(anon_csrf_ok(r)) << "empty never matches";
}

TEST(Csrf, SessionToken) {
    http::Request r;
    r.method = http::Method::post;
    r.headers.set("Content-Type", "application/x-www-form-urlencoded");
    r.body = "_csrf=session-token";
    EXPECT_TRUE(csrf_field_matches(r, "session-token"));
    EXPECT_FALSE(csrf_field_matches(r, "session-tokem"));
    EXPECT_FALSE(csrf_field_matches(r, ""));
    r.body = "_csrf=";
    EXPECT_FALSE(csrf_field_matches(r, ""));
}
