// The evaluation pages (web/evaluation_pages.hpp) through the router with the real services on
// SQLite: student-registration as a version 2 with an `evaluation` (two criteria, two reviews,
// pass mark 50 %, a decision for each application and a public directory of the programme and
// the faculty). Staff pages send anonymous visitors to sign in and are a 404 for applicants; the
// board lists the administration's submitted applications only; only heads assign (an agent gets
// the 403 page); the reviewer's form re-shows bad scores with their errors and saves nothing, and
// needs the no-conflict declaration; the board shows the mean score and the rank once reviewed;
// granting needs the pass mark, refusing a reason; the public directory (no login, Arabic and
// French) lists the granted application with the directory fields only.
#include "portal_fixture.hpp"

#include "procedures/evaluation.hpp"
#include "sample_pdf.hpp"

#include <gtest/gtest.h>

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

std::string replaced(std::string text, const std::string& from, const std::string& to) {
    const auto at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos) text.replace(at, from.size(), to);
    return text;
}

std::size_t occurrences(const std::string& body, const std::string& what) {
    std::size_t n = 0;
    for (auto at = body.find(what); at != std::string::npos; at = body.find(what, at + what.size())) ++n;
    return n;
}

constexpr const char* kEvaluation = R"("evaluation": {
    "criteria": [
      {"id": "quality", "title": {"ar": "جودة الملف", "fr": "Qualité du dossier"}, "hint": {"ar": "المعدل والشعبة", "fr": "Moyenne et filière"}, "max": 10, "weight": 2},
      {"id": "motivation", "title": {"ar": "الحافز", "fr": "Motivation"}, "max": 5, "weight": 1}
    ],
    "reviews": 2,
    "pass_mark": 50,
    "decision": "each",
    "granted": {"ar": "قبول التسجيل", "fr": "Inscription acceptée"},
    "refused": {"ar": "رفض التسجيل", "fr": "Inscription refusée"},
    "directory": {"title": {"ar": "لائحة الطلبة المقبولين", "fr": "Liste des étudiants admis"}, "fields": ["programme", "faculty"]}
  },
  "receipt": {)";

class EvaluationPagesTest : public PortalPagesTest {
protected:
    void SetUp() override {
        PortalPagesTest::SetUp();
        std::string text = replaced(source("procedures/student-registration/v1.json"), "\"version\": 1,", "\"version\": 2,");
        text = replaced(text, "\"receipt\": {", kEvaluation);
        catalogue_->load(text, "tests/web/evaluation_pages_test.cpp").value();
        head_ = add_staff("head@um5.ac.ma", "UNIV", identity::Role::unit_head, "SCOL-INS");
        rev1_ = add_staff("rev1@um5.ac.ma", "UNIV", identity::Role::agent, "SCOL-INS");
        rev2_ = add_staff("rev2@um5.ac.ma", "UNIV", identity::Role::agent, "SCOL-INS");
        eval_ = std::make_unique<procedures::EvaluationService>(*db_, *blobs_, *catalogue_, *apps_, nullptr, clock_);
        // The fixture registered the pages without the evaluation: again, with it.
        ctx_->evaluation = eval_.get();
        router_ = http::Router{};
        web::register_pages(router_, *ctx_);
    }
    void TearDown() override {
        router_ = http::Router{};
        eval_.reset();
        PortalPagesTest::TearDown();
    }

