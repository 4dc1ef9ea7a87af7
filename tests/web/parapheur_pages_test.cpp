// The parapheur's pages (web/parapheur_pages.hpp) through a Router with the real services on
// SQLite: a CircuitService whose re-authentication is the real identity::TotpService, so a
// signature needs the password and a current TOTP code. The queue, the document view (page
// images, forms only for the actions the visitor may take), CSRF, the PNG and PDF endpoints,
// the generic re-authentication error, another administration's circuit as 404.
#include "../parapheur/parapheur_fixture.hpp"

#include "http/router.hpp"
#include "identity/totp.hpp"
#include "web/page.hpp"
#include "web/pages.hpp"
#include "web/render.hpp"

#include <gtest/gtest.h>

namespace idara::testing {
namespace {

using parapheur::StepKind;
using parapheur::StepMode;

constexpr const char* kPassword = "a-long-enough-passphrase";
const std::string kSecretB32 = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

struct Browser {
    std::string session, csrf, lang = "fr";
};

class ParapheurPagesTest : public ParapheurTest {
protected:
    void SetUp() override {
        ParapheurTest::SetUp();
        totp_ = std::make_unique<identity::TotpService>(*db_, *ids_, master_, identity::TotpOptions{}, clock_);
        // As the application wires it: the address is the origin's last word ("web 192.0.2.7").
        auto reauth = [this](const identity::Principal& p, std::string_view password, std::string_view code,
                             std::string_view origin) {
            const auto space = origin.rfind(' ');
            const std::string ip(space == std::string_view::npos ? origin : origin.substr(space + 1));
            return totp_->reauthenticate(p.account_id, password, code, ip);
        };
        web_circuits_ = std::make_unique<parapheur::CircuitService>(*db_, *blobs_, *pki_, tsa_.get(), reauth,
                                                                    parapheur::CircuitOptions{}, clock_);
        ASSERT_TRUE(totp_->set_active_secret(mef_signer_, identity::base32_decode(kSecretB32).value()));
        ctx_ = std::make_unique<web::PagesContext>(web::PagesContext{*ids_, false});
        ctx_->deposits = svc_.get();
        ctx_->totp = totp_.get();
        ctx_->circuits = web_circuits_.get();
        web::register_pages(router_, *ctx_);
        put_template("note", {step(StepKind::visa, StepMode::any, {mef_head_}),
                              step(StepKind::signature, StepMode::any, {mef_signer_})});
        parapheur::NewCircuit n;
        n.template_code = "note";
        n.title = "مذكرة داخلية — Note interne";
        n.file_name = "note.pdf";
        n.pdf = sample_pdf(2, "note");
        auto c = web_circuits_->start(actor(mef_agent_), n);
        ASSERT_TRUE(c) << c.error().code << " " << c.error().detail;
        id_ = c->id;
        href_ = "/parapheur/" + std::to_string(id_);
    }
    void TearDown() override {
        web_circuits_.reset();
        totp_.reset();
        ParapheurTest::TearDown();
    }

