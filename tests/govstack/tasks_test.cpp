// GovStack tasks (the correspondence window's work on received applications) and statistics.
#include "govstack_fixture.hpp"

#include <sodium.h>

namespace idara::testing {
namespace {

namespace json = boost::json;

class GovStackTasks : public GovStackTest {
protected:
    // The caller's single listed task for `file_id` (fails the test when there is none).
    json::object only_task(const std::string& token, const std::string& file_id) {
        auto r = get("/api/govstack/tasks?fileId=" + file_id, token);
        EXPECT_EQ(r.status, 200) << r.body;
        if (!r.json.is_array() || r.json.as_array().size() != 1) {
            ADD_FAILURE() << "expected one task: " << r.body;
            return {};
        }
        return r.json.as_array()[0].as_object();
    }
    Reply complete(const std::string& token, const std::string& task, const json::object& data = {}) {
        return post_json("/api/govstack/tasks/" + task + "/complete", token, json::object{{"data", data}});
    }
    std::string str(const json::object& o, std::string_view k) { return std::string(o.at(k).as_string()); }
    // route → dispatch → start: the file is in progress with the agent. Returns the review task id.
    std::string to_review(const std::string& id) {
        auto route = only_task(clerk_token_, id);
        auto n1 = complete(clerk_token_, str(route, "taskId"));
        EXPECT_EQ(n1.status, 200) << n1.body;
        auto dispatch = only_task(head_token_, id);
        EXPECT_EQ(str(dispatch, "name"), "dispatch");
        auto n2 = complete(head_token_, str(dispatch, "taskId"), {{"assigneeId", std::to_string(univ_agent_)}});
        EXPECT_EQ(n2.status, 200) << n2.body;
        auto start = only_task(agent_token_, id);
        EXPECT_EQ(str(start, "name"), "start");
        auto n3 = complete(agent_token_, str(start, "taskId"));
        EXPECT_EQ(n3.status, 200) << n3.body;
        return std::string(n3.json.at("nextTaskId").as_string());
    }
};

TEST_P(GovStackTasks, TheRegistryClerkRoutesAReceivedApplication) {
    const auto id = submitted_application(citizen_);
    auto list = get("/api/govstack/tasks", clerk_token_);
    ASSERT_EQ(list.status, 200) << list.body;
    ASSERT_EQ(list.json.as_array().size(), 1u);
    const auto& t = list.json.as_array()[0].as_object();
    EXPECT_EQ(t.at("name").as_string(), "route");
    EXPECT_EQ(t.at("fileId").as_string(), id);
    EXPECT_EQ(t.at("serviceId").as_string(), "student-registration");
    EXPECT_EQ(t.at("status").at("code").as_string(), "PENDING");
    const std::string task(t.at("taskId").as_string());

    auto one = get("/api/govstack/tasks/" + task, clerk_token_);
    ASSERT_EQ(one.status, 200) << one.body;
    EXPECT_EQ(one.json.at("taskName").as_string(), "route");
    EXPECT_EQ(one.json.at("formVariables").at("student_number").as_string(), "R130245871");
    EXPECT_TRUE(one.json.at("canComplete").as_bool());

    // The unit head and the agent have nothing to do yet, nor has the applicant.
    EXPECT_TRUE(get("/api/govstack/tasks", agent_token_).json.as_array().empty());
    EXPECT_TRUE(get("/api/govstack/tasks", citizen_token_).json.as_array().empty());
    EXPECT_EQ(get("/api/govstack/tasks").status, 401);

    auto done = call(http::Method::post, "/api/govstack/tasks/" + task + "/complete", clerk_token_, R"({"data":{}})",
                     "application/json", {{"Information-Mediator-Client", "MA/GOV/UNIV/registration-portal"}});
    ASSERT_EQ(done.status, 200) << done.body;
    // The mediator client is recorded on the entry's timeline.
    const auto number = std::string(get("/api/govstack/applications/" + id, clerk_token_).json.at("registerNumber").as_string());
    const auto d = flow_->dossier(principal(univ_clerk_), number).value();
    ASSERT_FALSE(d.timeline.empty());
    EXPECT_EQ(d.timeline.back().kind, "assigned");
    EXPECT_EQ(d.timeline.back().origin, "api govstack MA/GOV/UNIV/registration-portal 192.0.2.7");
    EXPECT_EQ(d.units.at(0).unit_code, "SCOL-INS");  // the procedure's unit
    EXPECT_EQ(done.json.at("taskId").as_string(), task);
    EXPECT_EQ(done.json.at("fileId").as_string(), id);
    EXPECT_EQ(done.json.at("status").at("state").as_string(), "assigned");
    const std::string next(done.json.at("nextTaskId").as_string());
    EXPECT_NE(next, task);
    // A completed task is gone; completing it again changes nothing.
    EXPECT_EQ(get("/api/govstack/tasks/" + task, clerk_token_).status, 404);
    EXPECT_EQ(complete(clerk_token_, task).status, 404);
    // The head of the procedure's unit now has the dispatch task.
    auto dispatch = only_task(head_token_, id);
    EXPECT_EQ(str(dispatch, "name"), "dispatch");
    EXPECT_EQ(str(dispatch, "taskId"), next);
}

TEST_P(GovStackTasks, SendBackRejectAndTheirStatuses) {
    const auto a = submitted_application(citizen_);
    const auto b = submitted_application(citizen2_);
    const auto review_a = to_review(a);
    auto t = get("/api/govstack/tasks/" + review_a, head_token_);
    ASSERT_EQ(t.status, 200) << t.body;
    EXPECT_EQ(t.json.at("taskName").as_string(), "review");
    EXPECT_EQ(t.json.at("assigneeId").as_string(), std::to_string(univ_agent_));

    // Approval is a signed reply letter, not a task completion.
    auto approve = complete(head_token_, review_a, {{"decision", "approve"}});
    EXPECT_EQ(approve.status, 409);
    EXPECT_EQ(approve.code(), "processing.invalid_transition");
    EXPECT_EQ(complete(head_token_, review_a, {{"decision", "maybe"}}).status, 400);
    EXPECT_EQ(complete(head_token_, review_a, {}).status, 400);

    auto sendback = complete(agent_token_, review_a, {{"decision", "sendback"}, {"reason", "Photo illisible"}});
    ASSERT_EQ(sendback.status, 200) << sendback.body;
    EXPECT_EQ(sendback.json.at("status").at("code").as_string(), "SENDBACK");
    EXPECT_FALSE(sendback.json.as_object().contains("nextTaskId"));  // the applicant's turn
    EXPECT_EQ(get("/api/govstack/applications/" + a, citizen_token_).json.at("status").at("code").as_string(),
              "SENDBACK");

    // The applicant's turn: their own task completes the file and the clock resumes.
    EXPECT_TRUE(get("/api/govstack/tasks", citizen2_token_).json.as_array().empty());
    auto own = only_task(citizen_token_, a);
    EXPECT_EQ(str(own, "name"), "complete-documents");
    EXPECT_EQ(str(own, "roleId"), "applicant");
    EXPECT_EQ(get("/api/govstack/tasks/" + str(own, "taskId"), citizen2_token_).status, 404);
    EXPECT_EQ(complete(citizen_token_, str(own, "taskId"), {}).code(), "processing.documents_missing");
    auto not_b64 = complete(citizen_token_, str(own, "taskId"),
                            {{"files", json::array{json::object{{"name", "photo.pdf"}, {"content", "%%%"}}}}});
    EXPECT_EQ(not_b64.status, 400);
    const std::string pdf = sample_pdf(1, "photo-nette");
    std::string b64(sodium_base64_ENCODED_LEN(pdf.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
    sodium_bin2base64(b64.data(), b64.size(), reinterpret_cast<const unsigned char*>(pdf.data()), pdf.size(),
                      sodium_base64_VARIANT_ORIGINAL);
    b64.resize(b64.size() - 1);  // the terminating NUL
    auto completed = complete(citizen_token_, str(own, "taskId"),
                              {{"files", json::array{json::object{{"name", "photo.pdf"}, {"content", b64}}}},
                               {"note", "Voici une photo nette."}});
    ASSERT_EQ(completed.status, 200) << completed.body;
    EXPECT_EQ(completed.json.at("status").at("code").as_string(), "PENDING");
    EXPECT_EQ(completed.json.at("status").at("state").as_string(), "in_progress");
    EXPECT_TRUE(get("/api/govstack/tasks", citizen_token_).json.as_array().empty());
    // Back to review; the single missing-documents request is spent, so the agent has nothing
    // left to complete there (their answer is a reply letter) and the unit head may still reject.
    EXPECT_TRUE(get("/api/govstack/tasks?fileId=" + a, agent_token_).json.as_array().empty());
    auto again = only_task(head_token_, a);
    EXPECT_EQ(str(again, "name"), "review");
    EXPECT_EQ(complete(head_token_, str(again, "taskId"), {{"decision", "sendback"}, {"reason", "Encore"}}).code(),
              "processing.documents_already_requested");

    const auto review_b = to_review(b);
    auto reject = complete(head_token_, review_b, {{"decision", "reject"}, {"reason", "Hors délai"}});
    ASSERT_EQ(reject.status, 200) << reject.body;
    EXPECT_EQ(reject.json.at("status").at("code").as_string(), "REJECTED");
    // After the rejection, the file is closed by the registry clerk or the unit head.
    auto close = only_task(head_token_, b);
    EXPECT_EQ(str(close, "name"), "close");
    auto closed = complete(head_token_, str(close, "taskId"));
    ASSERT_EQ(closed.status, 200) << closed.body;
    auto file = get("/api/govstack/applications/" + b, citizen2_token_);
    EXPECT_EQ(file.json.at("status").at("code").as_string(), "REJECTED");
    EXPECT_TRUE(file.json.at("ended").as_bool());

    auto stats = get("/api/govstack/data/statistics", clerk_token_);
    ASSERT_EQ(stats.status, 200) << stats.body;
    ASSERT_EQ(stats.json.as_array().size(), 1u);
    const auto& s = stats.json.as_array()[0];
    EXPECT_EQ(s.at("processed").as_int64(), 2);
    EXPECT_EQ(s.at("sentBack").as_int64(), 1);
    EXPECT_EQ(s.at("rejected").as_int64(), 1);
    EXPECT_EQ(s.at("approved").as_int64(), 0);
    // Exactly the specification's fields.
    EXPECT_EQ(s.as_object().size(), 5u);
}

TEST_P(GovStackTasks, OtherAdministrationsAndWrongCallersSeeNoTask) {
    const auto id = submitted_application(citizen_);
    auto route = only_task(clerk_token_, id);
    const auto task = str(route, "taskId");
    EXPECT_TRUE(get("/api/govstack/tasks", mef_token_).json.as_array().empty());
    EXPECT_EQ(get("/api/govstack/tasks/" + task, mef_token_).status, 404);
    EXPECT_EQ(complete(mef_token_, task).status, 404);
    EXPECT_EQ(get("/api/govstack/tasks/" + task, citizen_token_).status, 404);
    // Staff of the administration who may not route it: visible, not completable.
    auto seen = get("/api/govstack/tasks/" + task, agent_token_);
    ASSERT_EQ(seen.status, 200) << seen.body;
    EXPECT_FALSE(seen.json.at("canComplete").as_bool());
    EXPECT_EQ(complete(agent_token_, task).status, 403);
    for (const char* bad : {"nothing", "abc.0", "abc.x", ".3"})
        EXPECT_EQ(get(std::string("/api/govstack/tasks/") + bad, clerk_token_).status, 404) << bad;
    // Dispatch needs an agent.
    ASSERT_EQ(complete(clerk_token_, task).status, 200);
    auto dispatch = only_task(head_token_, id);
    EXPECT_EQ(complete(head_token_, str(dispatch, "taskId"), {{"assigneeId", "someone"}}).status, 400);
}

TEST_P(GovStackTasks, StatisticsFiltersAndErrors) {
    submitted_application(citizen_);
    EXPECT_EQ(get("/api/govstack/data/statistics", citizen_token_).status, 403);
    EXPECT_EQ(get("/api/govstack/data/statistics").status, 401);
    EXPECT_EQ(get("/api/govstack/data/statistics/1.0", clerk_token_).status, 200);
    client_.clear();
    EXPECT_EQ(get("/api/govstack/data/statistics", clerk_token_).status, 400);
    client_ = "eGovStack/GOV/90000009/eregistrations-dev";
    EXPECT_EQ(get("/api/govstack/data/statistics?startDate=2026-13-01", clerk_token_).status, 400);
    EXPECT_EQ(get("/api/govstack/data/statistics?startDate=2026-10-02&endDate=2026-10-01", clerk_token_).status, 400);
    EXPECT_EQ(get("/api/govstack/data/statistics?timeframe=hour", clerk_token_).status, 400);

    auto by_day = get("/api/govstack/data/statistics?timeframe=day", clerk_token_);
    ASSERT_EQ(by_day.status, 200) << by_day.body;
    ASSERT_EQ(by_day.json.as_array().size(), 1u);
    const auto& d = by_day.json.as_array()[0];
    EXPECT_EQ(d.at("processed").as_int64(), 1);
    EXPECT_TRUE(d.at("references").at("timeframeDay").as_bool());
    const std::string day(d.at("references").at("startDate").as_string());
    EXPECT_EQ(day.size(), 10u);
    EXPECT_EQ(d.at("references").at("endDate").as_string(), day);
    auto week = get("/api/govstack/data/statistics?timeframe=week", clerk_token_).json.as_array()[0].at("references");
    EXPECT_LE(std::string(week.at("startDate").as_string()), day);
    EXPECT_GE(std::string(week.at("endDate").as_string()), day);
    auto month = get("/api/govstack/data/statistics?timeframe=month&endDate=" + day, clerk_token_)
                     .json.as_array()[0].at("references");
    EXPECT_EQ(month.at("startDate").as_string(), day.substr(0, 8) + "01");
    EXPECT_EQ(month.at("endDate").as_string(), day);  // clipped to the requested range
    auto year = get("/api/govstack/data/statistics?timeframe=year", clerk_token_).json.as_array()[0].at("references");
    EXPECT_EQ(year.at("endDate").as_string(), day.substr(0, 4) + "-12-31");

    auto in_range = get("/api/govstack/data/statistics?startDate=" + day + "&endDate=" + day, clerk_token_);
    EXPECT_EQ(in_range.json.as_array()[0].at("processed").as_int64(), 1);
    auto before = get("/api/govstack/data/statistics?endDate=2000-01-01", clerk_token_);
    ASSERT_EQ(before.json.as_array().size(), 1u);
    EXPECT_EQ(before.json.as_array()[0].at("processed").as_int64(), 0);
    auto other = get("/api/govstack/data/statistics?registrationName=letter", clerk_token_);
    EXPECT_EQ(other.json.as_array()[0].at("processed").as_int64(), 0);
    auto mef = get("/api/govstack/data/statistics", mef_token_);
    EXPECT_EQ(mef.json.as_array()[0].at("processed").as_int64(), 0);
}

INSTANTIATE_TEST_SUITE_P(Backends, GovStackTasks, ::testing::ValuesIn(all_backends()), backend_param_name);

}  // namespace
}  // namespace idara::testing