    // A submitted application through the pages; its id.
    std::string submitted(const Browser& b, const std::string& programme = "Mathématiques et informatique") {
        const std::string id = start(b);
        const std::string app = "/applications/" + id;
        EXPECT_EQ(post(app + "/steps/student", b, {{"student_number", "R130245871"}}).status, 303);
        EXPECT_EQ(post(app + "/lookups/bac", b, {{"consent", "agree"}}).status, 303);
        EXPECT_EQ(post(app + "/steps/faculty", b, {{"faculty", "fsr"}}).status, 303);
        EXPECT_EQ(post(app + "/steps/programme", b, {{"programme", programme}}).status, 303);
        EXPECT_EQ(post(app + "/steps/contact", b, {{"phone", "0612345678"}}).status, 303);
        auto res = post_multipart(app + "/documents", b,
                                  {{"doc_photo", std::string("photo.pdf"), "application/pdf", sample_pdf()}}, b.csrf);
        EXPECT_EQ(location(res), app + "/check");
        res = post(app + "/submit", b, {});
        EXPECT_EQ(res.status, 200) << res.body;
        return id;
    }
    std::string number_of(std::int64_t account, const std::string& id) {
        return apps_->get(principal(account), id).value().register_number.value_or("?");
    }
    static std::string dossier(const std::string& id) { return "/evaluation/applications/" + id; }
    static std::string board() { return "/evaluation/student-registration"; }
    // A complete review (quality, motivation) with the declaration.
    http::Response review(const Browser& b, const std::string& id, const std::string& quality, const std::string& motivation,
                          bool declared = true, const std::string& comment = "") {
        std::vector<std::pair<std::string, std::string>> f{{"score_quality", quality}, {"score_motivation", motivation},
                                                           {"comment", comment}};
        if (declared) f.emplace_back("no_conflict", "yes");
        return post(dossier(id) + "/review", b, f);
    }
    std::int64_t reviews_in_db() {
        return db_->read<std::int64_t>([](storage::Tx& tx) -> Result<std::int64_t> {
                      auto r = tx.query_one("SELECT COUNT(*) FROM evaluation_reviews WHERE submitted_at IS NOT NULL");
                      if (!r) return r.error();
                      return (*r)->as_int(0);
                  })
            .value();
    }

    std::unique_ptr<procedures::EvaluationService> eval_;
    std::int64_t head_ = 0, rev1_ = 0, rev2_ = 0;
};

TEST_P(EvaluationPagesTest, AnonymousVisitorsSignInAndApplicantsFindNothing) {
    const std::string id = submitted(sign_in("amina@example.ma"));
    for (const std::string& target : {std::string("/evaluation"), board(), dossier(id)}) {
        auto res = call(http::Method::get, target, nullptr);
        EXPECT_EQ(res.status, 303) << target;
        EXPECT_EQ(location(res), "/login?next=" + http::url_encode(target));
    }
    EXPECT_EQ(location(call(http::Method::post, dossier(id) + "/assign", nullptr, "reviewer=1",
                            "application/x-www-form-urlencoded"))
                  .rfind("/login?next=", 0),
              0u);
    const Browser citizen = sign_in("amina@example.ma");
    for (const std::string& target : {std::string("/evaluation"), board(), dossier(id)}) {
        auto res = get(target, citizen);
        EXPECT_EQ(res.status, 404) << target;
        EXPECT_FALSE(has(res.body, "/evaluation/applications/")) << target;
    }
    EXPECT_EQ(post(dossier(id) + "/review", citizen, {{"score_quality", "5"}}).status, 404);
    // The staff navigation has the entry; applicants' does not.
    EXPECT_FALSE(has(get("/services", citizen).body, "href=\"/evaluation\""));
    auto res = get("/evaluation", sign_in("rev1@um5.ac.ma"));
    ASSERT_EQ(res.status, 200) << res.body;
    EXPECT_TRUE(has(res.body, "href=\"/evaluation\" aria-current=\"page\">" + fr("web.evaluation.nav")));
    EXPECT_EQ(res.headers.get("Cache-Control"), "no-store");
    res = get("/evaluation", sign_in("rev1@um5.ac.ma", "ar"));
    EXPECT_TRUE(has(res.body, "dir=\"rtl\""));
    EXPECT_TRUE(has(res.body, ar("web.evaluation.nav")));
}