    Browser sign_in(std::int64_t account, const std::string& lang = "fr") {
        auto s = ids_->login(principal(account).login, kPassword, "192.0.2.7").value();
        return {s.id, s.csrf_token, lang};
    }
    http::Response call(http::Method method, const std::string& target, const Browser& b, std::string body = "") {
        http::Request r;
        r.method = method;
        r.target = target;
        const auto q = target.find('?');
        r.path = target.substr(0, q);
        r.query = q == std::string::npos ? "" : target.substr(q + 1);
        r.headers.set("Cookie", "idara_session=" + b.session + "; idara_lang=" + b.lang);
        if (method == http::Method::post) r.headers.set("Content-Type", "application/x-www-form-urlencoded");
        r.body = std::move(body);
        r.remote_addr = "192.0.2.7";
        r.request_id = "test-request";
        auto m = router_.match(method, r.path);
        if (m.handler == nullptr) {
            ADD_FAILURE() << "no route for " << target;
            return http::Response::text(404, "no route");
        }
        r.params = m.params;
        auto res = (*m.handler)(r);
        for (auto at = res.body.find("&apos;"); at != std::string::npos; at = res.body.find("&apos;", at))
            res.body.replace(at, 6, "&#39;");
        return res;
    }
    http::Response get(const std::string& target, const Browser& b) { return call(http::Method::get, target, b); }
    http::Response post(const std::string& target, const Browser& b,
                        std::vector<std::pair<std::string, std::string>> fields, bool csrf = true) {
        std::string body = csrf ? "_csrf=" + http::url_encode(b.csrf) : std::string();
        for (const auto& [k, v] : fields) body += (body.empty() ? "" : "&") + k + "=" + http::url_encode(v);
        return call(http::Method::post, target, b, body);
    }
    static std::string hidden(const std::string& html, const std::string& name) {
        const std::string prefix = "name=\"" + name + "\" value=\"";
        const auto at = html.find(prefix);
        if (at == std::string::npos) return {};
        const auto start = at + prefix.size();
        return html.substr(start, html.find('"', start) - start);
    }
    static bool has(const std::string& html, const std::string& s) { return html.find(s) != std::string::npos; }
    static std::string fr(const std::string& key) { return web::html_escape(web::msg(i18n::Lang::fr, key)); }
    static std::string ar(const std::string& key) { return web::html_escape(web::msg(i18n::Lang::ar, key)); }
    std::string code_now() {
        return identity::totp_code(identity::base32_decode(kSecretB32).value(), clock_.now_ms() / 1000);
    }
    parapheur::Circuit now() { return web_circuits_->get(principal(mef_agent_), id_).value(); }
    void approve_as_head() {
        auto head = sign_in(mef_head_);
        auto page = get(href_, head);
        auto r = post(href_ + "/approve", head, {{"version", hidden(page.body, "version")}});
        ASSERT_EQ(r.status, 303) << r.body.substr(0, 2000);
    }

