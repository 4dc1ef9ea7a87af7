// GovStack application files and documents: drafts, problems, uploads, submission, visibility.
#include "govstack_fixture.hpp"

namespace idara::testing {
namespace {

namespace json = boost::json;
const std::string kApply = "/api/govstack/services/student-registration/applications";

class GovStackApplications : public GovStackTest {};

TEST_P(GovStackApplications, MissingOrBadCredentialsAre401) {
    auto r = post_json(kApply, {}, student_body());
    EXPECT_EQ(r.status, 401);
    EXPECT_EQ(r.code(), "auth.required");
    EXPECT_EQ(get("/api/govstack/applications").status, 401);
    EXPECT_EQ(get("/api/govstack/applications", "idara_bogus_token").status, 401);
    // Staff do not apply.
    auto staff = post_json(kApply, clerk_token_, student_body());
    EXPECT_EQ(staff.status, 403);
    EXPECT_EQ(staff.code(), "application.forbidden");
    EXPECT_EQ(count("applications"), 0);
}

TEST_P(GovStackApplications, UnknownServiceIs404AndStoresNothing) {
    auto r = post_json("/api/govstack/services/no-such-service/applications", citizen_token_, student_body());
    EXPECT_EQ(r.status, 404);
    EXPECT_EQ(r.code(), "resource.not_found");
    EXPECT_EQ(count("applications"), 0);
}

TEST_P(GovStackApplications, MalformedOrMissingMediatorHeaderIs400) {
    auto bad = call(http::Method::post, kApply, citizen_token_, json::serialize(student_body()), "application/json",
                    {{"Information-Mediator-Client", "MA/GOV//portal"}});
    EXPECT_EQ(bad.status, 400);
    EXPECT_EQ(bad.code(), "request.invalid");
    EXPECT_EQ(count("applications"), 0);
    for (const char* h : {"", "invalid_header", "MA/GOV/UNIV/", "MA/GOV/UNIV/portal/extra", "MA/GOV/UN IV/portal"}) {
        auto r = call(http::Method::get, "/api/govstack/applications", citizen_token_, {}, {},
                      {{"Information-Mediator-Client", h}});
        EXPECT_EQ(r.status, 400) << h;
    }
    // Required on application files (before authentication), optional on the catalogue.
    client_.clear();
    auto missing = post_json(kApply, citizen_token_, student_body());
    EXPECT_EQ(missing.status, 400);
    EXPECT_EQ(missing.code(), "request.invalid");
    EXPECT_EQ(get("/api/govstack/applications").status, 400);
    EXPECT_EQ(get("/api/govstack/applications/abc", citizen_token_).status, 400);
    EXPECT_EQ(put_json("/api/govstack/applications/abc", citizen_token_, json::object{}).status, 400);
    EXPECT_EQ(get("/api/govstack/services").status, 200);
    EXPECT_EQ(count("applications"), 0);
    client_ = "eGovStack/GOV/90000009/eregistrations-dev";
    auto ok = post_json(kApply, citizen_token_, student_body());
    EXPECT_EQ(ok.status, 200) << ok.body;
}

TEST_P(GovStackApplications, InvalidDataIs400WithFieldProblems) {
    auto r = post_json(kApply, citizen_token_, student_body("12345"));
    ASSERT_EQ(r.status, 400) << r.body;
    EXPECT_EQ(r.code(), "request.invalid");
    const auto& problems = r.json.at("problems").as_array();
    ASSERT_EQ(problems.size(), 1u);
    EXPECT_EQ(problems[0].at("field").as_string(), "phone");
    EXPECT_EQ(problems[0].at("code").as_string(), "invalid");
    // The draft that was started keeps no answer and can be fixed with PUT.
    const std::string id(r.json.at("fileId").as_string());
    auto g = get("/api/govstack/applications/" + id, citizen_token_);
    ASSERT_EQ(g.status, 200) << g.body;
    EXPECT_TRUE(g.json.at("applicationData").at("formData").at("data").as_object().empty());
    auto fixed = put_json("/api/govstack/applications/" + id, citizen_token_, student_body());
    ASSERT_EQ(fixed.status, 200) << fixed.body;
    EXPECT_EQ(fixed.json.at("applicationData").at("formData").at("data").at("phone").as_string(), "0612345678");

    auto wrong_form = student_body();
    wrong_form["formData"].as_object()["eFormId"] = "student-registration.v7";
    EXPECT_EQ(post_json(kApply, citizen_token_, wrong_form).status, 400);
    auto not_object = post_json(kApply, citizen_token_, json::object{{"formData", json::object{{"data", 3}}}});
    EXPECT_EQ(not_object.status, 400);
    EXPECT_EQ(call(http::Method::post, kApply, citizen_token_, "{", "application/json").code(), "request.malformed_json");
    EXPECT_EQ(call(http::Method::post, kApply, citizen_token_, "{}", "text/plain").status, 415);
    EXPECT_EQ(call(http::Method::post, kApply, citizen_token_, "formData=%7B", "application/x-www-form-urlencoded").code(),
              "request.malformed_json");
}

TEST_P(GovStackApplications, AFormEncodedBodyAsTheSpecificationsHarnessSendsIt) {
    // Only an applicantId: an empty draft.
    auto bare = call(http::Method::post, kApply, citizen_token_, "applicantId=42962de0-bdb2&applicationName=Amya+Yuko",
                     "application/x-www-form-urlencoded");
    ASSERT_EQ(bare.status, 200) << bare.body;
    EXPECT_EQ(bare.json.at("serviceId").as_string(), "student-registration");
    EXPECT_EQ(bare.json.at("next").at("kind").as_string(), "step");
    EXPECT_TRUE(bare.json.at("applicationData").at("formData").at("data").as_object().empty());
    // formData and consents as JSON texts.
    const auto body = student_body();
    const std::string form = "applicantId=x&formData=" + http::url_encode(json::serialize(body.at("formData"))) +
                             "&consents=" + http::url_encode(json::serialize(body.at("consents"))) + "&submit=false";
    auto full = call(http::Method::post, kApply, citizen_token_, form, "application/x-www-form-urlencoded");
    ASSERT_EQ(full.status, 200) << full.body;
    EXPECT_EQ(full.json.at("applicationData").at("formData").at("data").at("last_name").as_string(), "Mansouri");
    EXPECT_EQ(full.json.at("next").at("kind").as_string(), "documents");
}

TEST_P(GovStackApplications, ADraftIsUpdatedByPutThenSubmittedWhenComplete) {
    auto r = post_json(kApply, citizen_token_, student_body());
    ASSERT_EQ(r.status, 200) << r.body;
    const std::string id(r.json.at("fileId").as_string());
    EXPECT_EQ(r.json.at("serviceId").as_string(), "student-registration");
    EXPECT_EQ(r.json.at("status").at("code").as_string(), "PENDING");
    EXPECT_EQ(r.json.at("status").at("state").as_string(), "draft");
    EXPECT_EQ(r.json.at("status").at("title").as_string(), i18n::catalogue().get(i18n::Lang::ar, "web.portal.state.draft"));
    EXPECT_NE(r.json.at("status").at("title").as_string(), "draft");
    EXPECT_EQ(r.json.at("next").at("kind").as_string(), "documents");  // the photo is missing
    // The lookup filled the fields the exchange provides.
    const auto& data = r.json.at("applicationData").at("formData").at("data");
    EXPECT_EQ(data.at("last_name").as_string(), "Mansouri");
    EXPECT_EQ(r.json.at("sources").at("last_name").as_string(), "bac");
    EXPECT_EQ(exchange_.calls, 1);

    auto upd = put_json("/api/govstack/applications/" + id, citizen_token_,
                        json::object{{"formData", json::object{{"data", json::object{{"phone", "0712345678"}}}}}});
    ASSERT_EQ(upd.status, 200) << upd.body;
    EXPECT_EQ(upd.json.at("applicationData").at("formData").at("data").at("phone").as_string(), "0712345678");
    EXPECT_EQ(upd.json.at("status").at("state").as_string(), "draft");

    auto bad = put_json("/api/govstack/applications/" + id, citizen_token_,
                        json::object{{"formData", json::object{{"data", json::object{{"faculty", "medecine"}}}}}});
    EXPECT_EQ(bad.status, 400);
    EXPECT_EQ(bad.json.at("problems").as_array()[0].at("field").as_string(), "faculty");

    auto up = upload_photo(citizen_token_, id);
    ASSERT_EQ(up.status, 200) << up.body;
    EXPECT_EQ(up.json.at("url").as_string(), "/api/govstack/applications/" + id + "/documents/photo");
    EXPECT_EQ(up.json.at("mediaType").as_string(), "application/pdf");

    // A complete draft stays a draft when asked to.
    auto kept = put_json("/api/govstack/applications/" + id, citizen_token_, json::object{{"submit", false}});
    ASSERT_EQ(kept.status, 200) << kept.body;
    EXPECT_EQ(kept.json.at("next").at("kind").as_string(), "check");
    EXPECT_EQ(kept.json.at("status").at("state").as_string(), "draft");

    auto sub = put_json("/api/govstack/applications/" + id, citizen_token_, json::object{});
    ASSERT_EQ(sub.status, 200) << sub.body;
    EXPECT_EQ(sub.json.at("status").at("code").as_string(), "PENDING");
    EXPECT_EQ(sub.json.at("status").at("state").as_string(), "registered");
    EXPECT_EQ(sub.json.at("registerNumber").as_string().subview().substr(0, 5), "UNIV-");
    EXPECT_FALSE(sub.json.at("trackingCode").as_string().empty());
    EXPECT_TRUE(sub.json.as_object().contains("registered"));
    EXPECT_EQ(sub.json.at("applicationData").at("documentUrls").as_array().size(), 1u);

    auto again = put_json("/api/govstack/applications/" + id, citizen_token_, student_body());
    EXPECT_EQ(again.status, 409);
    EXPECT_EQ(again.code(), "application.invalid_state");
    EXPECT_EQ(upload_photo(citizen_token_, id).status, 409);

    auto doc = get("/api/govstack/applications/" + id + "/documents/photo", citizen_token_);
    EXPECT_EQ(doc.status, 200);
    EXPECT_EQ(doc.body, sample_pdf());
    EXPECT_EQ(get("/api/govstack/applications/" + id + "/documents/nothing", citizen_token_).status, 404);
}

TEST_P(GovStackApplications, UploadErrors) {
    auto r = post_json(kApply, citizen_token_, student_body());
    const std::string id(r.json.at("fileId").as_string());
    http::Part f{"file", std::string("photo.pdf"), "application/pdf", sample_pdf()};
    auto no_target = http::build_multipart({f});
    EXPECT_EQ(call(http::Method::post, "/api/govstack/documents", citizen_token_, no_target.body,
                   no_target.content_type).status, 400);
    // additionalMetadata names the draft and the document instead of text parts.
    const std::string meta = http::url_encode(R"({"fileId":")" + id + R"(","documentCode":"photo"})");
    auto via_meta = call(http::Method::post, "/api/govstack/documents?additionalMetadata=" + meta, citizen_token_,
                         no_target.body, no_target.content_type);
    EXPECT_EQ(via_meta.status, 200) << via_meta.body;
    // Another applicant's draft does not exist for them.
    EXPECT_EQ(upload_photo(citizen2_token_, id).status, 404);
    // Not a document of the procedure.
    http::Part bad_code{"documentCode", std::nullopt, "text/plain", "passport"};
    http::Part file_id{"fileId", std::nullopt, "text/plain", id};
    auto mp = http::build_multipart({file_id, bad_code, f});
    auto unknown = call(http::Method::post, "/api/govstack/documents", citizen_token_, mp.body, mp.content_type);
    EXPECT_EQ(unknown.status, 404);
    // Not a PDF or image: refused by the attachment checks.
    http::Part text{"file", std::string("photo.pdf"), "application/pdf", "just text"};
    http::Part code{"documentCode", std::nullopt, "text/plain", "photo"};
    auto mp2 = http::build_multipart({file_id, code, text});
    auto refused = call(http::Method::post, "/api/govstack/documents", citizen_token_, mp2.body, mp2.content_type);
    EXPECT_GE(refused.status, 400);
    EXPECT_LT(refused.status, 500);
    EXPECT_EQ(upload_photo({}, id).status, 401);
}

TEST_P(GovStackApplications, FilesAreVisibleToTheirApplicantAndTheCompetentAdministrationOnly) {
    const auto id = submitted_application(citizen_);
    auto mine = get("/api/govstack/applications", citizen_token_);
    ASSERT_EQ(mine.status, 200) << mine.body;
    ASSERT_EQ(mine.json.as_array().size(), 1u);
    EXPECT_EQ(mine.json.as_array()[0].at("fileId").as_string(), id);
    EXPECT_EQ(mine.json.as_array()[0].at("status").at("code").as_string(), "PENDING");

    EXPECT_TRUE(get("/api/govstack/applications", citizen2_token_).json.as_array().empty());
    auto other = get("/api/govstack/applications/" + id, citizen2_token_);
    EXPECT_EQ(other.status, 404);
    EXPECT_EQ(other.code(), "resource.not_found");

    // Staff of another administration: not found; of UNIV: the received file.
    EXPECT_EQ(get("/api/govstack/applications/" + id, mef_token_).status, 404);
    EXPECT_TRUE(get("/api/govstack/applications", mef_token_).json.as_array().empty());
    auto staff = get("/api/govstack/applications/" + id, clerk_token_);
    ASSERT_EQ(staff.status, 200) << staff.body;
    EXPECT_EQ(staff.json.at("status").at("state").as_string(), "registered");
    auto received = get("/api/govstack/applications?serviceId=student-registration", clerk_token_);
    ASSERT_EQ(received.json.as_array().size(), 1u);
    EXPECT_EQ(received.json.as_array()[0].at("applicantId").as_string(), std::to_string(citizen_));
    EXPECT_TRUE(get("/api/govstack/applications?serviceId=other", clerk_token_).json.as_array().empty());
    EXPECT_TRUE(get("/api/govstack/applications?applicantId=999999", clerk_token_).json.as_array().empty());

    // Operators do not rewrite an applicant's answers.
    auto put = put_json("/api/govstack/applications/" + id, clerk_token_, student_body());
    EXPECT_EQ(put.status, 403);
    EXPECT_EQ(put.code(), "auth.forbidden");
}

TEST_P(GovStackApplications, Paging) {
    submitted_application(citizen_);
    submitted_application(citizen_);
    auto all = get("/api/govstack/applications?sortOrder=asc", citizen_token_);
    ASSERT_EQ(all.json.as_array().size(), 2u);
    auto second = get("/api/govstack/applications?sortOrder=asc&firstResult=1&maxResult=1", citizen_token_);
    ASSERT_EQ(second.json.as_array().size(), 1u);
    EXPECT_EQ(second.json.as_array()[0].at("fileId"), all.json.as_array()[1].at("fileId"));
    EXPECT_EQ(get("/api/govstack/applications?maxResult=-1", citizen_token_).status, 400);
    EXPECT_EQ(get("/api/govstack/applications?firstResult=x", citizen_token_).status, 400);
    EXPECT_EQ(get("/api/govstack/applications?sortOrder=up", citizen_token_).status, 400);
}

INSTANTIATE_TEST_SUITE_P(Backends, GovStackApplications, ::testing::ValuesIn(all_backends()), backend_param_name);

}  // namespace
}  // namespace idara::testing