TEST_P(EvaluationPagesTest, TheBoardListsTheAdministrationsSubmittedApplicationsOnly) {
    const std::string a = submitted(sign_in("amina@example.ma"));
    const std::string draft = start(sign_in("youssef@example.ma"));
    const Browser head = sign_in("head@um5.ac.ma");
    auto res = get("/evaluation", head);
    ASSERT_EQ(res.status, 200) << res.body;
    EXPECT_TRUE(has(res.body, "href=\"" + board() + "\""));
    res = get(board(), head);
    ASSERT_EQ(res.status, 200) << res.body;
    EXPECT_TRUE(has(res.body, "href=\"" + dossier(a) + "\""));
    EXPECT_TRUE(has(res.body, number_of(citizen_, a)));
    EXPECT_FALSE(has(res.body, draft)) << "a draft is not on the board";
    EXPECT_EQ(occurrences(res.body, "href=\"/evaluation/applications/"), 1u);
    EXPECT_TRUE(has(res.body, "Qualité du dossier"));
    EXPECT_TRUE(has(res.body, "<th scope=\"col\">"));
    EXPECT_TRUE(has(res.body, "href=\"/services/student-registration/directory\""));
    // Another administration's staff: nothing.
    const Browser mef = sign_in("admin@mef.gov.ma");
    EXPECT_EQ(get(board(), mef).status, 404);
    EXPECT_EQ(get(dossier(a), mef).status, 404);
    res = get("/evaluation", mef);
    ASSERT_EQ(res.status, 200);
    EXPECT_FALSE(has(res.body, board()));
    EXPECT_TRUE(has(res.body, fr("web.evaluation.home.no_procedures")));
    // A procedure without an evaluation, or none.
    EXPECT_EQ(get("/evaluation/no-such-procedure", head).status, 404);
}

TEST_P(EvaluationPagesTest, OnlyHeadsAssignReviewers) {
    const std::string a = submitted(sign_in("amina@example.ma"));
    const Browser head = sign_in("head@um5.ac.ma"), agent = sign_in("rev1@um5.ac.ma");
    // An agent who is not a reviewer of the application does not see it.
    auto res = get(dossier(a), agent);
    EXPECT_EQ(res.status, 403) << res.body;
    EXPECT_FALSE(has(res.body, "/assign\""));
    res = post(dossier(a) + "/assign", agent, {{"reviewer", std::to_string(rev1_)}});
    EXPECT_EQ(res.status, 403) << res.body;
    EXPECT_TRUE(has(res.body, fr("error.evaluation.forbidden")));
    EXPECT_EQ(post(dossier(a) + "/assign", head, {{"reviewer", std::to_string(rev1_)}}, false).status, 403) << "no CSRF token";
    res = get(dossier(a), head);
    ASSERT_EQ(res.status, 200);
    EXPECT_TRUE(has(res.body, fr("web.evaluation.dossier.no_reviews"))) << "nothing was assigned";
    EXPECT_TRUE(has(res.body, "<option value=\"" + std::to_string(rev1_) + "\""));
    EXPECT_TRUE(has(res.body, "<label class=\"label\" for=\"reviewer\">"));

    res = post(dossier(a) + "/assign", head, {{"reviewer", std::to_string(rev1_)}});
    ASSERT_EQ(res.status, 303) << res.body;
    EXPECT_EQ(location(res), dossier(a));
    res = get(dossier(a), head);
    EXPECT_TRUE(has(res.body, "Staff rev1@um5.ac.ma"));
    EXPECT_FALSE(has(res.body, "<option value=\"" + std::to_string(rev1_) + "\"")) << "no longer assignable";
    // Twice, or someone who is not staff of the administration: the form again with the error.
    res = post(dossier(a) + "/assign", head, {{"reviewer", std::to_string(rev1_)}});
    EXPECT_EQ(res.status, 409) << res.body;
    EXPECT_TRUE(has(res.body, "href=\"#reviewer\""));
    EXPECT_TRUE(has(res.body, fr("error.evaluation.already_assigned")));
    res = post(dossier(a) + "/assign", head, {{"reviewer", std::to_string(mef_agent_)}});
    EXPECT_EQ(res.status, 400) << res.body;
    EXPECT_TRUE(has(res.body, fr("error.evaluation.reviewer")));
    // The reviewer sees the dossier, without the assignment form.
    res = get(dossier(a), agent);
    ASSERT_EQ(res.status, 200) << res.body;
    EXPECT_FALSE(has(res.body, "/assign\""));
    EXPECT_FALSE(has(res.body, "/decide\""));
    EXPECT_TRUE(has(res.body, "name=\"score_quality\""));
    // The reviewer's queue.
    res = get("/evaluation", agent);
    EXPECT_TRUE(has(res.body, "href=\"" + dossier(a) + "\""));
    EXPECT_TRUE(has(res.body, fr("web.evaluation.review.to_do")));
}

