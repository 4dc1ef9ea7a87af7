// The portal's pages for the single missing-documents request and for assisted filing (SQLite):
// the applicant's list and the application's page say that documents were requested and link to
// the entry's page, where completing works; an agent files on behalf of a citizen from the start
// page (the form, its errors, the banner on every page, the receipt to print), and nobody else
// sees the application.
#include "portal_fixture.hpp"

#include "processing/workflow.hpp"
#include "sample_pdf.hpp"

#include <gtest/gtest.h>

namespace idara::testing {
namespace {

class PortalAssistedTest : public PortalPagesTest {
protected:
    void SetUp() override {
        PortalPagesTest::SetUp();
        univ_head_ = add_staff("head@um5.ac.ma", "UNIV", identity::Role::unit_head, "SCOL-INS");
        univ_agent_ = add_staff("agent@um5.ac.ma", "UNIV", identity::Role::agent, "SCOL-INS");
        flow_ = std::make_unique<processing::WorkflowService>(*db_, *blobs_, *svc_, processing::WorkflowOptions{}, clock_);
        ctx_->workflow = flow_.get();
        router_ = http::Router{};  // the pages again, with the correspondence window
        web::register_pages(router_, *ctx_);
    }
    void TearDown() override {
        flow_.reset();
        PortalPagesTest::TearDown();
    }
    static std::string location(const http::Response& r) { return std::string(r.headers.get("Location").value_or("")); }

    // The whole journey by `who` through the service (the pages are covered by portal_pages_test).
    void fill(const identity::Principal& who, const std::string& id) {
        auto& a = *apps_;
        ASSERT_TRUE(a.answer(who, id, "student", {{"student_number", "R130245871"}}));
        ASSERT_TRUE(a.decide_lookup(who, id, "bac", true));
        ASSERT_TRUE(a.answer(who, id, "faculty", {{"faculty", "fsr"}}));
        ASSERT_TRUE(a.answer(who, id, "programme", {{"programme", "Mathématiques et informatique"}}));
        ASSERT_TRUE(a.answer(who, id, "contact", {{"phone", "0612345678"}}));
        ASSERT_TRUE(a.put_document(who, id, "photo", {"photo.pdf", sample_pdf(1, "photo")}));
        ASSERT_TRUE(a.documents_seen(who, id));
    }
    // Routed to UNIV's agent, in progress, documents requested once. Returns the version.
    std::int64_t request_documents(const std::string& n) {
        const auto clerk = principal(univ_clerk_), head = principal(univ_head_), agent = principal(univ_agent_);
        std::int64_t v = flow_->dossier(clerk, n).value().version;
        v = flow_->assign({clerk, "t"}, n, v, {"SCOL-INS", {}}).value();
        v = flow_->dispatch({head, "t"}, n, v, univ_agent_).value();
        v = flow_->start({agent, "t"}, n, v).value();
        return flow_->request_documents({agent, "t"}, n, v, "Relevé de notes").value();
    }

