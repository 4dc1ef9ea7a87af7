// Once-only data on both backends: agreeing to a lookup (fields filled, consent recorded, the
// exchange called once), declining it (its document becomes an upload), and exchange failures
// that record nothing.
#include "application_steps.hpp"

#include <gtest/gtest.h>

namespace idara::testing {
namespace {

class LookupTest : public ApplicationTest {};

bool hex64(const std::string& s) {
    if (s.size() != 64) return false;
    for (char c : s)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    return true;
}

TEST_P(LookupTest, AgreeFillsTheFieldsAndRecordsConsent) {
    const auto a = start();
    answer(a.id, "student", {{"student_number", kDemoStudent}});
    EXPECT_EQ(env().exchange.calls(), 0);  // nothing is fetched before the applicant agrees
    env().clock.advance(std::chrono::seconds(30));
    auto r = apps().decide_lookup(env().amina(), a.id, "bac", true);
    ASSERT_TRUE(r.has_value()) << r.error().code << ": " << r.error().detail;

    EXPECT_EQ(env().exchange.calls(), 1);
    const auto call = env().exchange.last();
    EXPECT_EQ(call.service, kBacService);
    EXPECT_EQ(call.path, std::string("/results/") + kDemoStudent);
    EXPECT_FALSE(call.user_id.empty());

    for (const auto& app : {*r, get(a.id)}) {
        EXPECT_EQ(app.answers.at("first_name").as_string(), "Yasmine");
        EXPECT_EQ(app.answers.at("last_name").as_string(), "El Amrani");
        EXPECT_EQ(app.answers.at("last_name_ar").as_string(), "العمراني");
        EXPECT_EQ(app.answers.at("bac_year").to_number<std::int64_t>(), 2026);
        EXPECT_DOUBLE_EQ(app.answers.at("bac_average").to_number<double>(), 16.42);
        EXPECT_EQ(app.answers.at("bac_mention").as_string(), "Très bien");
        EXPECT_EQ(app.answers.at("student_number").as_string(), kDemoStudent);
        EXPECT_EQ(app.sources.at("first_name"), "bac");
        EXPECT_EQ(app.sources.at("bac_average"), "bac");
        EXPECT_EQ(app.sources.count("student_number"), 0u);  // asked, not fetched
        const auto* c = app.consent("bac");
        ASSERT_NE(c, nullptr);
        EXPECT_TRUE(c->agreed);
        EXPECT_EQ(c->x_road_id, call.x_road_id);
        EXPECT_TRUE(hex64(c->text_sha256)) << c->text_sha256;
        EXPECT_EQ(c->at_ms, std::chrono::duration_cast<std::chrono::milliseconds>(
                                env().clock.now().time_since_epoch()).count());
    }
    EXPECT_EQ(env().count("application_consents"), 1);

    // The same consent text gives the same digest in another application.
    const auto b = start();
    answer(b.id, "student", {{"student_number", "G139187204"}});
    auto rb = apps().decide_lookup(env().amina(), b.id, "bac", true);
    ASSERT_TRUE(rb.has_value());
    EXPECT_EQ(rb->consent("bac")->text_sha256, r->consent("bac")->text_sha256);
    EXPECT_NE(rb->consent("bac")->x_road_id, r->consent("bac")->x_road_id);
    EXPECT_EQ(rb->answers.at("first_name").as_string(), "Mehdi");

    // Fetched fields are not asked: a typed answer to them is refused.
    boost::json::object o;
    o["first_name"] = "Someone";
    auto typed = apps().answer_json(env().amina(), a.id, o);
    ASSERT_TRUE(typed.has_value()) << typed.error().detail;
    ASSERT_EQ(typed->size(), 1u);
    EXPECT_EQ((*typed)[0].field, "first_name");
    EXPECT_EQ(get(a.id).answers.at("first_name").as_string(), "Yasmine");
}

// The digest is of the consent text shown: another wording (a new version) gives another digest.
TEST_P(LookupTest, ConsentDigestFollowsTheText) {
    const auto a = start();
    answer(a.id, "student", {{"student_number", kDemoStudent}});
    auto v1 = apps().decide_lookup(env().amina(), a.id, "bac", true);
    ASSERT_TRUE(v1.has_value()) << v1.error().detail;
    auto v2 = replace_once(reference_procedure(), R"("version": 1,)", R"("version": 2,)");
    v2 = replace_once(v2, "pour vérifier que vous pouvez vous inscrire", "pour vérifier votre admissibilité");
    ASSERT_TRUE(env().catalogue->load(v2, "student-registration/v2.json").has_value());
    const auto b = start();
    ASSERT_EQ(b.procedure_version, 2);
    answer(b.id, "student", {{"student_number", kDemoStudent}});
    auto d2 = apps().decide_lookup(env().amina(), b.id, "bac", true);
    ASSERT_TRUE(d2.has_value()) << d2.error().detail;
    EXPECT_TRUE(hex64(d2->consent("bac")->text_sha256));
    EXPECT_NE(d2->consent("bac")->text_sha256, v1->consent("bac")->text_sha256);
    EXPECT_EQ(env().exchange.calls(), 2);
}

TEST_P(LookupTest, DeclineMakesTheDocumentAnUpload) {
    const auto a = start();
    answer(a.id, "student", {{"student_number", kDemoStudent}});
    auto r = apps().decide_lookup(env().amina(), a.id, "bac", false);
    ASSERT_TRUE(r.has_value()) << r.error().code << ": " << r.error().detail;
    EXPECT_EQ(env().exchange.calls(), 0);
    const auto* c = r->consent("bac");
    ASSERT_NE(c, nullptr);
    EXPECT_FALSE(c->agreed);
    EXPECT_TRUE(c->x_road_id.empty());
    EXPECT_TRUE(hex64(c->text_sha256));
    EXPECT_EQ(r->answers.count("first_name"), 0u);
    EXPECT_TRUE(r->sources.empty());

    answer(a.id, "faculty", {{"faculty", "fsr"}});
    answer(a.id, "programme", {{"programme", "Physique"}});
    answer(a.id, "contact", {{"phone", "0712345678"}});
    put(a.id, "photo", pdf());
    seen(a.id);
    // The bac result is now a required upload: the journey stops at the documents.
    EXPECT_EQ(next_name(next(a.id)), "documents");
    auto s = apps().submit(env().amina(), a.id);
    ASSERT_FALSE(s.has_value());
    EXPECT_EQ(s.error().code, "application.incomplete");
    EXPECT_NE(s.error().detail.find("bac_result"), std::string::npos) << s.error().detail;

    put(a.id, "bac_result", pdf("releve.pdf", "bac"));
    EXPECT_EQ(next_name(next(a.id)), "check");
    // The fields the lookup fills are not required any more.
    auto done = apps().submit(env().amina(), a.id);
    ASSERT_TRUE(done.has_value()) << done.error().code << ": " << done.error().detail;
    EXPECT_EQ(env().exchange.calls(), 0);
}

TEST_P(LookupTest, ExchangeFailureRecordsNothing) {
    const auto a = start();
    answer(a.id, "student", {{"student_number", kDemoStudent}});
    env().exchange.fail(true);
    auto r = apps().decide_lookup(env().amina(), a.id, "bac", true);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, "application.exchange_failed");
    EXPECT_EQ(r.error().status, 502);
    EXPECT_EQ(env().exchange.calls(), 1);
    const auto after = get(a.id);
    EXPECT_EQ(after.consent("bac"), nullptr);
    EXPECT_EQ(after.answers.count("first_name"), 0u);
    EXPECT_TRUE(after.sources.empty());
    EXPECT_EQ(env().count("application_consents"), 0);
    EXPECT_EQ(next_name(next(a.id)), "lookup:bac");

