// The procedure packs shipped in procedures/ (issue 7), loaded into the catalogue on both
// backends with the demo administrations: each pack's administration and unit exist, and the
// packs say what the issue asks of them.
#include "portal_fixture.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

namespace idara::testing {
namespace {

class PacksTest : public PortalTest {
protected:
    std::shared_ptr<const procedures::Procedure> pack(const std::string& code) {
        auto r = env().catalogue->current(code);
        EXPECT_TRUE(r.has_value()) << code << ": " << (r ? "" : r.error().detail);
        return r ? r->procedure : nullptr;
    }
    void SetUp() override {
        PortalTest::SetUp();
        auto r = env().catalogue->load_shipped();
        ASSERT_TRUE(r.has_value()) << r.error().code << ": " << r.error().detail;
        loaded_ = *r;
    }
    std::vector<procedures::Loaded> loaded_;
};

TEST_P(PacksTest, EveryPackLoadsWithItsAdministrationAndUnit) {
    std::set<std::string> codes;
    for (const auto& l : loaded_) codes.insert(l.code);
    for (const char* c : {"student-registration", "startup-label", "tech-sme-label", "sme-digital-maturity", "ai-research-call",
                          "letter"})
        EXPECT_TRUE(codes.count(c)) << c;
    auto all = env().catalogue->list();
    ASSERT_TRUE(all.has_value());
    for (const auto& p : *all) {
        const auto& proc = *p.procedure;
        if (proc.administration == "*") {  // the general letter: the applicant chooses
            EXPECT_TRUE(proc.administration_field.has_value()) << proc.code;
            EXPECT_FALSE(p.administration_name_fr.empty());
            continue;
        }
        auto adm = env().ids->find_administration(proc.administration);
        ASSERT_TRUE(adm.has_value()) << proc.code;
        if (proc.unit) {
            auto unit = env().ids->find_unit(identity::TenantScope::trusted(adm->id), *proc.unit);
            EXPECT_TRUE(unit.has_value()) << proc.code << ": unit " << *proc.unit;
        }
        EXPECT_FALSE(proc.legal_basis.ar.empty());
        EXPECT_NE(proc.legal_basis.fr.find("55-19"), std::string::npos) << proc.code;
        EXPECT_NE(proc.legal_basis.ar.find("55.19"), std::string::npos) << proc.code;
    }
    // Loading them again changes nothing.
    auto again = env().catalogue->load_shipped();
    ASSERT_TRUE(again.has_value());
    for (const auto& l : *again) EXPECT_EQ(l.outcome, procedures::LoadOutcome::unchanged) << l.code;
}

TEST_P(PacksTest, LabelsAskForTheCompanyAndItsDocuments) {
    for (const char* code : {"startup-label", "tech-sme-label"}) {
        const auto p = pack(code);
        ASSERT_NE(p, nullptr);
        EXPECT_EQ(p->administration, "ADD");
        EXPECT_EQ(p->unit.value_or(""), "PAD");
        for (const char* f : {"company_name", "rc_number", "ice", "creation_date", "sector", "staff", "turnover", "innovation"})
            EXPECT_NE(p->field(f), nullptr) << code << ": " << f;
        for (const char* d : {"statutes", "rc_extract", "pitch_deck"}) {
            bool found = false;
            for (const auto* u : p->uploads()) found = found || u->code == d;
            EXPECT_TRUE(found) << code << ": " << d;
        }
        EXPECT_EQ(p->field("innovation")->widget, procedures::Widget::textarea);
        EXPECT_EQ(p->field("creation_date")->widget, procedures::Widget::date);
        EXPECT_NE(p->form_schema.find("^[0-9]{15}$"), std::string::npos) << code;  // the ICE
        EXPECT_NE(std::find(p->life_events.begin(), p->life_events.end(), "business"), p->life_events.end());
    }
}

TEST_P(PacksTest, MaturityIsAScoredQuestionnaire) {
    const auto p = pack("sme-digital-maturity");
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(p->administration, "ADD");
    EXPECT_TRUE(p->documents.empty());
    EXPECT_EQ(p->silence, procedures::Silence::approval);
    EXPECT_LE(p->deadline_days, 10);
    int radios = 0;
    for (const auto& f : p->fields) {
        if (f.widget != procedures::Widget::radio) continue;
        ++radios;
        ASSERT_EQ(f.options.size(), 4u) << f.name;
        for (int i = 0; i < 4; ++i) EXPECT_EQ(f.options[static_cast<std::size_t>(i)].value, std::to_string(i)) << f.name;
    }
    EXPECT_GE(radios, 8);
    EXPECT_LE(radios, 12);
    std::set<std::string> steps;
    for (const auto& s : p->steps) steps.insert(s.id);
    for (const char* d : {"strategy", "processes", "data", "skills", "cybersecurity", "customer"})
        EXPECT_TRUE(steps.count(d)) << d;
}

TEST_P(PacksTest, ResearchCallHasItsWindow) {
    const auto p = pack("ai-research-call");
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(p->administration, "CNRST");
    EXPECT_EQ(p->unit.value_or(""), "DPR-AP");
    ASSERT_TRUE(p->window.has_value());
    EXPECT_EQ(p->window->opens_on, "2026-10-01");
    EXPECT_EQ(p->window->closes_on, "2027-01-31");
    for (const char* f : {"project_title", "acronym", "pi_name", "institution", "domain", "duration_months", "budget_mad", "abstract"})
        EXPECT_NE(p->field(f), nullptr) << f;
    EXPECT_EQ(p->field("domain")->widget, procedures::Widget::radio);
    EXPECT_EQ(p->field("abstract")->widget, procedures::Widget::textarea);
    ASSERT_EQ(p->uploads().size(), 3u);
    EXPECT_EQ(p->uploads()[0]->code, "proposal");
    // The fixture's clock is in September 2026, before the window opens.
    auto before = env().apps->start(env().amina(), "ai-research-call");
    ASSERT_FALSE(before.has_value());
    EXPECT_EQ(before.error().code, "application.closed");
    EXPECT_EQ(before.error().status, 409);
    env().clock.advance(std::chrono::days(15));  // early October 2026
    auto during = env().apps->start(env().amina(), "ai-research-call");
    EXPECT_TRUE(during.has_value()) << during.error().code << ": " << during.error().detail;
}

TEST_P(PacksTest, LabelApplicationGoesThrough) {
    auto a = env().apps->start(env().company(), "startup-label");
    ASSERT_TRUE(a.has_value()) << a.error().code << ": " << a.error().detail;
    const auto who = env().company();
    auto ok = [&](const std::string& step, const std::map<std::string, std::string>& form) {
        auto r = env().apps->answer(who, a->id, step, form);
        ASSERT_TRUE(r.has_value()) << r.error().detail;
        ASSERT_TRUE(r->empty()) << step << ": " << r->front().field << " " << r->front().code;
    };
    // The ICE must have fifteen digits.
    auto bad = env().apps->answer(who, a->id, "company",
                                  {{"company_name", "Atlas Numérique SARL"}, {"rc_number", "512345"},
                                   {"rc_court", "Tribunal de commerce de Casablanca"}, {"ice", "00123456700008"}});
    ASSERT_TRUE(bad.has_value());
    ASSERT_EQ(bad->size(), 1u);
    EXPECT_EQ((*bad)[0].field, "ice");
    ok("company", {{"company_name", "Atlas Numérique SARL"}, {"rc_number", "512345"},
                   {"rc_court", "Tribunal de commerce de Casablanca"}, {"ice", "001234567000089"}});
    ok("activity", {{"creation_date", "2024-03-15"}, {"sector", "govtech"}});
    ok("size", {{"staff", "12"}, {"turnover", "1850000"}});
    ok("innovation", {{"innovation", std::string(120, 'x')}});
    const auto got = env().apps->get(who, a->id).value();
    EXPECT_EQ(got.answers.at("staff").to_number<std::int64_t>(), 12);
    EXPECT_EQ(got.answers.at("ice").as_string(), "001234567000089");
    auto p = env().apps->procedure_of(got).value();
    EXPECT_EQ(procedures::ApplicationService::next(*p.procedure, got).kind, procedures::Next::Kind::documents);
}

TEST_P(PacksTest, MaturityQuestionnaireIsSubmittedWithoutDocuments) {
    const auto who = env().company();
    auto a = env().apps->start(who, "sme-digital-maturity");
    ASSERT_TRUE(a.has_value()) << a.error().code << ": " << a.error().detail;
    const auto p = pack("sme-digital-maturity");
    ASSERT_NE(p, nullptr);
    for (const auto& step : p->steps) {
        std::map<std::string, std::string> form;
        for (const auto& f : step.fields) form[f] = "2";
        if (step.id == "company") form = {{"company_name", "Atlas Numérique SARL"}, {"ice", "001234567000089"}};
        auto r = env().apps->answer(who, a->id, step.id, form);
        ASSERT_TRUE(r.has_value()) << r.error().detail;
        ASSERT_TRUE(r->empty()) << step.id << ": " << r->front().field << " " << r->front().code;
    }
    // An answer outside "0".."3" is refused.
    auto bad = env().apps->answer(who, a->id, "data", {{"data_collection", "4"}, {"data_use", "1"}});
    ASSERT_TRUE(bad.has_value());
    ASSERT_EQ(bad->size(), 1u);
    EXPECT_EQ((*bad)[0].field, "data_collection");
    const auto got = env().apps->get(who, a->id).value();
    EXPECT_EQ(procedures::ApplicationService::next(*p, got).kind, procedures::Next::Kind::check);
    auto s = env().apps->submit(who, a->id);
    ASSERT_TRUE(s.has_value()) << s.error().code << ": " << s.error().detail;
    EXPECT_EQ(s->register_number.rfind("ADD-2026-", 0), 0u) << s->register_number;
}

INSTANTIATE_TEST_SUITE_P(Backends, PacksTest, ::testing::ValuesIn(all_backends()), backend_param_name);

}  // namespace
}  // namespace idara::testing
