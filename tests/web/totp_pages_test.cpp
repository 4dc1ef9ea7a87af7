// /account/totp through a Router with the real identity and TOTP services (SQLite): the
// enrolment shows the QR code and the key once, a first code confirms it, a wrong code
// is refused with the bilingual message, disabling needs the password, CSRF is checked.
#include "../identity/service_fixture.hpp"

#include "http/router.hpp"
#include "identity/totp.hpp"
#include "web/page.hpp"
#include "web/pages.hpp"
#include "web/render.hpp"

#include <gtest/gtest.h>

namespace idara::testing {
namespace {

using namespace std::chrono_literals;

class TotpPagesTest : public ServiceTest {
protected:
    void SetUp() override {
        ServiceTest::SetUp();
        identity::SecretKey master{};
        master.fill(7);
        totp_ = std::make_unique<identity::TotpService>(*db_, *svc_, master, identity::TotpOptions{}, clock_);
        ctx_ = std::make_unique<web::PagesContext>(web::PagesContext{*svc_, false});
        ctx_->totp = totp_.get();
        web::register_pages(router_, *ctx_);
        auto s = svc_->login("admin@a.ma", kPassword, "192.0.2.9").value();
        session_ = s.id;
        csrf_ = s.csrf_token;
    }

    http::Response call(http::Method m, const std::string& target, std::string body = "", const std::string& lang = "fr") {
        http::Request r;
        r.method = m;
        r.target = target;
        const auto q = target.find('?');
        r.path = target.substr(0, q);
        r.query = q == std::string::npos ? "" : target.substr(q + 1);
        r.headers.set("Cookie", "idara_session=" + session_ + "; idara_lang=" + lang);
        if (m == http::Method::post) r.headers.set("Content-Type", "application/x-www-form-urlencoded");
        r.body = std::move(body);
        r.remote_addr = "192.0.2.9";
        auto match = router_.match(m, r.path);
        EXPECT_NE(match.handler, nullptr) << target;
        if (match.handler == nullptr) return http::Response::text(404, "");
        r.params = match.params;
        auto res = (*match.handler)(r);
        for (auto at = res.body.find("&apos;"); at != std::string::npos; at = res.body.find("&apos;", at))
            res.body.replace(at, 6, "&#39;");
        return res;
    }
    http::Response post(const std::string& target, const std::string& fields, bool csrf = true) {
        return call(http::Method::post, target, (csrf ? "_csrf=" + http::url_encode(csrf_) + "&" : std::string()) + fields);
    }
    static std::string fr(const std::string& key) { return web::html_escape(web::msg(i18n::Lang::fr, key)); }
    static std::string ar(const std::string& key) { return web::html_escape(web::msg(i18n::Lang::ar, key)); }
    // The base32 key shown on the page (grouped by four).
    static std::string secret_on(const std::string& html) {
        const std::string id = "id=\"totp-secret\">";
        const auto at = html.find(id);
        if (at == std::string::npos) return {};
        std::string out;
        for (auto i = at + id.size(); i < html.size() && html[i] != '<'; ++i)
            if (html[i] != ' ') out += html[i];
        return out;
    }
    std::string code_now(const std::string& secret_b32) {
        return identity::totp_code(identity::base32_decode(secret_b32).value(), clock_.now_ms() / 1000);
    }

