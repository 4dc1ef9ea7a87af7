// The real binary on the PostgreSQL backend: init, serve, the API and the tenant boundary.
#include "harness.hpp"
#include "sample_pdf.hpp"
#include "test_db.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

using namespace idara::itest;
namespace json = boost::json;

TEST(PostgresBackend, TheBinaryInitialisesServesAndKeepsTenantsApart) {
    const std::vector<std::string> pg = {"--set", "storage.backend=postgres", "--set",
                                         "storage.postgres_dsn=" + idara::testing::fresh_postgres_dsn()};
    Server s(true, pg);
    Client c;
    auto ready = c.get(s.url("/readyz"));
    ASSERT_EQ(ready.status, 200) << ready.body << s.log();
    EXPECT_NE(c.get(s.url("/metrics")).body.find("idara_db_pool_connections{backend=\"postgres\"}"), std::string::npos);

    auto token = [&](const std::string& login) {
        std::vector<std::string> args{"token", "create", "--data-dir", s.data_dir(), "--login", login, "--name", "pg"};
        args.insert(args.end(), pg.begin(), pg.end());
        auto r = run_idara(args);
        EXPECT_EQ(r.exit_code, 0) << r.output;
        std::string out = r.output;
        while (!out.empty() && out.back() == '\n') out.pop_back();
        return "Authorization: Bearer " + out.substr(out.rfind('\n') + 1);
    };
    const auto mef = token(demo_login(s.init_output(), {" admin ", "MEF"}));
    const auto men = token(demo_login(s.init_output(), {" admin ", "MEN"}));
    auto me = c.get(s.url("/api/v1/me"), {mef});
    ASSERT_EQ(me.status, 200) << me.body;
    EXPECT_EQ(json::parse(me.body).at("administration").at("code").as_string(), "MEF");

    auto created = c.post_json(s.url("/api/v1/units"), R"({"code":"PG-1","name_ar":"وحدة","name_fr":"Unité"})", {mef});
    ASSERT_EQ(created.status, 201) << created.body;
    const auto id = json::parse(created.body).at("id").as_int64();
    EXPECT_EQ(c.get(s.url("/api/v1/units/" + std::to_string(id)), {mef}).status, 200);
    EXPECT_EQ(c.get(s.url("/api/v1/units/" + std::to_string(id)), {men}).status, 404);
    EXPECT_EQ(c.get(s.url("/api/v1/units"), {men}).body.find("PG-1"), std::string::npos);
    auto dup = c.post_json(s.url("/api/v1/units"), R"({"code":"PG-1","name_ar":"وحدة","name_fr":"Unité"})", {mef});
    EXPECT_EQ(dup.status, 409) << dup.body;
    EXPECT_EQ(json::parse(dup.body).at("error").at("code").as_string(), "unit.code_taken");

    // The registry office on PostgreSQL: a deposit with a file, its sealed receipt (blobs in the
    // database), tracking and verification against the register.
    const auto citizen = token("amina.elmansouri@example.ma");
    const std::string boundary = "pgBoundary42";
    const std::string pdf = idara::testing::sample_pdf(2, "pg");
    const std::string body = "--" + boundary +
                             "\r\nContent-Disposition: form-data; name=\"deposit\"\r\n\r\n"
                             R"({"administration":"MEN","type":"request","subject":"طلب كشف النقط"})"
                             "\r\n--" + boundary +
                             "\r\nContent-Disposition: form-data; name=\"files\"; filename=\"cin.pdf\"\r\n"
                             "Content-Type: application/pdf\r\n\r\n" + pdf + "\r\n--" + boundary + "--\r\n";
    auto dep = c.request("POST", s.url("/api/v1/deposits"),
                         {citizen, "Content-Type: multipart/form-data; boundary=" + boundary}, body);
    ASSERT_EQ(dep.status, 201) << dep.body << s.log();
    const json::value d = json::parse(dep.body);
    const std::string number(d.at("register_number").as_string());
    EXPECT_EQ(number.rfind("MEN-", 0), 0u);
    auto receipt = c.get(s.url("/api/v1/deposits/" + number + "/receipt.pdf"), {citizen});
    ASSERT_EQ(receipt.status, 200);
    EXPECT_EQ(receipt.body.rfind("%PDF-", 0), 0u);
    EXPECT_EQ(c.get(s.url("/api/v1/deposits/" + number), {men}).status, 200);
    EXPECT_EQ(c.get(s.url("/api/v1/deposits/" + number), {mef}).status, 404);
    auto tracked = c.get(s.url("/api/v1/track/" + number + "?code=" + std::string(d.at("tracking_code").as_string())));
    EXPECT_EQ(tracked.status, 200) << tracked.body;
    const std::string vb = "--v\r\nContent-Disposition: form-data; name=\"file\"; filename=\"r.pdf\"\r\n\r\n" +
                           receipt.body + "\r\n--v--\r\n";
    auto verified = c.request("POST", s.url("/api/v1/verify"), {"Content-Type: multipart/form-data; boundary=v"}, vb);
    ASSERT_EQ(verified.status, 200) << verified.body;
    EXPECT_EQ(json::parse(verified.body).at("verdict").as_string(), "valid") << verified.body;

    // A second init refuses to touch a database that already has a schema.
    std::vector<std::string> again{"init", "--data-dir", s.data_dir()};
    again.insert(again.end(), pg.begin(), pg.end());
    EXPECT_EQ(run_idara(again).exit_code, 1);
}
