// Sign-in, CSRF, throttling, sessions and password change through the real server.
#include "harness.hpp"

#include <gtest/gtest.h>

using namespace idara::itest;

namespace {

Server& server() {
    static Server s(true);
    return s;
}

std::string enc(const std::string& s) {
    std::string out;
    const char* hex = "0123456789ABCDEF";
    for (unsigned char ch : s) {
        if (std::isalnum(ch) || ch == '-' || ch == '_' || ch == '.' || ch == '~') out += static_cast<char>(ch);
        else { out += '%'; out += hex[ch >> 4]; out += hex[ch & 15]; }
    }
    return out;
}

Response login(Client& c, const std::string& user, const std::string& password) {
    auto page = c.get(server().url("/login"));
    EXPECT_EQ(page.status, 200);
    const std::string csrf = csrf_field(page.body);
    EXPECT_FALSE(csrf.empty()) << "the login form carries a CSRF token";
    return c.post_form(server().url("/login"),
                       "_csrf=" + enc(csrf) + "&login=" + enc(user) + "&password=" + enc(password));
}

std::string citizen() { return demo_login(server().init_output(), {" citizen "}); }

}  // namespace

TEST(WebFlow, SignInSetsAHardenedSessionCookie) {
    Client c;
    const std::string user = citizen();
    auto r = login(c, user, demo_password(server().init_output(), user));
    EXPECT_EQ(r.status, 303) << r.body;
    std::string set_cookie;
    for (auto [it, end] = r.headers.equal_range("set-cookie"); it != end; ++it)
        if (it->second.rfind("idara_session=", 0) == 0) set_cookie = it->second;
    ASSERT_FALSE(set_cookie.empty());
    EXPECT_NE(set_cookie.find("HttpOnly"), std::string::npos);
    EXPECT_NE(set_cookie.find("SameSite="), std::string::npos);
    EXPECT_NE(set_cookie.find("Secure"), std::string::npos);
    auto account = c.get(server().url("/account"));
    EXPECT_EQ(account.status, 200);
    EXPECT_NE(account.body.find(user), std::string::npos);
    EXPECT_EQ(account.header("cache-control").value_or(""), "no-store");
}

TEST(WebFlow, FormsWithoutTheRightCsrfTokenAreRejected) {
    Client c;
    const std::string user = citizen();
    const std::string pw = demo_password(server().init_output(), user);
    c.get(server().url("/login"));
    auto none = c.post_form(server().url("/login"), "login=" + enc(user) + "&password=" + enc(pw));
    EXPECT_EQ(none.status, 403);
    auto wrong = c.post_form(server().url("/login"), "_csrf=forged&login=" + enc(user) + "&password=" + enc(pw));
    EXPECT_EQ(wrong.status, 403);
    EXPECT_FALSE(c.cookie("idara_session")) << "no session was opened";
    // Signed in, a form posted without the session's token does nothing either.
    ASSERT_EQ(login(c, user, pw).status, 303);
    auto logout = c.post_form(server().url("/logout"), "_csrf=forged");
    EXPECT_EQ(logout.status, 403);
    EXPECT_EQ(c.get(server().url("/account")).status, 200) << "still signed in";
    // A cookie-authenticated API write needs the X-CSRF-Token header.
    auto api = c.post_json(server().url("/api/v1/units"), R"({"code":"C","name_ar":"ج","name_fr":"C"})");
    EXPECT_EQ(api.status, 403);
}

TEST(WebFlow, WrongPasswordAndUnknownLoginLookTheSame) {
    Client c;
    auto bad_pw = login(c, citizen(), "not-the-password-at-all");
    auto unknown = login(c, "nobody@example.ma", "not-the-password-at-all");
    EXPECT_EQ(bad_pw.status, 401);
    EXPECT_EQ(unknown.status, 401);
    EXPECT_FALSE(c.cookie("idara_session"));
}

TEST(WebFlow, LoginIsThrottledAfterRepeatedFailures) {
    Client c;
    const std::string user = demo_login(server().init_output(), {" company "});
    ASSERT_FALSE(user.empty());
    for (int i = 0; i < 5; ++i) EXPECT_EQ(login(c, user, "wrong-password-" + std::to_string(i)).status, 401);
    // Even the right password is refused while throttled.
    auto r = login(c, user, demo_password(server().init_output(), user));
    EXPECT_EQ(r.status, 429);
    EXPECT_FALSE(c.cookie("idara_session"));
}

TEST(WebFlow, LogoutEndsTheSession) {
    Client c;
    const std::string user = demo_login(server().init_output(), {" signer ", "MEF"});
    ASSERT_EQ(login(c, user, demo_password(server().init_output(), user)).status, 303);
    auto account = c.get(server().url("/account"));
    ASSERT_EQ(account.status, 200);
    const std::string old_cookie = c.cookie("idara_session").value_or("");
    ASSERT_FALSE(old_cookie.empty());
    auto out = c.post_form(server().url("/logout"), "_csrf=" + enc(csrf_field(account.body)));
    EXPECT_EQ(out.status, 303);
    // The old session id no longer works, even if replayed.
    Client replay;
    auto r = replay.get(server().url("/account"), {"Cookie: idara_session=" + old_cookie});
    EXPECT_EQ(r.status, 303) << "redirected to sign in";
    EXPECT_NE(r.header("location").value_or("").find("/login"), std::string::npos);
}

TEST(WebFlow, StaffHomeIsForStaffOnly) {
    Client staff, cit;
    const std::string clerk = demo_login(server().init_output(), {" registry_clerk ", "MEN"});
    ASSERT_EQ(login(staff, clerk, demo_password(server().init_output(), clerk)).status, 303);
    auto home = staff.get(server().url("/staff"));
    EXPECT_EQ(home.status, 200);
    ASSERT_EQ(login(cit, citizen(), demo_password(server().init_output(), citizen())).status, 303);
    EXPECT_EQ(cit.get(server().url("/staff")).status, 403);
}