    std::unique_ptr<processing::WorkflowService> flow_;
    std::int64_t univ_head_ = 0, univ_agent_ = 0;
};

TEST_P(PortalAssistedTest, DocumentsRequestedAreShownAndCompletedOnline) {
    const Browser b = sign_in("amina@example.ma", "fr");
    const auto amina = principal(citizen_);
    const std::string id = apps_->start(amina, "student-registration").value().id;
    fill(amina, id);
    const std::string n = apps_->submit(amina, id).value().register_number;
    const std::string app = "/applications/" + id;

    // Before any request: no notice.
    auto res = get("/applications", b);
    ASSERT_EQ(res.status, 200);
    EXPECT_FALSE(has(res.body, fr("web.portal.missing.tag")));
    EXPECT_FALSE(has(get(app, b).body, "id=\"documents-requested\""));

    const std::int64_t v = request_documents(n);
    res = get("/applications", b);
    ASSERT_EQ(res.status, 200);
    EXPECT_TRUE(has(res.body, fr("web.portal.missing.tag")));
    EXPECT_TRUE(has(res.body, "href=\"/deposits/" + n + "\">" + fr("web.portal.missing.link")));
    res = get(app, b);
    ASSERT_EQ(res.status, 200);
    EXPECT_TRUE(has(res.body, "id=\"documents-requested\""));
    EXPECT_TRUE(has(res.body, fr("web.portal.missing.notice")));
    EXPECT_TRUE(has(res.body, "href=\"/deposits/" + n + "\" id=\"complete-link\""));
    // In Arabic too.
    EXPECT_TRUE(has(get(app, sign_in("amina@example.ma", "ar")).body, ar("web.portal.missing.notice")));

    // The entry's page shows what is asked and completing there works.
    res = get("/deposits/" + n, b);
    ASSERT_EQ(res.status, 200);
    EXPECT_TRUE(has(res.body, "Relevé de notes"));
    res = post_multipart("/deposits/" + n + "/complete", b,
                         {{"version", std::nullopt, "text/plain", std::to_string(v)},
                          {"files", std::string("releve.pdf"), "application/pdf", sample_pdf(1, "releve")}},
                         b.csrf);
    ASSERT_EQ(res.status, 303) << res.body;
    EXPECT_EQ(location(res), "/deposits/" + n + "?completed=1");
    EXPECT_EQ(flow_->dossier(amina, n)->state, processing::State::in_progress);
    EXPECT_EQ(svc_->get(amina, n)->attachments.size(), 2u);
    // The notice is gone.
    EXPECT_FALSE(has(get("/applications", b).body, fr("web.portal.missing.tag")));
    EXPECT_FALSE(has(get(app, b).body, "id=\"documents-requested\""));
}

TEST_P(PortalAssistedTest, AnAgentFilesOnBehalfOfACitizen) {
    const Browser agent = sign_in("agent@mef.gov.ma", "fr");
    const std::string service = "/services/student-registration";

    // The start page offers assisted filing to agents only.
    auto res = get(service, agent);
    ASSERT_EQ(res.status, 200);
    EXPECT_TRUE(has(res.body, "id=\"assisted-start\" href=\"" + service + "/assisted\""));
    EXPECT_TRUE(has(res.body, "href=\"/applications\" id=\"assisted-mine\""));
    EXPECT_FALSE(has(get(service, sign_in("amina@example.ma")).body, "id=\"assisted-start\""));
    EXPECT_FALSE(has(get(service, sign_in("clerk@um5.ac.ma")).body, "id=\"assisted-start\""));
    EXPECT_EQ(get(service + "/assisted", sign_in("amina@example.ma")).status, 403);
    EXPECT_EQ(get(service + "/assisted", sign_in("clerk@um5.ac.ma")).status, 403);
    EXPECT_EQ(post(service + "/assisted", sign_in("amina@example.ma"),
                   {{"name", "Fatima Ait Ouarab"}, {"id_type", "cin"}, {"id_number", "BK123456"}, {"checked", "true"}})
                  .status,
              403);

    // The form: every field labelled; the desk check is required; the typed values are kept.
    res = get(service + "/assisted", agent);
    ASSERT_EQ(res.status, 200);
    EXPECT_EQ(res.headers.get("Cache-Control"), "no-store");
    for (const std::string f : {"name", "id_type", "id_number", "email", "checked"})
        EXPECT_TRUE(has(res.body, "for=\"" + f + "\"")) << f;
    EXPECT_TRUE(has(res.body, fr("web.assisted.form.checked")));
    const std::vector<std::pair<std::string, std::string>> person = {
        {"name", "Fatima Ait Ouarab"}, {"id_type", "cin"}, {"id_number", "BK123456"}, {"email", ""}};
    EXPECT_EQ(post(service + "/assisted", agent, person, false).status, 403) << "no CSRF token";
    res = post(service + "/assisted", agent, person);
    ASSERT_EQ(res.status, 400);
    EXPECT_TRUE(has(res.body, "href=\"#checked\""));
    EXPECT_TRUE(has(res.body, fr("error.assisted.identity_not_checked")));
    EXPECT_TRUE(has(res.body, "value=\"Fatima Ait Ouarab\""));
    auto bad = person;
    bad[2].second = "B1";
    bad.push_back({"checked", "true"});
    res = post(service + "/assisted", agent, bad);
    ASSERT_EQ(res.status, 400);
    EXPECT_TRUE(has(res.body, "href=\"#id_number\""));
    EXPECT_TRUE(has(res.body, fr("error.assisted.id_number")));
    EXPECT_EQ(count("applications"), 0);

    auto good = person;
    good.push_back({"checked", "true"});
    res = post(service + "/assisted", agent, good);
    ASSERT_EQ(res.status, 303) << res.body;
    const std::string id = id_of(location(res));
    ASSERT_FALSE(id.empty()) << location(res);
    EXPECT_EQ(location(res), "/applications/" + id + "/steps/student");
    const std::string app = "/applications/" + id;

    // Every page of the journey names the citizen and the document checked.
    res = get(app + "/steps/student", agent);
    ASSERT_EQ(res.status, 200);
    EXPECT_TRUE(has(res.body, "id=\"assisted-banner\""));
    EXPECT_TRUE(has(res.body, "Dépôt assisté pour <bdi>Fatima Ait Ouarab</bdi>"));
    EXPECT_TRUE(has(res.body, "Carte nationale d&#39;identité (CIN) n° <bdi dir=\"ltr\">BK123456</bdi>"));
    res = post(app + "/steps/student", agent, {{"student_number", "R130245871"}});
    ASSERT_EQ(res.status, 303) << res.body;
    fill(principal(mef_agent_), id);
    res = get(app + "/check", agent);
    ASSERT_EQ(res.status, 200);
    EXPECT_TRUE(has(res.body, "id=\"assisted-banner\""));
    EXPECT_FALSE(has(get(app + "/check", sign_in("agent@mef.gov.ma", "ar")).body, "Dépôt assisté"));
    EXPECT_TRUE(has(get(app + "/check", sign_in("agent@mef.gov.ma", "ar")).body, "إيداع بمساعدة لفائدة"));

    // The confirmation: the receipt to print and hand to the citizen.
    res = post(app + "/submit", agent, {});
    ASSERT_EQ(res.status, 200) << res.body;
    const auto entry = svc_->list_mine(principal(mef_agent_)).value();
    ASSERT_EQ(entry.size(), 1u);
    const std::string n = entry[0].register_number;
    EXPECT_TRUE(has(res.body, "id=\"assisted-banner\""));
    EXPECT_TRUE(has(res.body, "href=\"/deposits/" + n + "/receipt.pdf\">" + fr("web.assisted.banner.receipt")));
    EXPECT_TRUE(has(res.body, fr("web.assisted.banner.print")));
    EXPECT_EQ(get("/deposits/" + n + "/receipt.pdf", agent).status, 200);
    // No e-mail address was given: no e-mail button.
    EXPECT_FALSE(has(res.body, "id=\"email-receipt\""));
    EXPECT_EQ(post(app + "/email-receipt", agent, {}).status, 409);
    // Recorded as assisted: the citizen is the depositor, the channel is shown as such.
    const auto e = svc_->get(principal(mef_agent_), n).value();
    EXPECT_EQ(e.channel, registry::Channel::assisted);
    EXPECT_EQ(e.depositor_name, "Fatima Ait Ouarab");
    res = get("/deposits/" + n, agent);
    ASSERT_EQ(res.status, 200);
    EXPECT_TRUE(has(res.body, fr("registry.channel.assisted")));

    // The agent's list shows it, for whom; nobody else sees the application.
    res = get("/applications", agent);
    ASSERT_EQ(res.status, 200);
    EXPECT_TRUE(has(res.body, "href=\"" + app + "\""));
    EXPECT_TRUE(has(res.body, "pour Fatima Ait Ouarab"));
    EXPECT_FALSE(has(get("/applications", sign_in("amina@example.ma")).body, app));
    EXPECT_EQ(get(app, sign_in("amina@example.ma")).status, 404);
    EXPECT_EQ(get(app, sign_in("agent@men.gov.ma")).status, 404);
    EXPECT_EQ(get("/deposits/" + n, sign_in("amina@example.ma")).status, 404);
    EXPECT_EQ(get("/deposits/" + n, sign_in("agent@men.gov.ma")).status, 404);
}

TEST_P(PortalAssistedTest, TheReceiptIsSentToTheCitizensAddress) {
    const Browser agent = sign_in("agent@mef.gov.ma", "fr");
    procedures::AssistedPerson p{"Fatima Ait Ouarab", "passport", "ZX998877", "fatima@example.ma", true};
    const std::string id = apps_->start_assisted(principal(mef_agent_), "student-registration", p).value().id;
    fill(principal(mef_agent_), id);
    const std::string app = "/applications/" + id;
    auto res = post(app + "/submit", agent, {});
    ASSERT_EQ(res.status, 200) << res.body;
    EXPECT_TRUE(has(res.body, "action=\"" + app + "/email-receipt\""));
    EXPECT_TRUE(has(res.body, "Envoyer le récépissé par e-mail à fatima@example.ma"));
    EXPECT_TRUE(has(res.body, "Passeport n° <bdi dir=\"ltr\">ZX998877</bdi>"));
    EXPECT_EQ(post(app + "/email-receipt", agent, {}, false).status, 403) << "no CSRF token";
    EXPECT_EQ(post(app + "/email-receipt", sign_in("agent@men.gov.ma"), {}).status, 404);
    EXPECT_EQ(count("outgoing_mail"), 0);
    res = post(app + "/email-receipt", agent, {});
    ASSERT_EQ(res.status, 303) << res.body;
    EXPECT_EQ(location(res), app);
    EXPECT_EQ(count("outgoing_mail"), 1);
    res = get(app, agent);
    ASSERT_EQ(res.status, 200);
    EXPECT_TRUE(has(res.body, "id=\"receipt-mailed\""));
    EXPECT_FALSE(has(res.body, "id=\"email-receipt\""));
}

INSTANTIATE_TEST_SUITE_P(Backends, PortalAssistedTest, ::testing::Values(storage::Backend::sqlite), backend_param_name);

}  // namespace
}  // namespace idara::testing
