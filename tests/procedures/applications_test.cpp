// Applications on both backends: who may start one, answers with problems (nothing saved),
// the order of the journey, other accounts, and the version an application keeps.
#include "application_steps.hpp"

#include <gtest/gtest.h>

namespace idara::testing {
namespace {

using procedures::State;

bool hex_id(const std::string& id) {
    if (id.size() != 20) return false;
    for (char c : id)
        if (!((c >= 'a' && c <= 'f') || (c >= '0' && c <= '9'))) return false;
    return true;
}

TEST_P(ApplicationTest, CitizenStartsADraft) {
    auto a = apps().start(env().amina(), "student-registration");
    ASSERT_TRUE(a.has_value()) << a.error().code << ": " << a.error().detail;
    EXPECT_TRUE(hex_id(a->id)) << a->id;
    EXPECT_EQ(a->procedure_code, "student-registration");
    EXPECT_EQ(a->procedure_version, 1);
    EXPECT_EQ(a->applicant_account_id, env().amina().account_id);
    EXPECT_EQ(a->state, State::draft);
    EXPECT_EQ(procedures::state_name(a->state), "draft");
    EXPECT_TRUE(a->answers.empty());
    EXPECT_TRUE(a->consents.empty());
    EXPECT_FALSE(a->register_number.has_value());
    EXPECT_EQ(env().count("applications"), 1);
    // A company may apply too.
    EXPECT_TRUE(apps().start(env().company(), "student-registration").has_value());

    auto mine = apps().list_mine(env().amina());
    ASSERT_TRUE(mine.has_value());
    ASSERT_EQ(mine->size(), 1u);
    EXPECT_EQ((*mine)[0].id, a->id);
    EXPECT_EQ((*mine)[0].title.fr, "Inscription en première année à l'université");
    EXPECT_EQ((*mine)[0].state, State::draft);
}

TEST_P(ApplicationTest, StaffAndOperatorsCannotApply) {
    for (const auto& who : {env().univ_clerk(), env().men_agent(), env().operator_()}) {
        auto a = apps().start(who, "student-registration");
        ASSERT_FALSE(a.has_value()) << who.login;
        EXPECT_EQ(a.error().code, "application.forbidden");
        EXPECT_EQ(a.error().status, 403);
    }
    EXPECT_EQ(env().count("applications"), 0);
    auto unknown = apps().start(env().amina(), "no-such-procedure");
    ASSERT_FALSE(unknown.has_value());
    EXPECT_EQ(unknown.error().code, "resource.not_found");
}

TEST_P(ApplicationTest, AnswersWithProblemsSaveNothing) {
    const auto a = start();
    // Missing.
    auto r = apps().answer(env().amina(), a.id, "student", {{"student_number", ""}});
    ASSERT_TRUE(r.has_value()) << r.error().detail;
    ASSERT_EQ(r->size(), 1u);
    EXPECT_EQ((*r)[0].field, "student_number");
    EXPECT_EQ((*r)[0].code, "required");
    // Not the pattern.
    r = apps().answer(env().amina(), a.id, "student", {{"student_number", "12345"}});
    ASSERT_TRUE(r.has_value());
    ASSERT_EQ(r->size(), 1u);
    EXPECT_EQ((*r)[0].field, "student_number");
    EXPECT_EQ((*r)[0].code, "invalid");
    EXPECT_FALSE((*r)[0].detail.empty());
    // An option that is not offered; a phone number that is not Moroccan.
    r = apps().answer(env().amina(), a.id, "faculty", {{"faculty", "ensam"}});
    ASSERT_TRUE(r.has_value());
    ASSERT_EQ(r->size(), 1u);
    EXPECT_EQ((*r)[0].code, "invalid");
    r = apps().answer(env().amina(), a.id, "contact", {{"phone", "+33612345678"}});
    ASSERT_TRUE(r.has_value());
    ASSERT_EQ(r->size(), 1u);
    EXPECT_EQ((*r)[0].field, "phone");
    EXPECT_EQ((*r)[0].code, "invalid");
    r = apps().answer(env().amina(), a.id, "programme", {{"programme", "x"}});
    ASSERT_TRUE(r.has_value());
    ASSERT_EQ(r->size(), 1u);
    EXPECT_EQ((*r)[0].code, "invalid");

    const auto after = get(a.id);
    EXPECT_TRUE(after.answers.empty());
    EXPECT_EQ(after.updated_at_ms, a.updated_at_ms);

    // A valid answer is saved; a later invalid one leaves it as it was.
    answer(a.id, "contact", {{"phone", "0612345678"}});
    r = apps().answer(env().amina(), a.id, "contact", {{"phone", "0012"}});
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->size(), 1u);
    EXPECT_EQ(get(a.id).answers.at("phone").as_string(), "0612345678");
}

TEST_P(ApplicationTest, UnknownStepIsRefused) {
    const auto a = start();
    auto r = apps().answer(env().amina(), a.id, "nowhere", {{"phone", "0612345678"}});
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, "application.unknown_step");
    EXPECT_EQ(r.error().status, 404);
    auto l = apps().decide_lookup(env().amina(), a.id, "massar", true);
    ASSERT_FALSE(l.has_value());
    EXPECT_EQ(l.error().code, "application.unknown_lookup");
    EXPECT_EQ(env().exchange.calls(), 0);
}

