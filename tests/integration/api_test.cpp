// The JSON API through the real server: error shape, authentication, limits,
// tenant isolation, least privilege, operational endpoints.
#include "harness.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

using namespace idara::itest;
namespace json = boost::json;

namespace {

// One server for the whole suite (demo data), with a small body limit to test 413.
Server& server() {
    static Server s(true, {"--set", "server.max_body_bytes=4096"});
    return s;
}

std::string token_for(const std::string& login) {
    auto r = run_idara({"token", "create", "--data-dir", server().data_dir(), "--login", login, "--name", "itest"});
    EXPECT_EQ(r.exit_code, 0) << r.output;
    // The token is the last line.
    std::string out = r.output;
    while (!out.empty() && out.back() == '\n') out.pop_back();
    return out.substr(out.rfind('\n') + 1);
}

std::string bearer(const std::string& token) { return "Authorization: Bearer " + token; }

void expect_error_shape(const Response& r, long status, const std::string& code) {
    EXPECT_EQ(r.status, status) << r.body;
    EXPECT_NE(r.header("content-type").value_or("").find("application/json"), std::string::npos);
    json::value v = json::parse(r.body);
    EXPECT_EQ(v.at("error").at("code").as_string(), code) << r.body;
    EXPECT_FALSE(v.at("error").at("message").at("ar").as_string().empty());
    EXPECT_FALSE(v.at("error").at("message").at("fr").as_string().empty());
}

std::string admin_login(const std::string& admin_code) {
    return demo_login(server().init_output(), {" admin ", admin_code});
}

}  // namespace

TEST(Api, HealthReadyAndMetrics) {
    Client c;
    EXPECT_EQ(c.get(server().url("/healthz")).status, 200);
    auto ready = c.get(server().url("/readyz"));
    EXPECT_EQ(ready.status, 200) << ready.body;
    auto m = c.get(server().url("/metrics"));
    EXPECT_EQ(m.status, 200);
    EXPECT_NE(m.body.find("idara_http_requests_total"), std::string::npos);
    EXPECT_NE(m.body.find("route=\"/healthz\""), std::string::npos) << m.body.substr(0, 2000);
    EXPECT_NE(m.body.find("idara_http_request_duration_seconds_bucket"), std::string::npos);
    EXPECT_NE(m.body.find("idara_db_pool_connections"), std::string::npos);
}

TEST(Api, SecurityHeadersAndRequestId) {
    Client c;
    auto r = c.get(server().url("/api/v1/administrations"));
    EXPECT_EQ(r.status, 200);
    EXPECT_NE(r.header("content-security-policy").value_or("").find("frame-ancestors 'none'"), std::string::npos);
    EXPECT_EQ(r.header("x-content-type-options").value_or(""), "nosniff");
    EXPECT_TRUE(r.header("referrer-policy"));
    EXPECT_FALSE(r.header("x-request-id").value_or("").empty());
}

TEST(Api, PublicDirectoryListsAdministrationsInBothLanguages) {
    Client c;
    auto r = c.get(server().url("/api/v1/administrations"));
    ASSERT_EQ(r.status, 200);
    auto v = json::parse(r.body);
    const auto& list = v.at("administrations").as_array();
    ASSERT_GE(list.size(), 3u);
    for (const auto& a : list) {
        EXPECT_FALSE(a.at("code").as_string().empty());
        EXPECT_FALSE(a.at("name").at("ar").as_string().empty());
        EXPECT_FALSE(a.at("name").at("fr").as_string().empty());
    }
}

TEST(Api, AuthenticationFailures) {
    Client c;
    expect_error_shape(c.get(server().url("/api/v1/me")), 401, "auth.required");
    expect_error_shape(c.get(server().url("/api/v1/me"), {bearer("idara_nothing_wrong")}), 401, "auth.required");
    expect_error_shape(c.get(server().url("/api/v1/me"), {"Authorization: Basic Zm9vOmJhcg=="}), 401, "auth.required");
}