    std::unique_ptr<identity::TotpService> totp_;
    std::unique_ptr<parapheur::CircuitService> web_circuits_;
    std::unique_ptr<web::PagesContext> ctx_;
    http::Router router_;
    std::int64_t id_ = 0;
    std::string href_;
};

TEST_P(ParapheurPagesTest, QueuesListWhatWaitsForMeAndWhatIStarted) {
    auto head = get("/parapheur", sign_in(mef_head_));
    ASSERT_EQ(head.status, 200);
    EXPECT_EQ(head.headers.get("Cache-Control").value_or(""), "no-store");
    EXPECT_TRUE(has(head.body, "href=\"" + href_ + "\"")) << "the unit head's visa is due";
    EXPECT_TRUE(has(head.body, "Note interne"));
    EXPECT_TRUE(has(head.body, "aria-current=\"page\">" + fr("parapheur_web.box.mine")));
    EXPECT_TRUE(has(head.body, "href=\"/parapheur\" aria-current=\"page\"")) << "the navigation link";
    auto signer = get("/parapheur", sign_in(mef_signer_, "ar"));
    EXPECT_FALSE(has(signer.body, "href=\"" + href_ + "\"")) << "the signature step is not current yet";
    EXPECT_TRUE(has(signer.body, ar("parapheur_web.queue.empty_mine")));
    auto started = get("/parapheur?box=started", sign_in(mef_agent_));
    EXPECT_TRUE(has(started.body, "href=\"" + href_ + "\""));
    EXPECT_EQ(get("/parapheur?box=all", sign_in(mef_agent_)).status, 404) << "all is for admins";
    EXPECT_EQ(get("/parapheur?box=all", sign_in(mef_admin_)).status, 200);
    EXPECT_EQ(get("/parapheur", sign_in(citizen_)).status, 403);
}

TEST_P(ParapheurPagesTest, TheDocumentShowsPagesAndOnlyTheFormsTheVisitorMayUse) {
    auto head = get(href_, sign_in(mef_head_));
    ASSERT_EQ(head.status, 200) << head.body.substr(0, 2000);
    EXPECT_TRUE(has(head.body, "<img src=\"" + href_ + "/page/1.png?v="));
    EXPECT_TRUE(has(head.body, "<img src=\"" + href_ + "/page/2.png?v="));
    EXPECT_TRUE(has(head.body, "alt=\"Page 1 sur 2 du document\""));
    EXPECT_TRUE(has(head.body, "href=\"" + href_ + "/document.pdf\""));
    EXPECT_TRUE(has(head.body, "action=\"" + href_ + "/approve\""));
    EXPECT_TRUE(has(head.body, "action=\"" + href_ + "/reject\""));
    EXPECT_FALSE(has(head.body, "action=\"" + href_ + "/sign\"")) << "a visa step";
    EXPECT_EQ(hidden(head.body, "version"), std::to_string(now().version));
    EXPECT_FALSE(hidden(head.body, "_csrf").empty());
    EXPECT_TRUE(has(head.body, fr("parapheur_web.assignee.pending")));
    EXPECT_TRUE(has(head.body, fr("parapheur_web.event.started")));

    auto signer = get(href_, sign_in(mef_signer_, "ar"));
    ASSERT_EQ(signer.status, 200);
    EXPECT_FALSE(has(signer.body, "action=\"" + href_ + "/approve\""));
    EXPECT_FALSE(has(signer.body, "action=\"" + href_ + "/sign\""));
    EXPECT_TRUE(has(signer.body, ar("parapheur_web.document.no_action")));
    EXPECT_TRUE(has(signer.body, "alt=\"" + web::html_escape(i18n::catalogue().format(
                                                   i18n::Lang::ar, "parapheur_web.page_alt", {{"n", "2"}, {"m", "2"}})) +
                                         "\""));

    approve_as_head();
    signer = get(href_ + "?done=approved", sign_in(mef_signer_));
    EXPECT_TRUE(has(signer.body, "action=\"" + href_ + "/sign\""));
    EXPECT_TRUE(has(signer.body, "autocomplete=\"one-time-code\""));
    EXPECT_TRUE(has(signer.body, "type=\"password\""));
    EXPECT_FALSE(has(signer.body, fr("parapheur_web.sign.needs_totp"))) << "the signer has a second factor";
    EXPECT_TRUE(has(get(href_, sign_in(mef_head_)).body, fr("parapheur_web.document.no_action")))
        << "the head's visa is given";
}

TEST_P(ParapheurPagesTest, ApproveAndSignWithPasswordAndTotp) {
    auto head = sign_in(mef_head_);
    auto page = get(href_, head);
    auto no_csrf = post(href_ + "/approve", head, {{"version", hidden(page.body, "version")}}, false);
    EXPECT_EQ(no_csrf.status, 403);
    EXPECT_EQ(now().current_step, 0) << "a refused token changes nothing";
    auto stale = post(href_ + "/approve", head, {{"version", "99"}});
    EXPECT_EQ(stale.status, 409);
    EXPECT_TRUE(has(stale.body, fr("error.parapheur.version_conflict")));
    EXPECT_TRUE(has(stale.body, "class=\"error-summary"));
    approve_as_head();
    EXPECT_EQ(now().current_step, 1);

    auto signer = sign_in(mef_signer_);
    page = get(href_, signer);
    const std::string version = hidden(page.body, "version");
    const std::string code = code_now();
    const std::string wrong_code = code == "000000" ? "111111" : "000000";
    auto bad_code = post(href_ + "/sign", signer, {{"version", version}, {"password", kPassword}, {"totp_code", wrong_code}});
    EXPECT_EQ(bad_code.status, 401);
    EXPECT_TRUE(has(bad_code.body, fr("error.identity.reauth_failed")));
    EXPECT_TRUE(has(bad_code.body, "href=\"#sign_password\""));
    auto bad_password = post(href_ + "/sign", signer, {{"version", version}, {"password", "wrong"}, {"totp_code", code}});
    EXPECT_EQ(bad_password.status, 401);
    EXPECT_TRUE(has(bad_password.body, fr("error.identity.reauth_failed"))) << "the same message: no hint";
    EXPECT_FALSE(has(bad_password.body, "value=\"wrong\"")) << "the password is never echoed";
    EXPECT_EQ(now().versions.size(), 1u) << "nothing signed";

    auto ok = post(href_ + "/sign", signer, {{"version", version}, {"password", kPassword}, {"totp_code", code}});
    ASSERT_EQ(ok.status, 303) << ok.body.substr(0, 3000);
    EXPECT_EQ(ok.headers.get("Location").value_or(""), href_ + "?done=signed");
    const auto c = now();
    EXPECT_EQ(c.state, parapheur::CircuitState::completed);
    EXPECT_EQ(c.versions.size(), 2u);
    auto done = get(href_ + "?done=signed", signer);
    EXPECT_TRUE(has(done.body, fr("parapheur_web.notice.signed")));
    EXPECT_TRUE(has(done.body, fr("parapheur_web.state.completed")));
    EXPECT_TRUE(has(done.body, href_ + "/document.pdf?version=2"));
    // The same code cannot sign twice (replay) — here the circuit is done anyway: 409 first.
    EXPECT_EQ(post(href_ + "/sign", signer, {{"version", std::to_string(c.version)}, {"password", kPassword},
                                              {"totp_code", code}}).status, 409);
}

TEST_P(ParapheurPagesTest, RejectNeedsAReason) {
    auto head = sign_in(mef_head_);
    auto page = get(href_, head);
    auto empty = post(href_ + "/reject", head, {{"version", hidden(page.body, "version")}, {"reason", "  "}});
    EXPECT_EQ(empty.status, 400);
    EXPECT_TRUE(has(empty.body, fr("error.parapheur.reason_required")));
    EXPECT_TRUE(has(empty.body, "href=\"#reject_reason\""));
    auto ok = post(href_ + "/reject", head, {{"version", hidden(page.body, "version")}, {"reason", "Pièce manquante"}});
    ASSERT_EQ(ok.status, 303);
    EXPECT_EQ(now().state, parapheur::CircuitState::rejected);
    EXPECT_TRUE(has(get(href_, head).body, "Pièce manquante"));
}

TEST_P(ParapheurPagesTest, PagesArePngAtScreenWidth) {
    auto head = sign_in(mef_head_);
    const std::string sha = now().versions.back().sha256;
    auto png = get(href_ + "/page/1.png?v=" + sha, head);
    ASSERT_EQ(png.status, 200) << png.body.substr(0, 500);
    EXPECT_EQ(png.headers.get("Content-Type").value_or(""), "image/png");
    EXPECT_EQ(png.headers.get("Cache-Control").value_or(""), "private, max-age=86400, immutable");
    ASSERT_GT(png.body.size(), 24u);
    EXPECT_EQ(png.body.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
    auto be32 = [&](std::size_t at) {
        const auto* p = reinterpret_cast<const unsigned char*>(png.body.data() + at);
        return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
    };
    EXPECT_EQ(png.body.substr(12, 4), "IHDR");
    EXPECT_EQ(be32(16), 1000u) << "width";
    EXPECT_GT(be32(20), 1000u) << "a portrait page is taller than wide";
    EXPECT_EQ(get(href_ + "/page/1.png", head).headers.get("Cache-Control").value_or(""), "no-store");
    EXPECT_EQ(get(href_ + "/page/3.png", head).status, 404);
    EXPECT_EQ(get(href_ + "/page/0.png", head).status, 404);
    EXPECT_EQ(get(href_ + "/page/x.png", head).status, 404);
    auto pdf = get(href_ + "/document.pdf", head);
    ASSERT_EQ(pdf.status, 200);
    EXPECT_EQ(pdf.headers.get("Content-Type").value_or(""), "application/pdf");
    EXPECT_EQ(pdf.headers.get("Content-Disposition").value_or(""), "attachment; filename=\"note.pdf\"");
    EXPECT_EQ(pdf.body.substr(0, 5), "%PDF-");
    EXPECT_EQ(get(href_ + "/document.pdf?version=1", head).status, 200);
    EXPECT_EQ(get(href_ + "/document.pdf?version=7", head).status, 404);
}

TEST_P(ParapheurPagesTest, AnotherAdministrationsCircuitIsNotFound) {
    auto men = sign_in(men_signer_);
    EXPECT_EQ(get(href_, men).status, 404);
    EXPECT_EQ(get(href_ + "/page/1.png", men).status, 404);
    EXPECT_EQ(get(href_ + "/document.pdf", men).status, 404);
    auto r = post(href_ + "/approve", men, {{"version", std::to_string(now().version)}});
    EXPECT_EQ(r.status, 404);
    EXPECT_EQ(now().current_step, 0);
    auto citizen = sign_in(citizen_);
    EXPECT_EQ(get(href_, citizen).status, 404);
    EXPECT_EQ(get(href_ + "/page/1.png", citizen).status, 404);
    EXPECT_EQ(get("/parapheur/999999", sign_in(mef_head_)).status, 404);
    auto anonymous = get(href_, Browser{"nope", "", "fr"});
    EXPECT_EQ(anonymous.status, 303);
}

INSTANTIATE_TEST_SUITE_P(Sqlite, ParapheurPagesTest, ::testing::Values(idara::storage::Backend::sqlite),
                         idara::testing::backend_param_name);

}  // namespace
}  // namespace idara::testing