TEST_P(EvaluationPagesTest, TheReviewFormShowsErrorsAndSavesNothingUntilItIsRight) {
    const std::string a = submitted(sign_in("amina@example.ma"));
    const Browser head = sign_in("head@um5.ac.ma"), rev1 = sign_in("rev1@um5.ac.ma"), rev2 = sign_in("rev2@um5.ac.ma");
    // Not assigned yet: no dossier, and a review is refused.
    auto res = get(dossier(a), rev1);
    EXPECT_EQ(res.status, 403);
    EXPECT_FALSE(has(res.body, "name=\"score_quality\""));
    res = review(rev1, a, "8", "4");
    EXPECT_EQ(res.status, 403) << res.body;
    EXPECT_TRUE(has(res.body, fr("error.evaluation.not_reviewer")));
    ASSERT_EQ(post(dossier(a) + "/assign", head, {{"reviewer", std::to_string(rev1_)}}).status, 303);

    res = get(dossier(a), rev1);
    ASSERT_EQ(res.status, 200) << res.body;
    EXPECT_TRUE(has(res.body, "name=\"_csrf\" value=\"" + rev1.csrf + "\""));
    EXPECT_EQ(occurrences(res.body, "<legend class=\"fieldset__legend\">"), 2u) << "a fieldset per criterion";
    EXPECT_TRUE(has(res.body, "<legend class=\"fieldset__legend\">Qualité du dossier</legend>"));
    EXPECT_TRUE(has(res.body, "<label class=\"label\" for=\"score_quality\">"));
    EXPECT_TRUE(has(res.body, "<label class=\"radios__label\" for=\"no_conflict\">"));
    EXPECT_TRUE(has(res.body, "<label class=\"label\" for=\"comment\">"));

    // Out of range and not a number: both shown, typed values kept, nothing saved.
    res = review(rev1, a, "11", "x", true, "Bon dossier");
    ASSERT_EQ(res.status, 400) << res.body;
    EXPECT_TRUE(has(res.body, "href=\"#score_quality\""));
    EXPECT_TRUE(has(res.body, "href=\"#score_motivation\""));
    EXPECT_TRUE(has(res.body, "aria-invalid=\"true\""));
    EXPECT_TRUE(has(res.body, "value=\"11\""));
    EXPECT_TRUE(has(res.body, "Bon dossier"));
    EXPECT_EQ(reviews_in_db(), 0);
    // Bad scores and no declaration: every problem at once.
    res = review(rev1, a, "-1", "5", false);
    ASSERT_EQ(res.status, 400) << res.body;
    EXPECT_TRUE(has(res.body, "href=\"#score_quality\""));
    EXPECT_FALSE(has(res.body, "href=\"#score_motivation\""));
    EXPECT_TRUE(has(res.body, "href=\"#no_conflict\""));
    EXPECT_EQ(reviews_in_db(), 0);
    // Without the declaration.
    res = review(rev1, a, "8", "4", false);
    ASSERT_EQ(res.status, 400) << res.body;
    EXPECT_TRUE(has(res.body, "href=\"#no_conflict\""));
    EXPECT_TRUE(has(res.body, fr("error.evaluation.conflict_not_declared")));
    EXPECT_EQ(reviews_in_db(), 0);
    // No CSRF token.
    EXPECT_EQ(post(dossier(a) + "/review", rev1, {{"score_quality", "8"}, {"score_motivation", "4"}, {"no_conflict", "yes"}},
                   false)
                  .status,
              403);
    EXPECT_EQ(reviews_in_db(), 0);

    res = review(rev1, a, "8", "4", true, "Dossier solide");
    ASSERT_EQ(res.status, 303) << res.body;
    EXPECT_EQ(location(res), dossier(a));
    EXPECT_EQ(reviews_in_db(), 1);
    res = get(dossier(a), rev1);
    EXPECT_TRUE(has(res.body, fr("web.evaluation.review.change")));
    EXPECT_TRUE(has(res.body, "80,00 %")) << "(8×2 + 4) / (10×2 + 5)";
    // Blind: the other reviewer sees only their own.
    ASSERT_EQ(post(dossier(a) + "/assign", head, {{"reviewer", std::to_string(rev2_)}}).status, 303);
    res = get(dossier(a), rev2);
    ASSERT_EQ(res.status, 200);
    EXPECT_FALSE(has(res.body, "Dossier solide"));
    EXPECT_FALSE(has(res.body, "Staff rev1@um5.ac.ma"));
    // The head sees all.
    EXPECT_TRUE(has(get(dossier(a), head).body, "Dossier solide"));
}

