// Who may see which dashboard: dashboard::plan() with principals, then the JSON API and the
// CSV through the router (bearer tokens), on both backends.
#include "api/dashboard.hpp"
#include "dashboard/access.hpp"
#include "fixture.hpp"
#include "identity/service.hpp"

#include <boost/json.hpp>

namespace idara::testing {
namespace {

using identity::Role;

identity::Principal staff(std::int64_t administration, std::vector<identity::Membership> m) {
    identity::Principal p;
    p.account_id = 99;
    p.kind = identity::AccountKind::staff;
    p.administration_id = administration;
    p.memberships = std::move(m);
    return p;
}

class DashboardAccessTest : public DashboardTest {};

TEST_P(DashboardAccessTest, AdminsAndClerksSeeEverythingUnitHeadsTheirUnits) {
    const std::int64_t now = utc_ms(std::chrono::sys_days{std::chrono::year(2026) / 5 / 20}, 10);
    auto admin = dashboard::plan(*db_, staff(mef_, {{mef_, std::nullopt, Role::admin}}), {}, now);
    ASSERT_TRUE(admin) << admin.error().code;
    EXPECT_FALSE(admin->unit);
    EXPECT_TRUE(admin->whole_administration_allowed);
    EXPECT_EQ(admin->units.size(), 3u);
    EXPECT_EQ(admin->administration_code, "MEF");

    auto clerk = dashboard::plan(*db_, staff(mef_, {{mef_, mef_bo_, Role::registry_clerk}}), {"DRH", {}, {}}, now);
    ASSERT_TRUE(clerk);
    EXPECT_EQ(clerk->filter.lead_unit_id, mef_drh_);

    const auto head = staff(mef_, {{mef_, mef_db_, Role::unit_head}, {mef_, mef_db_, Role::agent}});
    auto own = dashboard::plan(*db_, head, {}, now);
    ASSERT_TRUE(own);
    ASSERT_TRUE(own->unit);
    EXPECT_EQ(own->unit->code, "DB");
    EXPECT_FALSE(own->whole_administration_allowed);
    EXPECT_EQ(own->units.size(), 1u);

    auto other = dashboard::plan(*db_, head, {"DRH", {}, {}}, now);
    ASSERT_FALSE(other);
    EXPECT_EQ(other.error().code, "auth.forbidden");
    EXPECT_EQ(other.error().status, 403);

    auto agent = dashboard::plan(*db_, staff(mef_, {{mef_, mef_db_, Role::agent}}), {}, now);
    ASSERT_FALSE(agent);
    EXPECT_EQ(agent.error().code, "auth.forbidden");

    identity::Principal citizen;
    auto c = dashboard::plan(*db_, citizen, {}, now);
    ASSERT_FALSE(c);
    EXPECT_EQ(c.error().status, 403);
}

TEST_P(DashboardAccessTest, BadFiltersAreDashboardFilter) {
    const auto admin = staff(mef_, {{mef_, std::nullopt, Role::admin}});
    for (const dashboard::Query& q : {dashboard::Query{"NOPE", {}, {}}, dashboard::Query{{}, "2026-02-30", {}},
                                      dashboard::Query{{}, "2026/05/01", {}}, dashboard::Query{{}, "2026-05-10", "2026-05-01"}}) {
        auto p = dashboard::plan(*db_, admin, q, 0);
        ASSERT_FALSE(p);
        EXPECT_EQ(p.error().code, "dashboard.filter");
        EXPECT_EQ(p.error().status, 400);
    }
    auto ok = dashboard::plan(*db_, admin, {{}, "2026-05-04", "2026-05-17"}, 0);
    ASSERT_TRUE(ok);
    EXPECT_EQ(*ok->filter.from_ms, utc_ms(std::chrono::sys_days{std::chrono::year(2026) / 5 / 3}, 23));
    EXPECT_EQ(*ok->filter.to_ms, utc_ms(std::chrono::sys_days{std::chrono::year(2026) / 5 / 17}, 23) - 1);
}

TEST_P(DashboardAccessTest, ApiAppliesThePermissionRules) {
    identity::Service ids(*db_, {});
    const auto admin = add_account("admin@mef");
    add_membership(admin, mef_, std::nullopt, "admin");
    const auto head = add_account("head@mef");
    add_membership(head, mef_, mef_db_, "unit_head");
    const auto agent = add_account("agent@mef");
    add_membership(agent, mef_, mef_db_, "agent");
    add_entry({.registered_at = utc_ms(std::chrono::sys_days{std::chrono::year(2026) / 1 / 5}, 9), .lead_unit = mef_db_});

    http::Router router;
    api::register_dashboard(router, ids, *db_);
    auto call = [&](std::int64_t account, const std::string& path, const std::string& query) {
        http::Request req;
        req.method = http::Method::get;
        req.path = path;
        req.query = query;
        req.target = path + "?" + query;
        if (account) req.headers.set("Authorization", "Bearer " + ids.create_token(account, "t", std::nullopt).value());
        auto m = router.match(http::Method::get, path);
        EXPECT_TRUE(m.handler);
        return (*m.handler)(req);
    };
    const std::string period = "from=2026-01-01&to=2026-01-31";
    auto r = call(admin, "/api/v1/dashboard", period);
    ASSERT_EQ(r.status, 200) << r.body;
    auto j = boost::json::parse(r.body).as_object();
    EXPECT_EQ(j["administration"].as_string(), "MEF");
    EXPECT_TRUE(j["unit"].is_null());
    EXPECT_EQ(j["totals"].as_object()["entries_in"].as_int64(), 1);
    EXPECT_EQ(j["weeks"].as_array().size(), 5u);  // 2026-W01 .. 2026-W05
    EXPECT_EQ(r.body.find("SECRET"), std::string::npos);

    EXPECT_EQ(call(head, "/api/v1/dashboard", period + "&unit=DB").status, 200);
    auto other = call(head, "/api/v1/dashboard", period + "&unit=DRH");
    EXPECT_EQ(other.status, 403);
    EXPECT_NE(other.body.find("auth.forbidden"), std::string::npos);
    EXPECT_EQ(call(agent, "/api/v1/dashboard", period).status, 403);
    EXPECT_EQ(call(0, "/api/v1/dashboard", period).status, 401);
    auto bad = call(admin, "/api/v1/dashboard", "from=yesterday");
    EXPECT_EQ(bad.status, 400);
    EXPECT_NE(bad.body.find("dashboard.filter"), std::string::npos);

    auto csv = call(head, "/api/v1/dashboard.csv", period + "&lang=fr");
    ASSERT_EQ(csv.status, 200);
    EXPECT_EQ(csv.headers.get("Content-Type").value_or(""), "text/csv; charset=utf-8");
    EXPECT_NE(std::string(csv.headers.get("Content-Disposition").value_or("")).find("attachment"), std::string::npos);
    EXPECT_EQ(csv.body.rfind("\xEF\xBB\xBF", 0), 0u);
    EXPECT_NE(csv.body.find("Semaine"), std::string::npos);
    EXPECT_EQ(csv.body.find("SECRET"), std::string::npos);
    EXPECT_EQ(call(agent, "/api/v1/dashboard.csv", period).status, 403);
}

INSTANTIATE_TEST_SUITE_P(Backends, DashboardAccessTest, ::testing::ValuesIn(all_backends()), backend_param_name);

}  // namespace
}  // namespace idara::testing