    // It works once the exchange is back.
    env().exchange.fail(false);
    auto ok = apps().decide_lookup(env().amina(), a.id, "bac", true);
    ASSERT_TRUE(ok.has_value()) << ok.error().detail;
    EXPECT_EQ(ok->answers.at("first_name").as_string(), "Yasmine");
    EXPECT_EQ(env().exchange.calls(), 2);
}

TEST_P(LookupTest, ProviderWithoutRecordIsLookupNotFound) {
    const auto a = start();
    answer(a.id, "student", {{"student_number", kUnknownStudent}});
    auto r = apps().decide_lookup(env().amina(), a.id, "bac", true);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, "application.lookup_not_found");
    EXPECT_EQ(r.error().status, 422);
    EXPECT_EQ(env().exchange.calls(), 1);
    EXPECT_EQ(env().exchange.last().path, std::string("/results/") + kUnknownStudent);
    EXPECT_EQ(get(a.id).consent("bac"), nullptr);
    EXPECT_EQ(env().count("application_consents"), 0);
}

TEST_P(LookupTest, LookupNeedsItsInputAnswered) {
    const auto a = start();
    auto r = apps().decide_lookup(env().amina(), a.id, "bac", true);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(env().exchange.calls(), 0);
    EXPECT_EQ(env().count("application_consents"), 0);
}

TEST_P(LookupTest, NoExchangeConfiguredFails) {
    env().make_applications(nullptr);
    const auto a = start();
    answer(a.id, "student", {{"student_number", kDemoStudent}});
    auto r = apps().decide_lookup(env().amina(), a.id, "bac", true);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, "application.exchange_failed");
    EXPECT_EQ(env().count("application_consents"), 0);
    // Declining works without an exchange.
    EXPECT_TRUE(apps().decide_lookup(env().amina(), a.id, "bac", false).has_value());
}

INSTANTIATE_TEST_SUITE_P(Backends, LookupTest, ::testing::ValuesIn(all_backends()), backend_param_name);

}  // namespace
}  // namespace idara::testing
