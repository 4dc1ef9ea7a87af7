// Evaluation decided over the ranking (calls for projects): the decision is drawn up as a PDF,
// signed through a real parapheur circuit (development PKI, PAdES signature), and becomes
// effective only when the circuit completes; a rejected circuit voids it. Both backends.
#include "evaluation_fixture.hpp"

#include "parapheur/circuits.hpp"
#include "shell.hpp"
#include "trust/pki.hpp"

#include <chrono>

namespace idara::testing {
namespace {

using procedures::DecisionState;
using procedures::Outcome;

const char* kCallEvaluation = R"("evaluation": {
    "criteria": [
      {"id": "quality", "title": {"ar": "الجودة العلمية", "fr": "Qualité scientifique"}, "max": 20, "weight": 2},
      {"id": "impact", "title": {"ar": "الأثر", "fr": "Impact"}, "max": 10}
    ],
    "reviews": 1, "pass_mark": 50, "decision": "ranking",
    "granted": {"ar": "مشروع مقبول للتمويل", "fr": "Projet retenu pour financement"},
    "refused": {"ar": "مشروع غير مقبول", "fr": "Projet non retenu"},
    "circuit": "evaluation_decision"
  },
  "receipt":)";

class RankingTest : public PortalTest {
protected:
    void SetUp() override {
        PortalTest::SetUp();
        // Certificates are made at the real time (inside the call's window, 2026-10-01..2027-01-31).
        const auto real = std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::system_clock::now().time_since_epoch()).count();
        if (real > env().clock.now_ms()) env().clock.advance(std::chrono::milliseconds(real - env().clock.now_ms() + 60'000));
        auto text = replace_once(source_file("procedures/ai-research-call/v1.json"), "\"receipt\":", kCallEvaluation);
        auto loaded = env().catalogue->load(text, "test:ai-research-call");
        ASSERT_TRUE(loaded.has_value()) << loaded.error().code << ": " << loaded.error().detail;

        pki_ = std::make_unique<trust::Pki>(*env().db, *env().keys, trust::PkiOptions{}, env().clock);
        auto dev = env().db->write_tx([&](storage::Tx& tx) { return pki_->ensure_dev_hierarchy(tx); });
        ASSERT_TRUE(dev.has_value()) << dev.error().code;
        auto reauth = [](const identity::Principal&, std::string_view password, std::string_view code, std::string_view) -> Status {
            if (password != "pass-word" || code != "123456") return Error{"identity.reauth_failed", 401, "test"};
            return {};
        };
        circuits_ = std::make_unique<parapheur::CircuitService>(*env().db, *env().blobs, *pki_, nullptr, reauth,
                                                                parapheur::CircuitOptions{}, env().clock);
        // CNRST's decision circuit: a visa by a unit head, then a signer's signature.
        parapheur::CircuitTemplate t;
        t.code = "evaluation_decision";
        t.name_ar = "مقرر التقييم";
        t.name_fr = "Décision d'évaluation";
        parapheur::StepSpec visa{parapheur::StepKind::visa, parapheur::StepMode::any, {}, identity::Role::unit_head, "",
                                 "تأشيرة", "Visa"};
        parapheur::StepSpec sign{parapheur::StepKind::signature, parapheur::StepMode::any, {}, identity::Role::signer, "",
                                 "توقيع", "Signature"};
        t.steps = {visa, sign};
        const auto adm = *head().administration_id;
        auto put = env().db->write_tx([&](storage::Tx& tx) -> Status {
            auto r = parapheur::CircuitService::put_template_in_tx(tx, adm, t, env().clock.now_ms());
            if (!r) return r.error();
            return {};
        });
        ASSERT_TRUE(put.has_value()) << put.error().code << ": " << put.error().detail;
        service_ = std::make_unique<procedures::EvaluationService>(*env().db, *env().blobs, *env().catalogue, *env().apps,
                                                                   circuits_.get(), env().clock);
        service_->attach();
    }
    void TearDown() override {
        service_.reset();
        circuits_.reset();
        pki_.reset();
        PortalTest::TearDown();
    }

    procedures::EvaluationService& svc() { return *service_; }
    identity::Principal head() { return env().principal("chef.service@cnrst.ma"); }
    identity::Principal agent() { return env().principal("agent@cnrst.ma"); }
    identity::Principal signer() { return env().principal("signataire@cnrst.ma"); }

    // A complete proposal by `who`, submitted and reviewed by the agent with `quality`/20 and `impact`/10.
    std::string proposal(const identity::Principal& who, const std::string& acronym, int quality, int impact) {
        auto a = env().apps->start(who, "ai-research-call");
        EXPECT_TRUE(a.has_value()) << a.error().code << ": " << a.error().detail;
        if (!a) return {};
        const std::map<std::string, std::map<std::string, std::string>> steps = {
            {"project", {{"project_title", "Traduction automatique darija-français"}, {"acronym", acronym}}},
            {"investigator", {{"pi_name", "Pr. Leila Benjelloun"}, {"pi_grade", "pes"}, {"institution", "Université Mohammed V"}}},
            {"domain", {{"domain", "languages"}}},
            {"resources", {{"duration_months", "24"}, {"budget_mad", "900000"}}},
            {"abstract", {{"abstract", std::string(250, 'a')}}},
        };
        for (const auto& [step, form] : steps) {
            auto r = env().apps->answer(who, a->id, step, form);
            EXPECT_TRUE(r.has_value() && r->empty()) << step;
        }
        for (const char* doc : {"proposal", "cv", "institution_letter"}) {
            auto r = env().apps->put_document(who, a->id, doc, {std::string(doc) + ".pdf", sample_pdf(1, doc)});
            EXPECT_TRUE(r.has_value()) << doc << ": " << r.error().code;
        }
        EXPECT_TRUE(env().apps->documents_seen(who, a->id).has_value());
        auto s = env().apps->submit(who, a->id);
        EXPECT_TRUE(s.has_value()) << s.error().code << ": " << s.error().detail;
        EXPECT_TRUE(svc().assign(head(), a->id, agent().account_id).has_value());
        auto r = svc().review(agent(), a->id, {{"quality", std::to_string(quality)}, {"impact", std::to_string(impact)}}, "", true);
        EXPECT_TRUE(r.has_value()) << r.error().code << ": " << r.error().detail;
        return a->id;
    }

    // Runs the decision's circuit to its end: the head's visa, then the signer's signature.
    void sign_decision(std::int64_t circuit_id) {
        auto c = circuits_->get(head(), circuit_id);
        ASSERT_TRUE(c.has_value()) << c.error().code;
        auto v = circuits_->approve({head(), "test"}, circuit_id, c->version);
        ASSERT_TRUE(v.has_value()) << v.error().code << ": " << v.error().detail;
        auto s = circuits_->sign({signer(), "test"}, circuit_id, v->version, {"pass-word", "123456"});
        ASSERT_TRUE(s.has_value()) << s.error().code << ": " << s.error().detail;
        EXPECT_EQ(s->state, parapheur::CircuitState::completed);
    }

    std::unique_ptr<trust::Pki> pki_;
    std::unique_ptr<parapheur::CircuitService> circuits_;
    std::unique_ptr<procedures::EvaluationService> service_;
};

TEST_P(RankingTest, TheFundingDecisionTakesEffectOnceSigned) {
    // quality 18/20 (weight 2), impact 9/10: (36 + 9) / 50 = 90 %; 12 and 5: 58 %; 6 and 2: 28 %.
    const auto best = proposal(env().amina(), "DARIJA-MT", 18, 9);
    const auto middle = proposal(env().youssef(), "AGRI-AI", 12, 5);
    const auto weak = proposal(env().company(), "WEAK-1", 6, 2);

    auto board = svc().board(head(), "ai-research-call");
    ASSERT_TRUE(board.has_value()) << board.error().code;
    ASSERT_EQ(board->standings.size(), 3u);
    EXPECT_EQ(board->standings[0].application_id, best);
    EXPECT_EQ(board->standings[0].score_bp, 9000);
    EXPECT_EQ(board->standings[1].application_id, middle);
    EXPECT_EQ(board->standings[1].score_bp, 5800);
    EXPECT_EQ(board->standings[2].application_id, weak);
    EXPECT_EQ(board->standings[2].rank, 3);

    // Mode ranking decides over the list, not application by application.
    auto single = svc().decide(head(), best, Outcome::granted, "");
    ASSERT_FALSE(single.has_value());
    EXPECT_EQ(single.error().code, "evaluation.wrong_mode");
    // Only two proposals reach the pass mark: funding three is refused, and nothing is stored.
    auto too_many = svc().draw_up(head(), "test", "ai-research-call", 3);
    ASSERT_FALSE(too_many.has_value());
    EXPECT_EQ(too_many.error().code, "evaluation.funded");
    auto by_agent = svc().draw_up(agent(), "test", "ai-research-call", 1);
    ASSERT_FALSE(by_agent.has_value());
    EXPECT_EQ(by_agent.error().code, "evaluation.forbidden");
    EXPECT_EQ(env().count("evaluation_decisions"), 0);
    EXPECT_EQ(env().count("circuits"), 0);

    // One funded: the best; the others refused.
    auto d = svc().draw_up(head(), "test", "ai-research-call", 1);
    ASSERT_TRUE(d.has_value()) << d.error().code << ": " << d.error().detail;
    EXPECT_EQ(d->state, DecisionState::signing);
    EXPECT_EQ(d->granted, 1);
    EXPECT_EQ(d->refused, 2);
    ASSERT_TRUE(d->circuit_id.has_value());
    auto again = svc().draw_up(head(), "test", "ai-research-call", 1);
    ASSERT_FALSE(again.has_value());
    EXPECT_EQ(again.error().code, "evaluation.decided");

    // While it is being signed, applicants see nothing and cannot read the decision.
    auto pending = svc().outcome_of(env().amina(), best);
    ASSERT_TRUE(pending.has_value());
    EXPECT_FALSE(pending->has_value());
    auto hidden = svc().decision_pdf(env().amina(), d->id);
    ASSERT_FALSE(hidden.has_value());
    EXPECT_EQ(hidden.error().code, "resource.not_found");
    // Staff read the drawn-up PDF.
    auto draft = svc().decision_pdf(head(), d->id);
    ASSERT_TRUE(draft.has_value()) << draft.error().code;
    EXPECT_EQ(draft->rfind("%PDF-", 0), 0u);

    sign_decision(*d->circuit_id);

    board = svc().board(head(), "ai-research-call");
    ASSERT_TRUE(board.has_value());
    ASSERT_EQ(board->decisions.size(), 1u);
    EXPECT_EQ(board->decisions[0].state, DecisionState::effective);
    EXPECT_EQ(board->standings[0].outcome, Outcome::granted);
    EXPECT_EQ(board->standings[1].outcome, Outcome::refused);

    auto funded = svc().outcome_of(env().amina(), best);
    ASSERT_TRUE(funded.has_value() && funded->has_value());
    EXPECT_EQ((*funded)->outcome, Outcome::granted);
    EXPECT_EQ((*funded)->name.fr, "Projet retenu pour financement");
    EXPECT_EQ((*funded)->decision_id, d->id);
    auto refused = svc().outcome_of(env().youssef(), middle);
    ASSERT_TRUE(refused.has_value() && refused->has_value());
    EXPECT_EQ((*refused)->outcome, Outcome::refused);

    // The applicant reads the SIGNED decision: one more revision than the drawn-up one.
    auto signed_pdf = svc().decision_pdf(env().amina(), d->id);
    ASSERT_TRUE(signed_pdf.has_value()) << signed_pdf.error().code;
    EXPECT_GT(signed_pdf->size(), draft->size());
    EXPECT_EQ(signed_pdf->compare(0, draft->size(), *draft), 0) << "an incremental signature keeps the original bytes";
    const auto file = env().blob_dir.parent_path() / ("idara-decision-" + std::to_string(d->id) + ".pdf");
    write_file(file, *signed_pdf);
    const std::string sig = run_command("pdfsig " + file.string());
    EXPECT_NE(sig.find("Signature is Valid"), std::string::npos) << sig;
    EXPECT_NE(sig.find("Total document signed"), std::string::npos) << sig;
    // The decision's text: the call, the funded proposal's register number and the outcomes.
    const std::string text = run_command("pdftotext -layout " + file.string() + " -", true);
    EXPECT_NE(text.find(board->standings[0].register_number), std::string::npos) << text;
    // (Only the words before "financement": pdftotext may not map the "fi" ligature back.)
    EXPECT_NE(text.find("Projet retenu pour"), std::string::npos) << text;
    EXPECT_NE(text.find("Projet non retenu"), std::string::npos) << text;
    // Someone not covered by the decision cannot.
    auto stranger = svc().decision_pdf(env().principal("agent@men.gov.ma"), d->id);
    ASSERT_FALSE(stranger.has_value());
    EXPECT_EQ(stranger.error().code, "resource.not_found");
}

TEST_P(RankingTest, ARejectedCircuitVoidsTheDecision) {
    const auto best = proposal(env().amina(), "DARIJA-MT", 18, 9);
    auto d = svc().draw_up(head(), "test", "ai-research-call", 1);
    ASSERT_TRUE(d.has_value()) << d.error().code << ": " << d.error().detail;
    auto c = circuits_->get(head(), *d->circuit_id);
    ASSERT_TRUE(c.has_value());
    auto r = circuits_->reject({head(), "test"}, *d->circuit_id, c->version, "Le classement doit être revu");
    ASSERT_TRUE(r.has_value()) << r.error().code << ": " << r.error().detail;

    auto board = svc().board(head(), "ai-research-call");
    ASSERT_TRUE(board.has_value());
    ASSERT_EQ(board->decisions.size(), 1u);
    EXPECT_EQ(board->decisions[0].state, DecisionState::void_);
    EXPECT_FALSE(board->standings[0].outcome.has_value());
    auto none = svc().outcome_of(env().amina(), best);
    ASSERT_TRUE(none.has_value());
    EXPECT_FALSE(none->has_value());
    // A new decision may be drawn up: zero funded is allowed.
    auto second = svc().draw_up(head(), "test", "ai-research-call", 0);
    ASSERT_TRUE(second.has_value()) << second.error().code;
    EXPECT_EQ(second->granted, 0);
    EXPECT_EQ(second->refused, 1);
}

TEST_P(RankingTest, AnUnknownCircuitTemplateLeavesNothingBehind) {
    proposal(env().amina(), "DARIJA-MT", 18, 9);
    auto del = circuits_->delete_template(env().principal("admin@cnrst.ma"), "evaluation_decision");
    ASSERT_TRUE(del.has_value()) << del.error().code;
    const auto blobs_before = env().count("blobs");
    auto d = svc().draw_up(head(), "test", "ai-research-call", 1);
    ASSERT_FALSE(d.has_value());
    EXPECT_EQ(d.error().code, "parapheur.unknown_template");
    EXPECT_EQ(env().count("evaluation_decisions"), 0);
    EXPECT_EQ(env().count("evaluation_outcomes"), 0);
    EXPECT_EQ(env().count("blobs"), blobs_before);
}

INSTANTIATE_TEST_SUITE_P(Backends, RankingTest, ::testing::ValuesIn(all_backends()), backend_param_name);

}  // namespace
}  // namespace idara::testing
