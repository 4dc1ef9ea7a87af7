#include "govstack_fixture.hpp"

#include "http/multipart.hpp"

#include <fstream>
#include <sstream>

namespace idara::testing {

namespace json = boost::json;
using identity::Role;

Result<procedures::ExchangeAnswer> FakeBacExchange::get(std::string_view service, std::string_view path,
                                                        std::string_view) {
    ++calls;
    if (service != "MA/GOV/MEN/bac-results/bac-result") return Error{"application.exchange_failed", 502, "service"};
    if (path != "/results/R130245871") return procedures::ExchangeAnswer{404, R"({"type":"not_found"})", "xr-404"};
    return procedures::ExchangeAnswer{
        200,
        R"({"first_name_fr":"Amina","last_name_fr":"Mansouri","first_name_ar":"أمينة","last_name_ar":"المنصوري",)"
        R"("year":2026,"stream_fr":"Sciences mathématiques A","average":15.42,"mention_fr":"Bien"})",
        "xr-0001"};
}

void GovStackTest::SetUp() {
    DepositTest::SetUp();
    univ_ = ids_->create_administration({"UNIV", "جامعة محمد الخامس", "Université Mohammed V", "scolarite@um5.ac.ma"})
                .value();
    const auto univ = identity::TenantScope::trusted(univ_);
    ids_->create_unit(univ, {"BO", "مكتب الضبط", "Bureau d'ordre", {}}).value();
    ids_->create_unit(univ, {"SCOL-INS", "مصلحة التسجيل", "Service des inscriptions", {}}).value();
    univ_clerk_ = add_staff("clerk@um5.ac.ma", "UNIV", Role::registry_clerk, "BO");
    univ_head_ = add_staff("head.scol@um5.ac.ma", "UNIV", Role::unit_head, "SCOL-INS");
    univ_agent_ = add_staff("agent.scol@um5.ac.ma", "UNIV", Role::agent, "SCOL-INS");

    catalogue_ = std::make_unique<procedures::Catalogue>(*db_, *ids_, clock_);
    const std::string file = std::string(IDARA_TEST_SOURCE_DIR) + "/procedures/student-registration/v1.json";
    std::ifstream in(file, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    ASSERT_FALSE(text.str().empty()) << file;
    catalogue_->load(text.str(), file).value();

    registry::AttachmentLimits limits;
    limits.max_bytes = 64 * 1024;
    apps_ = std::make_unique<procedures::ApplicationService>(*db_, *blobs_, *catalogue_, *svc_, &exchange_, limits,
                                                              clock_);
    processing::WorkflowOptions o;
    o.limits.max_bytes = 64 * 1024;
    flow_ = std::make_unique<processing::WorkflowService>(*db_, *blobs_, *svc_, o, clock_);
    api::register_govstack(router_, api::GovStackApi{*ids_, *catalogue_, *apps_, *flow_, {}});
    api::register_openapi(router_);

    citizen_token_ = token_for(citizen_);
    citizen2_token_ = token_for(citizen2_);
    clerk_token_ = token_for(univ_clerk_);
    head_token_ = token_for(univ_head_);
    agent_token_ = token_for(univ_agent_);
    mef_token_ = token_for(mef_clerk_);
}

void GovStackTest::TearDown() {
    flow_.reset();
    apps_.reset();
    catalogue_.reset();
    DepositTest::TearDown();
}

std::string GovStackTest::token_for(std::int64_t account) {
    return ids_->create_token(account, "govstack-test", std::nullopt).value();
}

std::string GovStackTest::Reply::code() const {
    if (!json.is_object()) return {};
    const auto* e = json.as_object().if_contains("error");
    if (!e || !e->is_object()) return {};
    const auto* c = e->as_object().if_contains("code");
    return c && c->is_string() ? std::string(c->as_string()) : std::string();
}

GovStackTest::Reply GovStackTest::call(http::Method m, const std::string& target, const std::string& token,
                                       const std::string& body, const std::string& content_type,
                                       const std::map<std::string, std::string>& headers) {
    http::Request req;
    req.method = m;
    req.target = target;
    auto q = target.find('?');
    req.path = target.substr(0, q);
    if (q != std::string::npos) req.query = target.substr(q + 1);
    req.remote_addr = "192.0.2.7";
    req.body = body;
    if (!body.empty()) req.headers.set("Content-Type", content_type);
    if (!token.empty()) req.headers.set("Authorization", "Bearer " + token);
    if (!client_.empty()) req.headers.set("Information-Mediator-Client", client_);
    for (const auto& [k, v] : headers) req.headers.set(k, v);
    auto match = router_.match(m, req.path);
    Reply r;
    if (!match.handler) {
        r.status = match.allowed.empty() ? 404 : 405;
        return r;
    }
    req.params = match.params;
    req.route = match.pattern;
    auto res = (*match.handler)(req);
    r.status = res.status;
    r.content_type = std::string(res.headers.get("Content-Type").value_or(""));
    r.body = res.body;
    boost::system::error_code ec;
    auto v = json::parse(r.body, ec);
    if (!ec) r.json = std::move(v);
    return r;
}

GovStackTest::Reply GovStackTest::post_json(const std::string& target, const std::string& token, const json::value& v) {
    return call(http::Method::post, target, token, json::serialize(v));
}

GovStackTest::Reply GovStackTest::put_json(const std::string& target, const std::string& token, const json::value& v) {
    return call(http::Method::put, target, token, json::serialize(v));
}

json::object GovStackTest::student_body(const std::string& phone) {
    return json::object{
        {"applicantId", "ignored-by-idara"},
        {"applicationName", "Amina Mansouri"},
        {"formData", json::object{{"eFormId", "student-registration.v1"},
                                  {"data", json::object{{"student_number", "R130245871"},
                                                        {"faculty", "fsr"},
                                                        {"programme", "Mathématiques et informatique"},
                                                        {"phone", phone}}}}},
        {"consents", json::object{{"bac", true}}}};
}

GovStackTest::Reply GovStackTest::upload_photo(const std::string& token, const std::string& file_id) {
    http::Part f{"file", std::string("photo.pdf"), "application/pdf", sample_pdf()};
    http::Part id{"fileId", std::nullopt, "text/plain", file_id};
    http::Part code{"documentCode", std::nullopt, "text/plain", "photo"};
    auto mp = http::build_multipart({id, code, f});
    return call(http::Method::post, "/api/govstack/documents", token, mp.body, mp.content_type);
}

std::string GovStackTest::submitted_application(std::int64_t who) {
    const auto token = token_for(who);
    auto r = post_json("/api/govstack/services/student-registration/applications", token, student_body());
    EXPECT_EQ(r.status, 200) << r.body;
    const std::string id(r.json.at("fileId").as_string());
    EXPECT_EQ(upload_photo(token, id).status, 200);
    auto s = put_json("/api/govstack/applications/" + id, token, json::object{});
    EXPECT_EQ(s.status, 200) << s.body;
    EXPECT_EQ(s.json.at("status").at("state").as_string(), "registered") << s.body;
    return id;
}

}  // namespace idara::testing