TEST_P(ApplicationTest, NextFollowsTheJourneyInOrder) {
    const auto a = start();
    EXPECT_EQ(next_name(next(a.id)), "step:student");
    // Answering a later step first does not skip the earlier one.
    answer(a.id, "contact", {{"phone", "0612345678"}});
    EXPECT_EQ(next_name(next(a.id)), "step:student");
    answer(a.id, "student", {{"student_number", kDemoStudent}});
    EXPECT_EQ(next_name(next(a.id)), "lookup:bac");
    ASSERT_TRUE(apps().decide_lookup(env().amina(), a.id, "bac", true).has_value());
    EXPECT_EQ(next_name(next(a.id)), "step:faculty");
    answer(a.id, "faculty", {{"faculty", "flsh"}});
    EXPECT_EQ(next_name(next(a.id)), "step:programme");
    answer(a.id, "programme", {{"programme", "Études amazighes"}});
    // Contact was answered already: the documents come next.
    EXPECT_EQ(next_name(next(a.id)), "documents");
    put(a.id, "photo", pdf());
    // The documents page itself is a page of the journey: seen once, then check.
    EXPECT_EQ(next_name(next(a.id)), "documents");
    seen(a.id);
    EXPECT_EQ(next_name(next(a.id)), "check");
    // Removing the required photo sends the journey back to the documents.
    ASSERT_TRUE(apps().remove_document(env().amina(), a.id, "photo").has_value());
    EXPECT_EQ(next_name(next(a.id)), "documents");
    put(a.id, "photo", pdf());
    // step_problems on a step as it stands.
    const auto full = get(a.id);
    const auto p = apps().procedure_of(full).value();
    EXPECT_TRUE(procedures::ApplicationService::step_problems(*p.procedure, full, "contact").empty());
    const auto empty = start();
    const auto probs = procedures::ApplicationService::step_problems(*p.procedure, empty, "contact");
    ASSERT_EQ(probs.size(), 1u);
    EXPECT_EQ(probs[0].code, "required");
}

TEST_P(ApplicationTest, OtherAccountsSeeNothing) {
    const auto a = start();
    answer(a.id, "contact", {{"phone", "0612345678"}});
    const auto youssef = env().youssef();
    auto g = apps().get(youssef, a.id);
    ASSERT_FALSE(g.has_value());
    EXPECT_EQ(g.error().code, "resource.not_found");
    EXPECT_EQ(g.error().status, 404);
    auto w = apps().answer(youssef, a.id, "contact", {{"phone", "0700000000"}});
    ASSERT_FALSE(w.has_value());
    EXPECT_EQ(w.error().code, "resource.not_found");
    auto l = apps().decide_lookup(youssef, a.id, "bac", true);
    ASSERT_FALSE(l.has_value());
    EXPECT_EQ(l.error().code, "resource.not_found");
    auto d = apps().put_document(youssef, a.id, "photo", pdf());
    ASSERT_FALSE(d.has_value());
    EXPECT_EQ(d.error().code, "resource.not_found");
    auto s = apps().submit(youssef, a.id);
    ASSERT_FALSE(s.has_value());
    EXPECT_EQ(s.error().code, "resource.not_found");
    // Staff of the administration see drafts neither.
    auto staff = apps().get_received(env().univ_clerk(), a.id);
    ASSERT_FALSE(staff.has_value());
    EXPECT_EQ(staff.error().code, "resource.not_found");
    EXPECT_TRUE(apps().list_mine(youssef)->empty());
    EXPECT_EQ(get(a.id).answers.at("phone").as_string(), "0612345678");
    EXPECT_EQ(env().exchange.calls(), 0);
}

TEST_P(ApplicationTest, AnApplicationKeepsItsVersion) {
    const auto a = start();
    answer(a.id, "contact", {{"phone", "0612345678"}});
    // Version 2 asks for a landline-free phone (06 or 07 only) and has another title.
    auto v2 = replace_once(reference_procedure(), R"("version": 1,)", R"("version": 2,)");
    v2 = replace_once(v2, R"("pattern": "^0[567][0-9]{8}$")", R"("pattern": "^0[67][0-9]{8}$")");
    v2 = replace_once(v2, "Inscription en première année à l'université", "Inscription en licence");
    ASSERT_TRUE(env().catalogue->load(v2, "student-registration/v2.json").has_value());

    const auto old = get(a.id);
    EXPECT_EQ(old.procedure_version, 1);
    auto p = apps().procedure_of(old);
    ASSERT_TRUE(p.has_value());
    EXPECT_EQ(p->procedure->version, 1);
    // The old draft still accepts a landline under version 1's schema.
    answer(a.id, "contact", {{"phone", "0537000000"}});

    const auto b = start();
    EXPECT_EQ(b.procedure_version, 2);
    auto r = apps().answer(env().amina(), b.id, "contact", {{"phone", "0537000000"}});
    ASSERT_TRUE(r.has_value());
    ASSERT_EQ(r->size(), 1u);
    EXPECT_EQ((*r)[0].code, "invalid");

    auto mine = apps().list_mine(env().amina());
    ASSERT_TRUE(mine.has_value());
    ASSERT_EQ(mine->size(), 2u);
    for (const auto& s : *mine) {
        if (s.id == a.id) {
            EXPECT_EQ(s.title.fr, "Inscription en première année à l'université");
        } else {
            EXPECT_EQ(s.id, b.id);
            EXPECT_EQ(s.title.fr, "Inscription en licence");
        }
    }
}

INSTANTIATE_TEST_SUITE_P(Backends, ApplicationTest, ::testing::ValuesIn(all_backends()), backend_param_name);

}  // namespace
}  // namespace idara::testing