TEST_P(EvaluationPagesTest, TheBoardRanksOnceReviewedAndGrantedApplicationsAreInTheDirectory) {
    const std::string a = submitted(sign_in("amina@example.ma"));
    const std::string y = submitted(sign_in("youssef@example.ma"), "Lettres arabes");
    const Browser head = sign_in("head@um5.ac.ma"), rev1 = sign_in("rev1@um5.ac.ma"), rev2 = sign_in("rev2@um5.ac.ma");
    for (const auto& id : {a, y})
        for (auto r : {rev1_, rev2_})
            ASSERT_EQ(post(dossier(id) + "/assign", head, {{"reviewer", std::to_string(r)}}).status, 303);
    ASSERT_EQ(review(rev1, a, "8", "4").status, 303);
    ASSERT_EQ(review(rev1, y, "2", "1").status, 303);
    auto res = get(board(), head);
    EXPECT_FALSE(has(res.body, "70,00 %"));
    EXPECT_TRUE(has(get(dossier(a), head).body, fr("web.evaluation.dossier.not_ranked")));
    // Granting before enough reviews.
    res = post(dossier(a) + "/decide", head, {{"outcome", "granted"}, {"reason", ""}});
    EXPECT_EQ(res.status, 409) << res.body;
    EXPECT_TRUE(has(res.body, fr("error.evaluation.not_ranked")));

    ASSERT_EQ(review(rev2, a, "6", "3").status, 303);
    ASSERT_EQ(review(rev2, y, "3", "1").status, 303);
    res = get(board(), head);
    ASSERT_EQ(res.status, 200) << res.body;
    const auto first = res.body.find(number_of(citizen_, a)), second = res.body.find(number_of(citizen2_, y));
    ASSERT_NE(first, std::string::npos);
    ASSERT_NE(second, std::string::npos);
    EXPECT_LT(first, second) << "ranked by score";
    EXPECT_TRUE(has(res.body, "<bdi dir=\"ltr\">70,00 %</bdi>")) << "mean of 80 % and 60 %";
    EXPECT_TRUE(has(res.body, "<bdi dir=\"ltr\">24,00 %</bdi>")) << "mean of 20 % and 28 %";
    EXPECT_TRUE(has(res.body, "<td><bdi dir=\"ltr\">1</bdi></td>"));
    EXPECT_TRUE(has(res.body, "<td><bdi dir=\"ltr\">2</bdi></td>"));
    EXPECT_TRUE(has(res.body, "<bdi dir=\"ltr\">2 / 2</bdi>"));

    // The decision form; no choice, below the pass mark, refusing without a reason.
    res = get(dossier(y), head);
    EXPECT_TRUE(has(res.body, "<legend class=\"fieldset__legend\">" + fr("web.evaluation.decide.outcome") + "</legend>"));
    res = post(dossier(y) + "/decide", head, {{"reason", "x"}});
    EXPECT_EQ(res.status, 400);
    EXPECT_TRUE(has(res.body, "href=\"#outcome\""));
    res = post(dossier(y) + "/decide", head, {{"outcome", "granted"}, {"reason", ""}});
    EXPECT_EQ(res.status, 409) << res.body;
    EXPECT_TRUE(has(res.body, fr("error.evaluation.below_pass_mark")));
    res = post(dossier(y) + "/decide", head, {{"outcome", "refused"}, {"reason", ""}});
    EXPECT_EQ(res.status, 400) << res.body;
    EXPECT_TRUE(has(res.body, "href=\"#reason\""));
    EXPECT_TRUE(has(res.body, fr("error.evaluation.reason")));
    // An agent may not decide.
    EXPECT_EQ(post(dossier(a) + "/decide", rev1, {{"outcome", "granted"}, {"reason", ""}}).status, 403);

    ASSERT_EQ(post(dossier(a) + "/decide", head, {{"outcome", "granted"}, {"reason", "Bon dossier"}}).status, 303);
    ASSERT_EQ(post(dossier(y) + "/decide", head, {{"outcome", "refused"}, {"reason", "Note insuffisante"}}).status, 303);
    res = get(dossier(a), head);
    EXPECT_TRUE(has(res.body, "Inscription acceptée"));
    EXPECT_FALSE(has(res.body, "/decide\"")) << "decided: no form any more";
    EXPECT_FALSE(has(get(dossier(a), rev1).body, "name=\"score_quality\"")) << "decided: the review is closed";
    res = post(dossier(a) + "/decide", head, {{"outcome", "refused"}, {"reason", "Changement"}});
    EXPECT_EQ(res.status, 409);
    EXPECT_TRUE(has(get(board(), head).body, "Inscription refusée"));

    // The public directory, without signing in, in both languages: the granted application with
    // its directory fields and no other answer.
    for (const std::string& lang : {std::string("fr"), std::string("ar")}) {
        res = call(http::Method::get, "/services/student-registration/directory?lang=" + lang, nullptr);
        ASSERT_EQ(res.status, 200) << res.body;
        EXPECT_EQ(res.headers.get("Cache-Control"), "no-cache");
        EXPECT_TRUE(has(res.body, "<html lang=\"" + lang + "\"")) << lang;
        EXPECT_TRUE(has(res.body, "<bdi dir=\"ltr\">" + number_of(citizen_, a) + "</bdi>")) << lang;
        EXPECT_TRUE(has(res.body, "Mathématiques et informatique")) << lang;
        EXPECT_TRUE(has(res.body, lang == "ar" ? "كلية العلوم" : "Faculté des sciences")) << lang;
        EXPECT_TRUE(has(res.body, lang == "ar" ? "لائحة الطلبة المقبولين" : "Liste des étudiants admis")) << lang;
        EXPECT_TRUE(has(res.body, "<th scope=\"col\">")) << lang;
        EXPECT_FALSE(has(res.body, number_of(citizen2_, y))) << "refused: not listed";
        EXPECT_FALSE(has(res.body, "Lettres arabes"));
        EXPECT_FALSE(has(res.body, "0612345678")) << "no other answer";
        EXPECT_FALSE(has(res.body, "R130245871")) << "no other answer";
        EXPECT_FALSE(has(res.body, "Bon dossier")) << "no reason";
        EXPECT_FALSE(has(res.body, "%3Flang")) << "the language switch comes back without the parameter";
    }
    EXPECT_TRUE(has(call(http::Method::get, "/services/student-registration/directory", nullptr).body, "dir=\"rtl\""))
        << "Arabic first";
    // The start page links to it.
    res = call(http::Method::get, "/services/student-registration", nullptr);
    EXPECT_TRUE(has(res.body, "href=\"/services/student-registration/directory\""));
    EXPECT_EQ(call(http::Method::get, "/services/no-such-procedure/directory", nullptr).status, 404);
}