TEST(Api, MeWithAToken) {
    Client c;
    const std::string login = admin_login("MEF");
    ASSERT_FALSE(login.empty()) << server().init_output();
    auto r = c.get(server().url("/api/v1/me"), {bearer(token_for(login))});
    ASSERT_EQ(r.status, 200) << r.body;
    auto v = json::parse(r.body);
    EXPECT_EQ(v.at("login").as_string(), login);
    EXPECT_EQ(v.at("kind").as_string(), "staff");
    EXPECT_EQ(v.at("administration").at("code").as_string(), "MEF");
    EXPECT_EQ(r.header("cache-control").value_or(""), "no-store");
}

TEST(Api, MalformedJsonWrongTypeAndOversizedBody) {
    Client c;
    const std::string t = token_for(admin_login("MEF"));
    expect_error_shape(c.post_json(server().url("/api/v1/units"), "{\"code\": ", {bearer(t)}), 400,
                       "request.malformed_json");
    expect_error_shape(c.post_json(server().url("/api/v1/units"), "[1,2]", {bearer(t)}), 400, "request.invalid");
    expect_error_shape(c.request("POST", server().url("/api/v1/units"), {bearer(t), "Content-Type: text/plain"}, "x"),
                       415, "request.unsupported_media_type");
    expect_error_shape(c.post_json(server().url("/api/v1/units"), std::string(8192, ' ') + "{}", {bearer(t)}), 413,
                       "request.too_large");
    expect_error_shape(c.post_json(server().url("/api/v1/units"), R"({"code":"X1","name_ar":"","name_fr":"x"})",
                                   {bearer(t)}),
                       400, "request.invalid");
    expect_error_shape(c.get(server().url("/api/v1/nothing-here")), 404, "resource.not_found");
    expect_error_shape(c.request("DELETE", server().url("/api/v1/administrations")), 405,
                       "request.method_not_allowed");
}

TEST(Api, TenantIsolation) {
    Client c;
    const std::string mef = token_for(admin_login("MEF"));
    const std::string men = token_for(admin_login("MEN"));
    auto created = c.post_json(server().url("/api/v1/units"),
                               R"({"code":"ISO-1","name_ar":"وحدة تجريبية","name_fr":"Unité d'essai"})", {bearer(mef)});
    ASSERT_EQ(created.status, 201) << created.body;
    const auto id = json::parse(created.body).at("id").as_int64();
    const std::string unit_url = server().url("/api/v1/units/" + std::to_string(id));

    EXPECT_EQ(c.get(unit_url, {bearer(mef)}).status, 200);
    // Another administration's staff cannot see it, by id or in lists, and cannot build under it.
    expect_error_shape(c.get(unit_url, {bearer(men)}), 404, "resource.not_found");
    auto men_units = c.get(server().url("/api/v1/units"), {bearer(men)});
    ASSERT_EQ(men_units.status, 200);
    EXPECT_EQ(men_units.body.find("ISO-1"), std::string::npos);
    auto child = c.post_json(server().url("/api/v1/units"),
                             R"({"code":"ISO-2","name_ar":"فرع","name_fr":"Sous-unité","parent_id":)" +
                                 std::to_string(id) + "}",
                             {bearer(men)});
    expect_error_shape(child, 404, "resource.not_found");
    auto men_staff = c.get(server().url("/api/v1/staff"), {bearer(men)});
    ASSERT_EQ(men_staff.status, 200);
    EXPECT_EQ(men_staff.body.find("mef"), std::string::npos) << men_staff.body;
}

TEST(Api, LeastPrivilege) {
    Client c;
    const std::string agent = demo_login(server().init_output(), {" agent ", "MEF"});
    const std::string citizen = demo_login(server().init_output(), {" citizen "});
    ASSERT_FALSE(agent.empty());
    ASSERT_FALSE(citizen.empty());
    expect_error_shape(c.post_json(server().url("/api/v1/units"), R"({"code":"NOPE","name_ar":"لا","name_fr":"Non"})",
                                   {bearer(token_for(agent))}),
                       403, "auth.forbidden");
    expect_error_shape(c.get(server().url("/api/v1/units"), {bearer(token_for(citizen))}), 403, "auth.forbidden");
    expect_error_shape(c.get(server().url("/api/v1/staff"), {bearer(token_for(agent))}), 403, "auth.forbidden");
}
