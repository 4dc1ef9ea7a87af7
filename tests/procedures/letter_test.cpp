// The general letter (procedures/letter/v1.json): one procedure whose administration the applicant
// chooses ("administration": "*" with an administration field), registered at that administration
// through the registry office; a code that is not in the directory registers nothing.
#include "portal_fixture.hpp"

#include "registry/deposit.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace idara::testing {
namespace {

class LetterTest : public PortalTest {
protected:
    void SetUp() override {
        PortalTest::SetUp();
        auto r = env().catalogue->load_shipped();
        ASSERT_TRUE(r.has_value()) << r.error().code << ": " << r.error().detail;
    }
    // A draft of the letter by Amina, answered for `recipient`.
    std::string write(const std::string& recipient) {
        auto a = env().apps->start(env().amina(), "letter");
        EXPECT_TRUE(a.has_value()) << a.error().code;
        if (!a) return {};
        auto r1 = env().apps->answer(env().amina(), a->id, "recipient", {{"recipient", recipient}});
        EXPECT_TRUE(r1.has_value() && r1->empty());
        auto r2 = env().apps->answer(env().amina(), a->id, "letter",
                                     {{"subject", "Demande de rendez-vous"}, {"message", "Je souhaite un rendez-vous."}});
        EXPECT_TRUE(r2.has_value() && r2->empty());
        EXPECT_TRUE(env().apps->documents_seen(env().amina(), a->id).has_value());
        return a->id;
    }
};

TEST_P(LetterTest, TheCatalogueSaysAnyAdministration) {
    auto p = env().catalogue->current("letter");
    ASSERT_TRUE(p.has_value());
    EXPECT_EQ(p->procedure->administration, "*");
    EXPECT_EQ(p->procedure->administration_field.value_or(""), "recipient");
    EXPECT_EQ(p->administration_name_fr, "L'administration de votre choix");
    EXPECT_FALSE(p->administration_name_ar.empty());
    // A filter by administration does not list it under a given one.
    auto mef = env().catalogue->list({.administration = "MEF"});
    ASSERT_TRUE(mef.has_value());
    for (const auto& x : *mef) EXPECT_NE(x.procedure->code, "letter");
}

TEST_P(LetterTest, RegisteredAtTheChosenAdministration) {
    const auto id = write("MEF");
    auto s = env().apps->submit(env().amina(), id);
    ASSERT_TRUE(s.has_value()) << s.error().code << ": " << s.error().detail;
    EXPECT_EQ(s->register_number.substr(0, 4), "MEF-");
    auto e = env().deposits->get(env().amina(), s->register_number);
    ASSERT_TRUE(e.has_value());
    EXPECT_EQ(e->administration_code, "MEF");
    EXPECT_EQ(e->type_code, "letter");
    EXPECT_EQ(e->subject, "Demande de rendez-vous");
    EXPECT_NE(e->body.find("Je souhaite un rendez-vous."), std::string::npos) << e->body;
    // UNIV's staff do not receive it; MEF's would (entries' administration).
    auto univ = env().apps->list_received(env().univ_clerk());
    ASSERT_TRUE(univ.has_value());
    EXPECT_TRUE(univ->empty());
}

TEST_P(LetterTest, AnAdministrationNotInTheDirectoryRegistersNothing) {
    const auto id = write("NOPE");
    auto s = env().apps->submit(env().amina(), id);
    ASSERT_FALSE(s.has_value());
    EXPECT_EQ(s.error().code, "deposit.unknown_administration");
    EXPECT_EQ(env().count("entries"), 0);
    auto a = env().apps->get(env().amina(), id);
    ASSERT_TRUE(a.has_value());
    EXPECT_EQ(a->state, procedures::State::draft) << "the draft is kept to be corrected";
}

TEST(LetterFile, StarAndFieldGoTogether) {
    std::ifstream in(std::string(IDARA_TEST_SOURCE_DIR) + "/procedures/letter/v1.json");
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string text = ss.str();
    ASSERT_TRUE(procedures::parse_procedure(text).has_value());
    auto replace = [&](const std::string& from, const std::string& to) {
        std::string t = text;
        t.replace(t.find(from), from.size(), to);
        return t;
    };
    // "*" without the field, a fixed administration with it, and a field that is not an administration.
    auto r = procedures::parse_procedure(replace("\"administration_field\": \"recipient\",", ""));
    ASSERT_FALSE(r.has_value());
    EXPECT_NE(r.error().detail.find("go together"), std::string::npos) << r.error().detail;
    r = procedures::parse_procedure(replace("\"administration\": \"*\"", "\"administration\": \"MEF\""));
    ASSERT_FALSE(r.has_value());
    EXPECT_NE(r.error().detail.find("go together"), std::string::npos) << r.error().detail;
    r = procedures::parse_procedure(replace("\"administration_field\": \"recipient\"", "\"administration_field\": \"subject\""));
    ASSERT_FALSE(r.has_value());
    EXPECT_NE(r.error().detail.find("widget \"administration\""), std::string::npos) << r.error().detail;
}

INSTANTIATE_TEST_SUITE_P(Backends, LetterTest, ::testing::ValuesIn(all_backends()), backend_param_name);

}  // namespace
}  // namespace idara::testing
