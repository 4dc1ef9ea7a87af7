// Lookups by the applicant's national id ({account.national_id} in a lookup path): the platform
// sends the account's CIN (or, for an assisted filing, the CIN checked at the desk) and never asks
// for it; without one the lookup is application.national_id_missing and nothing is recorded.
#include "portal_fixture.hpp"

#include <gtest/gtest.h>

namespace idara::testing {
namespace {

class NationalIdLookupTest : public PortalTest {
protected:
    void SetUp() override {
        PortalTest::SetUp();
        // The reference procedure whose bac lookup is made by the applicant's national id.
        auto text = replace_once(reference_procedure(), "\"/results/{student_number}\"", "\"/results/{account.national_id}\"");
        auto r = env().catalogue->load(text, "test:student-registration");
        ASSERT_TRUE(r.has_value()) << r.error().code << ": " << r.error().detail;
    }
    procedures::ApplicationService& apps() { return *env().apps; }
    std::string started(const identity::Principal& who) {
        auto a = apps().start(who, "student-registration");
        EXPECT_TRUE(a.has_value()) << a.error().code;
        if (!a) return {};
        auto s = apps().answer(who, a->id, "student", {{"student_number", kDemoStudent}});
        EXPECT_TRUE(s.has_value() && s->empty());
        return a->id;
    }
};

TEST_P(NationalIdLookupTest, TheAccountsNationalIdIsSent) {
    const auto id = started(env().amina());
    const int before = env().exchange.calls();
    auto d = apps().decide_lookup(env().amina(), id, "bac", true);
    // The demo's bac results are keyed by student number: the provider has no record for a CIN.
    ASSERT_FALSE(d.has_value());
    EXPECT_EQ(d.error().code, "application.lookup_not_found");
    EXPECT_EQ(env().exchange.calls(), before + 1);
    EXPECT_EQ(env().exchange.last().path, "/results/AB123456");  // Amina's CIN, from her account
    EXPECT_EQ(env().count("application_consents"), 0);
}

TEST_P(NationalIdLookupTest, AssistedFilingsSendTheCinCheckedAtTheDesk) {
    const auto agent = env().univ_agent();
    procedures::AssistedPerson cin{"Hamza Idrissi", "cin", "JK445566", std::nullopt, true};
    auto a = apps().start_assisted(agent, "student-registration", cin);
    ASSERT_TRUE(a.has_value()) << a.error().code << ": " << a.error().detail;
    ASSERT_TRUE(apps().answer(agent, a->id, "student", {{"student_number", kDemoStudent}}).has_value());
    auto d = apps().decide_lookup(agent, a->id, "bac", true);
    ASSERT_FALSE(d.has_value());
    EXPECT_EQ(env().exchange.last().path, "/results/JK445566");

    // A passport is not a national id: the lookup cannot be made, nothing is called or recorded.
    procedures::AssistedPerson passport{"John Smith", "passport", "X1234567", std::nullopt, true};
    auto b = apps().start_assisted(agent, "student-registration", passport);
    ASSERT_TRUE(b.has_value()) << b.error().code;
    ASSERT_TRUE(apps().answer(agent, b->id, "student", {{"student_number", kDemoStudent}}).has_value());
    const int before = env().exchange.calls();
    auto e = apps().decide_lookup(agent, b->id, "bac", true);
    ASSERT_FALSE(e.has_value());
    EXPECT_EQ(e.error().code, "application.national_id_missing");
    EXPECT_EQ(e.error().status, 422);
    EXPECT_EQ(env().exchange.calls(), before);
    EXPECT_EQ(env().count("application_consents"), 0);
    // Declining needs no national id: the documents become uploads.
    auto declined = apps().decide_lookup(agent, b->id, "bac", false);
    ASSERT_TRUE(declined.has_value()) << declined.error().code;
}

TEST(NationalIdLookupFile, ThePlaceholderIsNeverAFieldToAsk) {
    auto ok = procedures::parse_procedure(
        replace_once(reference_procedure(), "\"/results/{student_number}\"", "\"/results/{account.national_id}\""));
    ASSERT_TRUE(ok.has_value()) << ok.error().detail;
    auto bad = procedures::parse_procedure(
        replace_once(reference_procedure(), "\"/results/{student_number}\"", "\"/results/{account.email}\""));
    ASSERT_FALSE(bad.has_value());
    EXPECT_NE(bad.error().detail.find("{account.email}"), std::string::npos) << bad.error().detail;
}

INSTANTIATE_TEST_SUITE_P(Backends, NationalIdLookupTest, ::testing::ValuesIn(all_backends()), backend_param_name);

}  // namespace
}  // namespace idara::testing