    std::unique_ptr<identity::TotpService> totp_;
    std::unique_ptr<web::PagesContext> ctx_;
    http::Router router_;
    std::string session_, csrf_;
};

TEST_P(TotpPagesTest, EnrolConfirmDisable) {
    auto page = call(http::Method::get, "/account/totp");
    ASSERT_EQ(page.status, 200);
    EXPECT_EQ(page.headers.get("Cache-Control").value_or(""), "no-store");
    EXPECT_NE(page.body.find("action=\"/account/totp/start\""), std::string::npos);
    EXPECT_EQ(page.body.find("action=\"/account/totp/confirm\""), std::string::npos) << "nothing to confirm yet";
    EXPECT_EQ(page.body.find("action=\"/account/totp/disable\""), std::string::npos);
    auto account = call(http::Method::get, "/account");
    EXPECT_NE(account.body.find("href=\"/account/totp\""), std::string::npos);
    EXPECT_NE(account.body.find(fr("totp.account.off")), std::string::npos);

    auto start = post("/account/totp/start", "");
    ASSERT_EQ(start.status, 200);
    EXPECT_NE(start.body.find("<svg"), std::string::npos) << "the QR code";
    EXPECT_NE(start.body.find("role=\"img\" aria-label=\"" + fr("totp.qr_label") + "\""), std::string::npos);
    const std::string secret = secret_on(start.body);
    ASSERT_EQ(secret.size(), 32u);
    EXPECT_NE(start.body.find("autocomplete=\"one-time-code\""), std::string::npos);
    EXPECT_NE(start.body.find("name=\"_csrf\" value=\"" + csrf_ + "\""), std::string::npos);
    EXPECT_EQ(secret_on(call(http::Method::get, "/account/totp").body), "") << "the key is shown once";

    const std::string good = code_now(secret);
    auto wrong = post("/account/totp/confirm", "code=" + std::string(good == "000000" ? "111111" : "000000"));
    EXPECT_EQ(wrong.status, 400);
    EXPECT_NE(wrong.body.find(fr("error.identity.totp_invalid_code")), std::string::npos);
    EXPECT_NE(wrong.body.find("href=\"#code\""), std::string::npos) << "the summary links to the field";
    auto empty = post("/account/totp/confirm", "code=");
    EXPECT_EQ(empty.status, 400);
    EXPECT_NE(empty.body.find(fr("totp.error.code_missing")), std::string::npos);

    auto ok = post("/account/totp/confirm", "code=" + good);
    ASSERT_EQ(ok.status, 303);
    EXPECT_EQ(ok.headers.get("Location").value_or(""), "/account/totp?done=enabled");
    EXPECT_TRUE(totp_->state(staff_a_).value().active);
    auto done = call(http::Method::get, "/account/totp?done=enabled", "", "ar");
    EXPECT_NE(done.body.find(ar("totp.notice.enabled")), std::string::npos);
    EXPECT_NE(done.body.find("action=\"/account/totp/disable\""), std::string::npos);
    EXPECT_EQ(done.body.find("action=\"/account/totp/start\""), std::string::npos);

    auto bad_password = post("/account/totp/disable", "password=not-the-password");
    EXPECT_EQ(bad_password.status, 401);
    EXPECT_NE(bad_password.body.find(fr("error.identity.reauth_failed")), std::string::npos);
    EXPECT_TRUE(totp_->state(staff_a_).value().active);
    auto off = post("/account/totp/disable", "password=" + http::url_encode(kPassword));
    ASSERT_EQ(off.status, 303);
    EXPECT_FALSE(totp_->state(staff_a_).value().active);
}

TEST_P(TotpPagesTest, CsrfIsCheckedFirst) {
    EXPECT_EQ(post("/account/totp/start", "", false).status, 403);
    EXPECT_FALSE(totp_->state(staff_a_).value().pending) << "nothing was started";
    EXPECT_EQ(post("/account/totp/start", "_csrf=wrong", false).status, 403);
    ASSERT_EQ(post("/account/totp/start", "").status, 200);
    EXPECT_EQ(post("/account/totp/confirm", "code=123456", false).status, 403);
    EXPECT_EQ(post("/account/totp/disable", "password=x", false).status, 403);
    EXPECT_TRUE(totp_->state(staff_a_).value().pending);
}

TEST_P(TotpPagesTest, AnActiveSecretCannotBeReplacedAndThrottlingShowsThe429Page) {
    ASSERT_TRUE(totp_->set_active_secret(staff_a_, identity::base32_decode("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ").value()));
    EXPECT_EQ(post("/account/totp/start", "").status, 409);
    // The fixture's sign-in throttle allows 3 wrong passwords per login.
    for (int i = 0; i < 3; ++i) EXPECT_EQ(post("/account/totp/disable", "password=wrong-password-" + std::to_string(i)).status, 401);
    EXPECT_EQ(post("/account/totp/disable", "password=" + http::url_encode(kPassword)).status, 429);
}

TEST_P(TotpPagesTest, AnonymousVisitorsSignIn) {
    session_ = "nope";
    auto r = call(http::Method::get, "/account/totp");
    EXPECT_EQ(r.status, 303);
    EXPECT_EQ(r.headers.get("Location").value_or("").rfind("/login?next=", 0), 0u);
}

INSTANTIATE_TEST_SUITE_P(Sqlite, TotpPagesTest, ::testing::Values(idara::storage::Backend::sqlite),
                         idara::testing::backend_param_name);

}  // namespace
}  // namespace idara::testing