TEST_P(EvaluationPagesTest, RankingDecisionsAreDrawnUpByHeadsFromTheBoard) {
    // The same procedure as a call decided over its ranking (signed in the parapheur).
    std::string text = replaced(source("procedures/student-registration/v1.json"), "\"code\": \"student-registration\"",
                                "\"code\": \"student-call\"");
    std::string ev = replaced(kEvaluation, "\"decision\": \"each\",", "\"decision\": \"ranking\", \"circuit\": \"decision\",");
    ev = replaced(ev, ",\n    \"directory\": {\"title\": {\"ar\": \"لائحة الطلبة المقبولين\", \"fr\": \"Liste des étudiants admis\"}, "
                      "\"fields\": [\"programme\", \"faculty\"]}", "");
    catalogue_->load(replaced(text, "\"receipt\": {", ev), "tests/web/evaluation_pages_test.cpp").value();
    const Browser head = sign_in("head@um5.ac.ma"), agent = sign_in("rev1@um5.ac.ma");
    const std::string call_board = "/evaluation/student-call";
    auto res = get(call_board, head);
    ASSERT_EQ(res.status, 200) << res.body;
    EXPECT_TRUE(has(res.body, fr("web.evaluation.mode.ranking")));
    EXPECT_TRUE(has(res.body, fr("web.evaluation.board.no_decisions")));
    EXPECT_TRUE(has(res.body, "<label class=\"label\" for=\"funded\">"));
    EXPECT_TRUE(has(res.body, "action=\"" + call_board + "/decisions\""));
    EXPECT_FALSE(has(res.body, "directory-link")) << "no directory in this file";
    res = get(call_board, agent);
    ASSERT_EQ(res.status, 200);
    EXPECT_FALSE(has(res.body, "name=\"funded\"")) << "agents do not draw up decisions";

    // Not a number: the board again with the error at the field.
    res = post(call_board + "/decisions", head, {{"funded", "deux"}});
    ASSERT_EQ(res.status, 400) << res.body;
    EXPECT_TRUE(has(res.body, "href=\"#funded\""));
    EXPECT_TRUE(has(res.body, fr("error.evaluation.funded")));
    EXPECT_TRUE(has(res.body, "value=\"deux\""));
    EXPECT_EQ(post(call_board + "/decisions", head, {{"funded", "1"}}, false).status, 403) << "no CSRF token";
    res = post(call_board + "/decisions", agent, {{"funded", "1"}});
    EXPECT_EQ(res.status, 403);
    EXPECT_TRUE(has(res.body, fr("error.evaluation.forbidden")));
    // A procedure decided application by application has no ranking decision.
    res = post(board() + "/decisions", head, {{"funded", "1"}});
    EXPECT_EQ(res.status, 409) << res.body;
    EXPECT_TRUE(has(res.body, fr("error.evaluation.wrong_mode")));
    EXPECT_FALSE(has(get(board(), head).body, "name=\"funded\""));

    // Decision PDFs: sign in first; unknown or malformed ids are a 404.
    EXPECT_EQ(location(call(http::Method::get, "/evaluation/decisions/1.pdf", nullptr)),
              "/login?next=" + http::url_encode("/evaluation/decisions/1.pdf"));
    EXPECT_EQ(get("/evaluation/decisions/999.pdf", head).status, 404);
    EXPECT_EQ(get("/evaluation/decisions/abc.pdf", head).status, 404);
    EXPECT_EQ(get("/evaluation/decisions/1", head).status, 404);
}

INSTANTIATE_TEST_SUITE_P(Backends, EvaluationPagesTest, ::testing::Values(storage::Backend::sqlite), backend_param_name);

}  // namespace
}  // namespace idara::testing
