// The maturity self-assessment through the portal's pages (web/pages_portal_check.cpp): a company
// files sme-digital-maturity v2 (scored), the confirmation and the summary show the overall
// percentage, the level and each dimension's percentage, and GET /applications/{id}/report.pdf
// serves the report, sealed (pdfsig verifies it), to the applicant and to staff of ADD, 404 to anyone else and for a
// procedure without scoring, 409 for a draft. With the evaluation service, the same summary page
// shows the outcome of an effective decision (EvaluationService::outcome_of).
#include "portal_fixture.hpp"

#include "procedures/evaluation.hpp"
#include "sample_pdf.hpp"
#include "shell.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace idara::testing {
namespace {

std::string location(const http::Response& r) { return std::string(r.headers.get("Location").value_or("")); }

std::string source(const std::string& rel) {
    std::ifstream in(std::string(IDARA_TEST_SOURCE_DIR) + "/" + rel, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

class PortalReportTest : public PortalPagesTest {
protected:
    void SetUp() override {
        PortalPagesTest::SetUp();
        add_ = ids_->create_administration({"ADD", "وكالة التنمية الرقمية", "Agence de Développement du Digital",
                                            "contact@add.gov.ma"}).value();
        ids_->create_unit(identity::TenantScope::trusted(add_), {"PAD", "قطب المواكبة", "Pôle accompagnement", {}}).value();
        add_agent_ = add_staff("agent@add.gov.ma", "ADD", identity::Role::agent);
        for (const char* v : {"v1", "v2"}) {
            const std::string path = std::string("procedures/sme-digital-maturity/") + v + ".json";
            catalogue_->load(source(path), path).value();
        }
    }

    // A company's maturity questionnaire through the pages, answered as `answers` (step -> form);
    // returns its path "/applications/{id}", on the check page.
    std::string fill(const Browser& b) {
        auto res = post("/services/sme-digital-maturity/start", b, {});
        EXPECT_EQ(res.status, 303) << res.body;
        const std::string app = "/applications/" + id_of(location(res));
        const std::vector<std::pair<std::string, std::vector<std::pair<std::string, std::string>>>> steps{
            {"company", {{"company_name", "Atlas Numérique SARL"}, {"ice", "001234567000089"}}},
            {"strategy", {{"strategy_vision", "3"}, {"strategy_budget", "1"}}},     // 4/6 = 67 %
            {"processes", {{"processes_digital", "2"}, {"processes_admin", "0"}}},  // 2/6 = 33 %
            {"data", {{"data_collection", "1"}, {"data_use", "0"}}},                // 1/6 = 17 %
            {"skills", {{"skills_training", "3"}, {"skills_roles", "2"}}},          // 5/6 = 83 %
            {"cybersecurity", {{"cybersecurity", "1"}}},                            // 1/3 = 33 %
            {"customer", {{"customer_channels", "2"}}},                             // 2/3 = 67 %
        };
        for (const auto& [step, form] : steps) {
            res = post(app + "/steps/" + step, b, form);
            EXPECT_EQ(res.status, 303) << step << ": " << res.body;
        }
        EXPECT_EQ(location(res), app + "/check");
        return app;
    }

    static bool shows_score(const std::string& body) {
        return has(body, "id=\"score-percent\"><bdi dir=\"ltr\">50 %</bdi>") && has(body, "id=\"score-level\">Avancé<") &&
               has(body, "<th scope=\"row\">Stratégie</th><td><bdi dir=\"ltr\">67 %</bdi></td>") &&
               has(body, "<th scope=\"row\">Données</th><td><bdi dir=\"ltr\">17 %</bdi> <span class=\"tag\">" +
                             fr("web.scoring.advised") + "</span></td>");
    }

    std::int64_t add_ = 0, add_agent_ = 0;
};

TEST_P(PortalReportTest, TheApplicantSeesTheScoreAndGetsTheReport) {
    const Browser b = sign_in("contact@atlas.ma", "fr");
    const std::string app = fill(b);
    // Not submitted yet: no score on the check page, and no report (409).
    auto res = get(app + "/check", b);
    ASSERT_EQ(res.status, 200);
    EXPECT_FALSE(has(res.body, "id=\"score\""));
    EXPECT_EQ(get(app + "/report.pdf", b).status, 409);

    res = post(app + "/submit", b, {});
    ASSERT_EQ(res.status, 200) << res.body;
    EXPECT_TRUE(has(res.body, "id=\"register-number\""));
    EXPECT_TRUE(shows_score(res.body)) << res.body;
    EXPECT_TRUE(has(res.body, "href=\"" + app + "/report.pdf\""));

    res = get(app, b);
    ASSERT_EQ(res.status, 200);
    EXPECT_TRUE(shows_score(res.body)) << res.body;
    EXPECT_TRUE(has(res.body, "href=\"" + app + "/report.pdf\""));
    EXPECT_TRUE(has(res.body, "<caption>" + fr("web.scoring.caption") + "</caption>"));
    EXPECT_FALSE(has(res.body, "id=\"outcome\"")) << "no evaluation service, no outcome";

    res = get(app + "/report.pdf", b);
    ASSERT_EQ(res.status, 200) << res.body;
    EXPECT_EQ(res.headers.get("Content-Type"), "application/pdf");
    EXPECT_EQ(res.body.rfind("%PDF-", 0), 0u);
    const std::string disposition(res.headers.get("Content-Disposition").value_or(""));
    EXPECT_EQ(disposition.rfind("attachment; filename=\"maturity-report-ADD-", 0), 0u) << disposition;
    EXPECT_EQ(disposition.find_first_of("/\\ ", 21), std::string::npos) << disposition;
    EXPECT_EQ(res.headers.get("Cache-Control"), "no-store");
    // Sealed with the platform seal: pdfsig verifies it.
    const auto file = std::filesystem::temp_directory_path() / ("idara-report-" + std::to_string(::getpid()) + ".pdf");
    write_file(file, res.body);
    const std::string sig = run_command("pdfsig " + file.string());
    std::filesystem::remove(file);
    EXPECT_NE(sig.find("Signature is Valid"), std::string::npos) << sig;
    EXPECT_NE(sig.find("Total document signed"), std::string::npos) << sig;

    // Staff of ADD get it; staff of another administration and another citizen do not.
    const Browser staff = sign_in("agent@add.gov.ma", "fr");
    res = get(app + "/report.pdf", staff);
    ASSERT_EQ(res.status, 200) << res.body;
    EXPECT_EQ(res.body.rfind("%PDF-", 0), 0u);
    EXPECT_EQ(get(app + "/report.pdf", sign_in("clerk@mef.gov.ma", "fr")).status, 404);
    EXPECT_EQ(get(app + "/report.pdf", sign_in("amina@example.ma", "fr")).status, 404);
    EXPECT_EQ(get("/applications/00000000000000000000/report.pdf", b).status, 404);
    // Anonymous: to the sign-in page.
    res = call(http::Method::get, app + "/report.pdf", nullptr);
    EXPECT_EQ(res.status, 303);
    EXPECT_EQ(location(res).rfind("/login", 0), 0u) << location(res);
}

TEST_P(PortalReportTest, TheScoreIsShownInArabic) {
    const Browser b = sign_in("contact@atlas.ma", "ar");
    const std::string app = fill(b);
    ASSERT_EQ(post(app + "/submit", b, {}).status, 200);
    const auto res = get(app, b);
    ASSERT_EQ(res.status, 200);
    EXPECT_TRUE(has(res.body, "id=\"score-level\">متقدم<")) << res.body;
    EXPECT_TRUE(has(res.body, "<th scope=\"row\">الاستراتيجية</th>"));
    EXPECT_TRUE(has(res.body, ar("web.scoring.download")));
}

TEST_P(PortalReportTest, AProcedureWithoutScoringHasNoReport) {
    // A draft of student-registration (no scoring): 404, not 409.
    const Browser b = sign_in("amina@example.ma", "fr");
    const std::string app = "/applications/" + start(b);
    EXPECT_EQ(get(app + "/report.pdf", b).status, 404);
}

INSTANTIATE_TEST_SUITE_P(Backends, PortalReportTest, ::testing::Values(storage::Backend::sqlite), backend_param_name);

// student-registration as version 2 evaluated by one review and decided application by application.
constexpr const char* kEvaluation = R"("evaluation": {
    "criteria": [{"id": "quality", "title": {"ar": "جودة الملف", "fr": "Qualité du dossier"}, "max": 10}],
    "reviews": 1,
    "pass_mark": 50,
    "decision": "each",
    "granted": {"ar": "قبول التسجيل", "fr": "Inscription acceptée"},
    "refused": {"ar": "رفض التسجيل", "fr": "Inscription refusée"}
  },
  "receipt": {)";

class PortalOutcomeTest : public PortalPagesTest {
protected:
    void SetUp() override {
        PortalPagesTest::SetUp();
        std::string text = source("procedures/student-registration/v1.json");
        text.replace(text.find("\"version\": 1,"), 13, "\"version\": 2,");
        text.replace(text.find("\"receipt\": {"), 12, kEvaluation);
        catalogue_->load(text, "tests/web/portal_report_test.cpp").value();
        head_ = add_staff("head@um5.ac.ma", "UNIV", identity::Role::unit_head, "SCOL-INS");
        reviewer_ = add_staff("rev1@um5.ac.ma", "UNIV", identity::Role::agent, "SCOL-INS");
        eval_ = std::make_unique<procedures::EvaluationService>(*db_, *blobs_, *catalogue_, *apps_, nullptr, clock_);
        ctx_->evaluation = eval_.get();  // the fixture registered the pages without it: again, with it
        router_ = http::Router{};
        web::register_pages(router_, *ctx_);
    }
    void TearDown() override {
        router_ = http::Router{};
        eval_.reset();
        PortalPagesTest::TearDown();
    }

    std::unique_ptr<procedures::EvaluationService> eval_;
    std::int64_t head_ = 0, reviewer_ = 0;
};

TEST_P(PortalOutcomeTest, TheApplicantSeesTheDecisionOnceTaken) {
    const Browser b = sign_in("amina@example.ma", "fr");
    const std::string id = start(b), app = "/applications/" + id;
    EXPECT_EQ(post(app + "/steps/student", b, {{"student_number", "R130245871"}}).status, 303);
    EXPECT_EQ(post(app + "/lookups/bac", b, {{"consent", "agree"}}).status, 303);
    EXPECT_EQ(post(app + "/steps/faculty", b, {{"faculty", "fsr"}}).status, 303);
    EXPECT_EQ(post(app + "/steps/programme", b, {{"programme", "Mathématiques et informatique"}}).status, 303);
    EXPECT_EQ(post(app + "/steps/contact", b, {{"phone", "0612345678"}}).status, 303);
    EXPECT_EQ(location(post_multipart(app + "/documents", b,
                                      {{"doc_photo", std::string("photo.pdf"), "application/pdf", sample_pdf()}}, b.csrf)),
              app + "/check");
    ASSERT_EQ(post(app + "/submit", b, {}).status, 200);
    auto res = get(app, b);
    ASSERT_EQ(res.status, 200);
    EXPECT_FALSE(has(res.body, "id=\"outcome\"")) << "no decision yet";
    EXPECT_FALSE(has(res.body, "id=\"score\"")) << "no scoring";

    const auto head = principal(head_);
    ASSERT_TRUE(eval_->assign(head, id, reviewer_).has_value());
    ASSERT_TRUE(eval_->review(principal(reviewer_), id, {{"quality", "8"}}, "", true).has_value());
    const auto decided = eval_->decide(head, id, procedures::Outcome::granted, "Dossier complet");
    ASSERT_TRUE(decided.has_value()) << decided.error().code;

    res = get(app, b);
    ASSERT_EQ(res.status, 200);
    EXPECT_TRUE(has(res.body, "id=\"outcome\"")) << res.body;
    EXPECT_TRUE(has(res.body, "id=\"outcome-name\">Inscription acceptée<"));
    EXPECT_TRUE(has(res.body, "Dossier complet"));
    EXPECT_TRUE(has(res.body, fr("web.portal.applicant_outcome.decided_at")));
    EXPECT_FALSE(has(res.body, "/evaluation/decisions/")) << "decided one by one: no signed decision";
    // In Arabic too; another citizen still gets 404.
    EXPECT_TRUE(has(get(app, Browser{b.session, b.csrf, "ar"}).body, "قبول التسجيل"));
    EXPECT_EQ(get(app, sign_in("youssef@example.ma", "fr")).status, 404);
}

INSTANTIATE_TEST_SUITE_P(Backends, PortalOutcomeTest, ::testing::Values(storage::Backend::sqlite), backend_param_name);

}  // namespace
}  // namespace idara::testing
