// The correspondence window through the real server and its JSON API, with the demo
// accounts: a letter deposited by a citizen is qualified, assigned, dispatched, worked on,
// completed by its depositor after the one missing-documents request, and closed after a
// refusal; stale versions, bad input and other administrations get their bilingual errors.
#include "harness.hpp"
#include "sample_pdf.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

using namespace idara::itest;
namespace json = boost::json;

namespace {

Server& server() {
    static Server s(true);
    return s;
}

std::string token_for(const std::string& login) { return server().bearer(login); }

const std::string kBoundary = "----idaraProcessingBoundary42";

std::string part_json(const std::string& name, const std::string& body) {
    return "--" + kBoundary + "\r\nContent-Disposition: form-data; name=\"" + name +
           "\"\r\nContent-Type: application/json\r\n\r\n" + body + "\r\n";
}

std::string part_file(const std::string& name, const std::string& filename, const std::string& body) {
    return "--" + kBoundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"; filename=\"" + filename +
           "\"\r\nContent-Type: application/pdf\r\n\r\n" + body + "\r\n";
}

Response multipart(const std::string& auth, const std::string& path, const std::string& parts) {
    Client c;
    return c.request("POST", server().url(path),
                     {auth, "Content-Type: multipart/form-data; boundary=" + kBoundary}, parts + "--" + kBoundary + "--\r\n");
}

Response post(const std::string& auth, const std::string& path, const json::object& body) {
    Client c;
    return c.post_json(server().url(path), json::serialize(body), {auth});
}

json::object get_json(const std::string& auth, const std::string& path, long status = 200) {
    Client c;
    auto r = c.get(server().url(path), {auth});
    EXPECT_EQ(r.status, status) << path << " " << r.body;
    return json::parse(r.body).as_object();
}

void expect_error(const Response& r, long status, const std::string& code) {
    EXPECT_EQ(r.status, status) << r.body;
    json::value v = json::parse(r.body);
    EXPECT_EQ(v.at("error").at("code").as_string(), code) << r.body;
    EXPECT_FALSE(v.at("error").at("message").at("ar").as_string().empty());
    EXPECT_FALSE(v.at("error").at("message").at("fr").as_string().empty());
}

std::int64_t version_of(const Response& r) {
    EXPECT_EQ(r.status, 200) << r.body;
    return json::parse(r.body).at("version").as_int64();
}

bool listed(const json::object& inbox, const std::string& number) {
    for (const auto& e : inbox.at("entries").as_array())
        if (e.at("register_number").as_string() == number) return true;
    return false;
}

struct Deposited {
    std::string number, tracking_code;
};

Deposited deposit(const std::string& citizen, const std::string& subject) {
    const std::string d = R"({"administration":"MEF","type":"request","subject":")" + subject + R"(","body":"نص"})";
    auto r = multipart(citizen, "/api/v1/deposits",
                       part_json("deposit", d) + part_file("file", "demande.pdf", idara::testing::sample_pdf()));
    EXPECT_EQ(r.status, 201) << r.body;
    auto o = json::parse(r.body).as_object();
    return {std::string(o.at("register_number").as_string()), std::string(o.at("tracking_code").as_string())};
}

TEST(ProcessingApi, ALetterIsRoutedWorkedCompletedAndRefusedThroughTheApi) {
    const auto citizen = token_for("amina.elmansouri@example.ma");
    const auto clerk = token_for("bureau.ordre@mef.gov.ma");
    const auto head = token_for("chef.service@mef.gov.ma");
    const auto agent = token_for("agent@mef.gov.ma");
    const auto other = token_for("bureau.ordre@men.gov.ma");
    const auto d = deposit(citizen, "طلب رخصة استغلال");
    const std::string e = "/api/v1/entries/" + d.number;

    ASSERT_TRUE(listed(get_json(clerk, "/api/v1/inbox/registry"), d.number));
    auto dossier = get_json(clerk, e);
    EXPECT_EQ(dossier.at("state").as_string(), "registered");
    std::int64_t v = dossier.at("version").as_int64();

    // Bad input: no version, unknown priority, unknown unit, an inbox that does not exist.
    expect_error(post(clerk, e + "/qualify", {{"priority", "urgent"}}), 400, "request.invalid");
    expect_error(post(clerk, e + "/qualify", {{"version", v}, {"priority", "very"}}), 400, "processing.priority");
    expect_error(post(clerk, e + "/assign", {{"version", v}, {"lead", "NOPE"}}), 400, "processing.unknown_unit");
    Client c;
    expect_error(c.get(server().url("/api/v1/inbox/everything"), {clerk}), 404, "resource.not_found");
    // Other administrations and citizens cannot act.
    expect_error(post(other, e + "/assign", {{"version", v}, {"lead", "DB-SP"}}), 404, "resource.not_found");
    expect_error(c.get(server().url(e), {other}), 404, "resource.not_found");
    expect_error(post(citizen, e + "/assign", {{"version", v}, {"lead", "DB-SP"}}), 403, "auth.forbidden");

    v = version_of(post(clerk, e + "/qualify", {{"version", v}, {"priority", "urgent"}, {"confidential", false}}));
    // The same version again: someone else changed it first.
    expect_error(post(clerk, e + "/qualify", {{"version", v - 1}, {"priority", "normal"}}), 409,
                 "processing.version_conflict");
    v = version_of(post(clerk, e + "/assign", {{"version", v}, {"lead", "DB-SP"}, {"copies", json::array{"DB"}}}));
    ASSERT_TRUE(listed(get_json(head, "/api/v1/inbox/unit"), d.number));

    // The head finds the agent in the staff list and dispatches.
    std::int64_t agent_id = 0;
    const auto staff = get_json(head, "/api/v1/staff");
    for (const auto& s : staff.at("staff").as_array())
        if (s.at("login").as_string() == "agent@mef.gov.ma") agent_id = s.at("id").as_int64();
    ASSERT_GT(agent_id, 0);
    v = version_of(post(head, e + "/dispatch", {{"version", v}, {"agent", agent_id}}));
    ASSERT_TRUE(listed(get_json(agent, "/api/v1/inbox/mine"), d.number));
    v = version_of(post(agent, e + "/start", {{"version", v}}));

    // A note with a working document, then the one missing-documents request.
    auto note = multipart(agent, e + "/notes",
                          part_json("note", R"({"text":"يرجى التحقق من الرخصة السابقة"})") +
                              part_file("file", "verification.pdf", idara::testing::sample_pdf(1, "Verification")));
    ASSERT_EQ(note.status, 200) << note.body;
    auto notes = json::parse(note.body).at("notes").as_array();
    ASSERT_EQ(notes.size(), 1u);
    const std::string file_url(notes[0].at("file").at("url").as_string());
    auto file = c.get(server().url(file_url), {head});
    EXPECT_EQ(file.status, 200);
    EXPECT_EQ(file.body, idara::testing::sample_pdf(1, "Verification"));
    expect_error(c.get(server().url(file_url), {citizen}), 404, "resource.not_found");

    v = version_of(post(agent, e + "/missing-documents", {{"version", v}, {"text", "نسخة من عقد الكراء"}}));
    expect_error(post(agent, e + "/missing-documents", {{"version", v}, {"text", "وثيقة أخرى"}}), 409,
                 "processing.documents_already_requested");
    // Tracking shows the state to the depositor without login.
    auto tracked = get_json("X-Nothing: 1", "/api/v1/track/" + d.number + "?code=" + d.tracking_code);
    EXPECT_EQ(tracked.at("state").as_string(), "missing_documents");

    // The depositor sees what is missing and completes the file.
    auto mine = get_json(citizen, e);
    EXPECT_EQ(mine.at("state").as_string(), "missing_documents");
    EXPECT_TRUE(mine.at("notes").as_array().empty());  // internal notes stay inside
    expect_error(multipart(citizen, e + "/completion", part_json("completion", "{\"version\":" + std::to_string(v) + "}")),
                 400, "processing.documents_missing");
    auto done = multipart(citizen, e + "/completion",
                          part_json("completion", "{\"version\":" + std::to_string(v) + ",\"note\":\"ها هو العقد\"}") +
                              part_file("file", "contrat.pdf", idara::testing::sample_pdf(1, "Contrat")));
    ASSERT_EQ(done.status, 200) << done.body;
    v = json::parse(done.body).at("version").as_int64();
    EXPECT_EQ(json::parse(done.body).at("state").as_string(), "in_progress");

    // A refusal needs a reason; then the head closes it.
    expect_error(post(head, e + "/reject", {{"version", v}, {"reason", ""}}), 400, "processing.reason");
    v = version_of(post(head, e + "/reject", {{"version", v}, {"reason", "النشاط غير مسموح به في هذه المنطقة"}}));
    v = version_of(post(head, e + "/close", {{"version", v}}));
    auto final = get_json(clerk, e);
    EXPECT_EQ(final.at("state").as_string(), "closed");
    std::vector<std::string> kinds;
    for (const auto& t : final.at("timeline").as_array()) kinds.emplace_back(t.at("kind").as_string());
    EXPECT_EQ(kinds, (std::vector<std::string>{"registered", "qualified", "assigned", "dispatched", "started", "annotated",
                                               "documents_requested", "documents_completed", "rejected", "closed"}));
    EXPECT_EQ(std::string(final.at("timeline").as_array()[1].at("origin").as_string()).substr(0, 4), "api ");
}

TEST(ProcessingApi, TransferAndDelegationThroughTheApi) {
    const auto citizen = token_for("amina.elmansouri@example.ma");
    const auto clerk = token_for("bureau.ordre@mef.gov.ma");
    const auto men_clerk = token_for("bureau.ordre@men.gov.ma");
    const auto d = deposit(citizen, "طلب معادلة شهادة");
    const std::string e = "/api/v1/entries/" + d.number;
    const std::int64_t v = get_json(clerk, e).at("version").as_int64();
    expect_error(post(clerk, e + "/transfer", {{"version", v}, {"administration", "MEF"}, {"reason", "x"}}), 400,
                 "processing.transfer_self");
    auto t = post(clerk, e + "/transfer", {{"version", v}, {"administration", "MEN"}, {"reason", "من اختصاص التربية الوطنية"}});
    ASSERT_EQ(t.status, 200) << t.body;
    const std::string to(json::parse(t.body).at("transferred_to").as_string());
    EXPECT_EQ(to.substr(0, 4), "MEN-");
    EXPECT_TRUE(listed(get_json(men_clerk, "/api/v1/inbox/registry"), to));
    auto tracked = get_json("X-Nothing: 1", "/api/v1/track/" + d.number + "?code=" + d.tracking_code);
    EXPECT_EQ(tracked.at("state").as_string(), "transferred");
    EXPECT_EQ(tracked.at("transferred_to").as_string(), to);
    EXPECT_EQ(get_json("X-Nothing: 1", "/api/v1/track/" + to + "?code=" + d.tracking_code).at("state").as_string(),
              "registered");

    // A delegation, listed, then revoked; bad dates are refused.
    const auto agent = token_for("agent@mef.gov.ma");
    std::int64_t colleague = 0;
    const auto admin = token_for("admin@mef.gov.ma");
    const auto staff = get_json(admin, "/api/v1/staff");
    for (const auto& s : staff.at("staff").as_array())
        if (s.at("login").as_string() == "signataire@mef.gov.ma") colleague = s.at("id").as_int64();
    ASSERT_GT(colleague, 0);
    expect_error(post(agent, "/api/v1/delegations", {{"to", colleague}, {"starts_on", "2026-13-01"}, {"ends_on", "2099-01-01"}}),
                 400, "processing.delegation");
    auto made = post(agent, "/api/v1/delegations", {{"to", colleague}, {"starts_on", "2026-01-01"}, {"ends_on", "2099-12-31"}});
    ASSERT_EQ(made.status, 201) << made.body;
    const auto id = json::parse(made.body).at("id").as_int64();
    EXPECT_EQ(get_json(agent, "/api/v1/delegations").at("delegations").as_array().size(), 1u);
    Client c;
    auto revoked = c.request("POST", server().url("/api/v1/delegations/" + std::to_string(id) + "/revoke"), {agent});
    EXPECT_EQ(revoked.status, 204) << revoked.body;
    EXPECT_TRUE(get_json(agent, "/api/v1/delegations").at("delegations").as_array().empty());
}

}  // namespace
