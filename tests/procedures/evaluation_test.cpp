// Evaluation decided application by application (labels): assigning reviewers, blind reviews,
// scores and ranking, grant and refusal, the public directory, and every refusal that leaves
// nothing behind. Both backends.
#include "evaluation_fixture.hpp"

namespace idara::testing {
namespace {

using procedures::Outcome;

class EvaluationTest : public PortalTest {
protected:
    void SetUp() override {
        PortalTest::SetUp();
        ev_ = std::make_unique<EvaluationEnv>(env());
        ev_->load_label();
        service_ = std::make_unique<procedures::EvaluationService>(*env().db, *env().blobs, *env().catalogue, *env().apps,
                                                                   nullptr, env().clock);
    }
    void TearDown() override {
        service_.reset();
        PortalTest::TearDown();
    }
    procedures::EvaluationService& svc() { return *service_; }
    identity::Principal head() { return env().principal("chef.service@add.gov.ma"); }
    identity::Principal agent() { return env().principal("agent@add.gov.ma"); }
    identity::Principal signer() { return env().principal("signataire@add.gov.ma"); }

    // Assigns the agent and the signer, and both review with the given scores.
    void reviewed(const std::string& id, const Scores& a, const Scores& b) {
        ASSERT_TRUE(svc().assign(head(), id, agent().account_id).has_value());
        ASSERT_TRUE(svc().assign(head(), id, signer().account_id).has_value());
        auto r1 = svc().review(agent(), id, a, "Solide", true);
        ASSERT_TRUE(r1.has_value()) << r1.error().code << ": " << r1.error().detail;
        auto r2 = svc().review(signer(), id, b, "", true);
        ASSERT_TRUE(r2.has_value()) << r2.error().code << ": " << r2.error().detail;
    }

