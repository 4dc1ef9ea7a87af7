// The single missing-documents request for a submitted application (Law 55-19), end to end on
// both backends: a student registration is registered, UNIV's registry office routes it, the
// unit head dispatches it to the agent, the agent asks for documents ONCE (the legal clock
// pauses; a second request is refused), the applicant completes the file with a new document
// and the clock resumes with the days that were left; the file is among the entry's attachments.
#include "application_steps.hpp"

#include "processing/workflow.hpp"

#include <gtest/gtest.h>

namespace idara::testing {
namespace {

using processing::State;
constexpr std::int64_t kDay = 24LL * 3600 * 1000;

class MissingDocumentsTest : public ApplicationTest {
protected:
    void SetUp() override {
        ApplicationTest::SetUp();
        flow_ = std::make_unique<processing::WorkflowService>(*env().db, *env().blobs, *env().deposits,
                                                              processing::WorkflowOptions{}, env().clock);
    }
    void TearDown() override {
        flow_.reset();
        ApplicationTest::TearDown();
    }
    processing::Dossier dossier(const identity::Principal& who, const std::string& n) {
        auto d = flow_->dossier(who, n);
        EXPECT_TRUE(d.has_value()) << d.error().code << ": " << d.error().detail;
        return d ? *d : processing::Dossier{};
    }
    // Registered → SCOL-INS → dispatched to UNIV's agent → in progress; returns the version.
    std::int64_t route(const std::string& n) {
        const auto clerk = env().univ_clerk(), head = env().principal("chef.service@um5.ac.ma"), agent = env().univ_agent();
        std::int64_t v = dossier(clerk, n).version;
        v = flow_->assign({clerk, "test"}, n, v, {"SCOL-INS", {}}).value();
        v = flow_->dispatch({head, "test"}, n, v, agent.account_id).value();
        return flow_->start({agent, "test"}, n, v).value();
    }
    std::unique_ptr<processing::WorkflowService> flow_;
};

TEST_P(MissingDocumentsTest, OneRequestPausesTheClockAndTheApplicantCompletesTheFile) {
    const auto id = complete();
    auto s = apps().submit(env().amina(), id);
    ASSERT_TRUE(s.has_value()) << s.error().code << ": " << s.error().detail;
    const std::string n = s->register_number;
    std::int64_t v = route(n);
    const auto agent = env().univ_agent();
    const auto before = dossier(agent, n);
    ASSERT_EQ(before.state, State::in_progress);

    // Ten days later the agent asks for the missing document: the clock stops.
    env().clock.advance(std::chrono::days(10));
    v = flow_->request_documents({agent, "test"}, n, v, "Relevé de notes du baccalauréat").value();
    auto d = dossier(env().amina(), n);
    EXPECT_EQ(d.state, State::missing_documents);
    ASSERT_TRUE(d.paused_at_ms);
    ASSERT_TRUE(d.missing_requested_at_ms);
    EXPECT_NE(d.timeline.back().detail.find("Relevé de notes du baccalauréat"), std::string::npos);
    const auto allowed = flow_->allowed(env().amina(), n);
    ASSERT_TRUE(allowed.has_value());
    EXPECT_TRUE(allowed->complete_documents);
    EXPECT_FALSE(flow_->allowed(env().youssef(), n).has_value());

    // The law allows one request: a second one is refused, by the agent or the unit head.
    env().clock.advance(std::chrono::days(20));
    auto again = flow_->request_documents({agent, "test"}, n, v, "Autre pièce");
    ASSERT_FALSE(again.has_value());
    EXPECT_EQ(again.error().code, "processing.documents_already_requested");
    EXPECT_EQ(again.error().status, 409);
    auto by_head = flow_->request_documents({env().principal("chef.service@um5.ac.ma"), "test"}, n, v, "Autre");
    ASSERT_FALSE(by_head.has_value());
    EXPECT_EQ(by_head.error().code, "processing.documents_already_requested");

    // Only the applicant completes it, with at least one valid document.
    auto other = flow_->complete_documents({env().youssef(), "test"}, n, v, {pdf("releve.pdf", "x")}, "");
    ASSERT_FALSE(other.has_value());
    EXPECT_EQ(other.error().code, "resource.not_found");
    auto none = flow_->complete_documents({env().amina(), "test"}, n, v, {}, "");
    ASSERT_FALSE(none.has_value());
    EXPECT_EQ(none.error().code, "processing.documents_missing");
    v = flow_->complete_documents({env().amina(), "test"}, n, v, {pdf("releve.pdf", "releve")}, "Voici le relevé")
            .value();

    d = dossier(agent, n);
    EXPECT_EQ(d.state, State::in_progress);
    EXPECT_FALSE(d.paused_at_ms);
    ASSERT_TRUE(d.completed_at_ms);
    // The 20 days of the pause do not count: the due date moved by exactly that much, and the
    // days left when the clock stopped count again from the completion.
    EXPECT_EQ(d.due_at_ms - before.due_at_ms, 20 * kDay);
    EXPECT_EQ(d.due_at_ms - *d.completed_at_ms, before.due_at_ms - *d.missing_requested_at_ms);
    auto entry = env().deposits->get(env().amina(), n);
    ASSERT_TRUE(entry.has_value());
    EXPECT_EQ(entry->due_at_ms, d.due_at_ms);  // the register follows
    // The new file joins the entry's attachments (the photo of the application, then it).
    ASSERT_EQ(entry->attachments.size(), 2u);
    EXPECT_EQ(entry->attachments[0].name, "photo.pdf");
    EXPECT_EQ(entry->attachments[1].name, "releve.pdf");
    EXPECT_EQ(entry->attachments[1].media_type, "application/pdf");
    EXPECT_EQ(d.timeline.back().kind, "documents_completed");

    // Even after completion there is no second request.
    auto after = flow_->request_documents({agent, "test"}, n, v, "Encore");
    ASSERT_FALSE(after.has_value());
    EXPECT_EQ(after.error().code, "processing.documents_already_requested");
    // And the application itself stays submitted with its number.
    const auto a = get(id);
    EXPECT_EQ(a.state, procedures::State::submitted);
    EXPECT_EQ(a.register_number.value_or(""), n);
}

TEST_P(MissingDocumentsTest, CompletingWithoutARequestIsRefused) {
    const auto id = complete();
    auto s = apps().submit(env().amina(), id);
    ASSERT_TRUE(s.has_value());
    const std::int64_t v = route(s->register_number);
    auto r = flow_->complete_documents({env().amina(), "test"}, s->register_number, v, {pdf("x.pdf", "x")}, "");
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, "processing.invalid_transition");
}

INSTANTIATE_TEST_SUITE_P(Backends, MissingDocumentsTest, ::testing::ValuesIn(all_backends()), backend_param_name);

}  // namespace
}  // namespace idara::testing