    std::unique_ptr<EvaluationEnv> ev_;
    std::unique_ptr<procedures::EvaluationService> service_;
};

TEST_P(EvaluationTest, ReviewsRankAndGrantIntoThePublicDirectory) {
    const auto first = ev_->file_label(env().company(), "Atlas Numérique SARL");
    const auto second = ev_->file_label(env().youssef(), "Sahara Data", "fintech");
    ASSERT_FALSE(first.empty());
    ASSERT_FALSE(second.empty());

    // Before any review nothing is ranked.
    auto board = svc().board(head(), "startup-label");
    ASSERT_TRUE(board.has_value()) << board.error().code;
    ASSERT_EQ(board->standings.size(), 2u);
    EXPECT_EQ(board->standings[0].rank, 0);
    EXPECT_TRUE(board->may_decide);

    // innovation 8/10 (weight 3), team 6/10: (24 + 6) / 40 = 75 %; the other reviewer 9 and 9: 90 %.
    reviewed(first, {{"innovation", "8"}, {"team", "6"}}, {{"innovation", "9"}, {"team", "9"}});
    // 5/10 and 4/10: (15 + 4) / 40 = 47.5 %; 6 and 6: 60 %.
    reviewed(second, {{"innovation", "5"}, {"team", "4"}}, {{"innovation", "6"}, {"team", "6"}});

    board = svc().board(head(), "startup-label");
    ASSERT_TRUE(board.has_value());
    ASSERT_EQ(board->standings.size(), 2u);
    EXPECT_EQ(board->standings[0].application_id, first);
    EXPECT_EQ(board->standings[0].rank, 1);
    EXPECT_EQ(board->standings[0].score_bp, 8250);  // mean of 7500 and 9000
    EXPECT_EQ(board->standings[0].reviews_done, 2);
    EXPECT_EQ(board->standings[1].application_id, second);
    EXPECT_EQ(board->standings[1].rank, 2);
    EXPECT_EQ(board->standings[1].score_bp, 5375);  // mean of 4750 and 6000
    EXPECT_NE(board->standings[0].subject.fr.find("Atlas"), std::string::npos) << board->standings[0].subject.fr;
    EXPECT_NE(board->standings[0].subject.ar.find("Atlas"), std::string::npos) << board->standings[0].subject.ar;

    // The second is under the pass mark: it cannot be granted, and refusing needs a reason.
    auto low = svc().decide(head(), second, Outcome::granted, "");
    ASSERT_FALSE(low.has_value());
    EXPECT_EQ(low.error().code, "evaluation.below_pass_mark");
    EXPECT_EQ(low.error().status, 409);
    auto no_reason = svc().decide(head(), second, Outcome::refused, "  ");
    ASSERT_FALSE(no_reason.has_value());
    EXPECT_EQ(no_reason.error().code, "evaluation.reason");
    EXPECT_EQ(env().count("evaluation_decisions"), 0);

    ASSERT_TRUE(svc().decide(head(), first, Outcome::granted, "").has_value());
    ASSERT_TRUE(svc().decide(head(), second, Outcome::refused, "Innovation insuffisamment démontrée").has_value());
    auto twice = svc().decide(head(), first, Outcome::refused, "again");
    ASSERT_FALSE(twice.has_value());
    EXPECT_EQ(twice.error().code, "evaluation.decided");

    // Applicants see their outcome.
    auto mine = svc().outcome_of(env().company(), first);
    ASSERT_TRUE(mine.has_value());
    ASSERT_TRUE(mine->has_value());
    EXPECT_EQ((*mine)->outcome, Outcome::granted);
    EXPECT_EQ((*mine)->name.fr, "Label attribué");
    EXPECT_FALSE((*mine)->decision_id.has_value());
    auto theirs = svc().outcome_of(env().youssef(), second);
    ASSERT_TRUE(theirs.has_value() && theirs->has_value());
    EXPECT_EQ((*theirs)->outcome, Outcome::refused);
    EXPECT_EQ((*theirs)->reason, "Innovation insuffisamment démontrée");
    // Someone else's application is not found.
    auto other = svc().outcome_of(env().amina(), first);
    ASSERT_FALSE(other.has_value());
    EXPECT_EQ(other.error().code, "resource.not_found");

    // The public directory lists the granted company with the chosen answers only.
    auto dir = svc().directory("startup-label");
    ASSERT_TRUE(dir.has_value()) << dir.error().code;
    EXPECT_EQ(dir->title.fr, "Startups labellisées");
    ASSERT_EQ(dir->lines.size(), 1u);
    ASSERT_EQ(dir->lines[0].values.size(), 2u);
    EXPECT_EQ(dir->lines[0].values[0].second.fr, "Atlas Numérique SARL");
    EXPECT_EQ(dir->lines[0].values[1].first.fr, env().catalogue->current("startup-label")->procedure->field("sector")->label.fr);
    EXPECT_FALSE(dir->lines[0].register_number.empty());

    // Decided applications take no more reviews or assignments.
    auto late = svc().review(agent(), first, {{"innovation", "1"}, {"team", "1"}}, "", true);
    ASSERT_FALSE(late.has_value());
    EXPECT_EQ(late.error().code, "evaluation.decided");
}

TEST_P(EvaluationTest, ReviewsAreCheckedAndBlind) {
    const auto id = ev_->file_label(env().company(), "Atlas Numérique SARL");
    // Only heads assign; only assigned reviewers review.
    auto by_agent = svc().assign(agent(), id, agent().account_id);
    ASSERT_FALSE(by_agent.has_value());
    EXPECT_EQ(by_agent.error().code, "evaluation.forbidden");
    EXPECT_EQ(by_agent.error().status, 403);
    auto unassigned = svc().review(agent(), id, {{"innovation", "5"}, {"team", "5"}}, "", true);
    ASSERT_FALSE(unassigned.has_value());
    EXPECT_EQ(unassigned.error().code, "evaluation.not_reviewer");
    // A reviewer must be staff of ADD.
    auto outsider = svc().assign(head(), id, env().men_agent().account_id);
    ASSERT_FALSE(outsider.has_value());
    EXPECT_EQ(outsider.error().code, "evaluation.reviewer");
    auto citizen = svc().assign(head(), id, env().amina().account_id);
    ASSERT_FALSE(citizen.has_value());
    EXPECT_EQ(citizen.error().code, "evaluation.reviewer");
    ASSERT_TRUE(svc().assign(head(), id, agent().account_id).has_value());
    auto again = svc().assign(head(), id, agent().account_id);
    ASSERT_FALSE(again.has_value());
    EXPECT_EQ(again.error().code, "evaluation.already_assigned");
    EXPECT_EQ(env().count("evaluation_reviews"), 1);

    // Scores: every criterion, whole numbers within 0..max; the declaration is required.
    for (const Scores& bad : {Scores{{"innovation", "5"}}, Scores{{"innovation", "11"}, {"team", "5"}},
                              Scores{{"innovation", "-1"}, {"team", "5"}}, Scores{{"innovation", "5.5"}, {"team", "5"}},
                              Scores{{"innovation", ""}, {"team", "5"}}}) {
        auto r = svc().review(agent(), id, bad, "", true);
        ASSERT_FALSE(r.has_value());
        EXPECT_EQ(r.error().code, "evaluation.score");
        EXPECT_EQ(r.error().status, 400);
    }
    auto undeclared = svc().review(agent(), id, {{"innovation", "5"}, {"team", "5"}}, "", false);
    ASSERT_FALSE(undeclared.has_value());
    EXPECT_EQ(undeclared.error().code, "evaluation.conflict_not_declared");
    auto long_comment = svc().review(agent(), id, {{"innovation", "5"}, {"team", "5"}}, std::string(4001, 'a'), true);
    ASSERT_FALSE(long_comment.has_value());
    EXPECT_EQ(long_comment.error().code, "evaluation.comment");
    // Nothing was stored by the refusals.
    auto d = svc().dossier(agent(), id);
    ASSERT_TRUE(d.has_value()) << d.error().code;
    ASSERT_TRUE(d->my_review.has_value());
    EXPECT_FALSE(d->my_review->submitted_at_ms.has_value());

    auto ok = svc().review(agent(), id, {{"innovation", "10"}, {"team", "0"}}, "Très innovant", true);
    ASSERT_TRUE(ok.has_value());
    EXPECT_EQ(ok->score_bp, 7500);
    // A reviewer may change their review until the decision.
    ok = svc().review(agent(), id, {{"innovation", "10"}, {"team", "10"}}, "Revu", true);
    ASSERT_TRUE(ok.has_value());
    EXPECT_EQ(ok->score_bp, 10000);

    // Blind: the second reviewer sees only their own review; the head sees both.
    ASSERT_TRUE(svc().assign(head(), id, signer().account_id).has_value());
    auto signer_view = svc().dossier(signer(), id);
    ASSERT_TRUE(signer_view.has_value());
    ASSERT_EQ(signer_view->reviews.size(), 1u);
    EXPECT_EQ(signer_view->reviews[0].reviewer_id, signer().account_id);
    auto head_view = svc().dossier(head(), id);
    ASSERT_TRUE(head_view.has_value());
    EXPECT_EQ(head_view->reviews.size(), 2u);
    EXPECT_FALSE(head_view->answers.empty());
    // Staff neither head nor reviewer are refused; other administrations do not see it at all.
    auto clerk = svc().dossier(env().principal("bureau.ordre@add.gov.ma"), id);
    ASSERT_FALSE(clerk.has_value());
    EXPECT_EQ(clerk.error().code, "evaluation.not_reviewer");
    auto men = svc().dossier(env().men_agent(), id);
    ASSERT_FALSE(men.has_value());
    EXPECT_EQ(men.error().code, "resource.not_found");
    auto men_board = svc().board(env().men_agent(), "startup-label");
    ASSERT_FALSE(men_board.has_value());
    EXPECT_EQ(men_board.error().code, "resource.not_found");

    // Not ranked until two reviews are in.
    auto early = svc().decide(head(), id, Outcome::granted, "");
    ASSERT_FALSE(early.has_value());
    EXPECT_EQ(early.error().code, "evaluation.not_ranked");

    // The reviewer's queue.
    auto queue = svc().my_reviews(signer());
    ASSERT_TRUE(queue.has_value());
    ASSERT_EQ(queue->size(), 1u);
    EXPECT_EQ((*queue)[0].application_id, id);
    EXPECT_FALSE((*queue)[0].reviewed);
}

TEST_P(EvaluationTest, ProceduresWithoutEvaluationAreRefused) {
    env().load_reference();  // student-registration has no evaluation
    auto b = svc().board(env().univ_agent(), "student-registration");
    ASSERT_FALSE(b.has_value());
    EXPECT_EQ(b.error().code, "evaluation.not_evaluated");
    auto d = svc().directory("student-registration");
    ASSERT_FALSE(d.has_value());
    EXPECT_EQ(d.error().code, "resource.not_found");
    // The list of evaluated procedures of ADD holds the label only; UNIV has none.
    auto add = svc().procedures(head());
    ASSERT_TRUE(add.has_value());
    ASSERT_EQ(add->size(), 1u);
    EXPECT_EQ((*add)[0].code, "startup-label");
    auto univ = svc().procedures(env().univ_agent());
    ASSERT_TRUE(univ.has_value());
    EXPECT_TRUE(univ->empty());
    // Citizens have no board.
    auto citizen = svc().procedures(env().amina());
    ASSERT_FALSE(citizen.has_value());
    EXPECT_EQ(citizen.error().code, "resource.not_found");
    // Ranking decisions are for ranking procedures.
    auto wrong = svc().draw_up(head(), "test", "startup-label", 1);
    ASSERT_FALSE(wrong.has_value());
    EXPECT_EQ(wrong.error().code, "evaluation.wrong_mode");
}

INSTANTIATE_TEST_SUITE_P(Backends, EvaluationTest, ::testing::ValuesIn(all_backends()), backend_param_name);

}  // namespace
}  // namespace idara::testing
