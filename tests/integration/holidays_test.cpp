// The holiday calendar through the real binary: `idara holidays list|adjust|clear` on a
// fresh data directory, and the JSON API (public list, operator-only adjustments, a staff
// member refused) on a demo server. The API tests skip while `idara serve` does not yet
// register the holiday routes (api/holidays.hpp).
#include "harness.hpp"

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

Response put(const std::string& auth, const std::string& path, const std::string& body) {
    Client c;
    return c.request("PUT", server().url(path), {auth, "Content-Type: application/json"}, body);
}

Response del(const std::string& auth, const std::string& path) {
    Client c;
    return c.request("DELETE", server().url(path), {auth});
}

void expect_error(const Response& r, long status, const std::string& code) {
    EXPECT_EQ(r.status, status) << r.body;
    json::value v = json::parse(r.body);
    EXPECT_EQ(v.at("error").at("code").as_string(), code) << r.body;
    EXPECT_FALSE(v.at("error").at("message").at("ar").as_string().empty());
    EXPECT_FALSE(v.at("error").at("message").at("fr").as_string().empty());
}

// The Eid al-Fitr 1448 days listed for 2027, with their shift.
std::vector<json::object> eid_days(const json::object& list) {
    std::vector<json::object> out;
    for (const auto& h : list.at("holidays").as_array())
        if (h.at("code").as_string() == "eid_al_fitr" && h.at("hijri_year").as_int64() == 1448)
            out.push_back(h.as_object());
    return out;
}

TEST(HolidaysApi, TheOperatorAdjustsAndEveryoneSeesTheShift) {
    const auto op = token_for("operateur@idara.ma");
    Client c;
    auto before = c.get(server().url("/api/v1/holidays?year=2027"));
    ASSERT_EQ(before.status, 200) << before.body;
    const auto days0 = eid_days(json::parse(before.body).as_object());
    ASSERT_EQ(days0.size(), 2u);
    EXPECT_TRUE(days0[0].at("hijri").as_bool());
    EXPECT_EQ(days0[0].at("shift_days").as_int64(), 0);
    EXPECT_FALSE(days0[0].at("name").at("ar").as_string().empty());
    EXPECT_EQ(days0[0].at("name").at("fr").as_string(), "Aïd Al Fitr");

    auto r = put(op, "/api/v1/holiday-adjustments/eid_al_fitr/1448", R"({"shift_days": 1})");
    ASSERT_EQ(r.status, 200) << r.body;
    json::value v = json::parse(r.body);
    EXPECT_EQ(v.at("shift_days").as_int64(), 1);
    EXPECT_TRUE(v.at("recomputed_entries").is_int64()) << r.body;

    auto after = c.get(server().url("/api/v1/holidays?year=2027"));
    ASSERT_EQ(after.status, 200);
    const auto days1 = eid_days(json::parse(after.body).as_object());
    ASSERT_EQ(days1.size(), 2u);
    EXPECT_EQ(days1[0].at("shift_days").as_int64(), 1);
    EXPECT_NE(days1[0].at("date").as_string(), days0[0].at("date").as_string());
    EXPECT_EQ(days1[0].at("date").as_string(), days0[1].at("date").as_string());  // day 1 moved onto old day 2

    auto adjustments = c.get(server().url("/api/v1/holiday-adjustments"));
    ASSERT_EQ(adjustments.status, 200);
    json::value a = json::parse(adjustments.body);
    ASSERT_EQ(a.at("adjustments").as_array().size(), 1u) << adjustments.body;
    EXPECT_EQ(a.at("adjustments").as_array()[0].at("hijri_year").as_int64(), 1448);
    EXPECT_EQ(a.at("adjustments").as_array()[0].as_object().if_contains("set_by"), nullptr);  // public: no account id

    expect_error(put(op, "/api/v1/holiday-adjustments/eid_al_fitr/1448", R"({"shift_days": 3})"), 400, "holiday.shift");
    expect_error(put(op, "/api/v1/holiday-adjustments/new_year/1448", R"({"shift_days": 1})"), 400, "holiday.not_hijri");
    expect_error(c.get(server().url("/api/v1/holidays?year=abc")), 400, "holiday.year");

    auto cleared = del(op, "/api/v1/holiday-adjustments/eid_al_fitr/1448");
    EXPECT_EQ(cleared.status, 200) << cleared.body;
    expect_error(del(op, "/api/v1/holiday-adjustments/eid_al_fitr/1448"), 404, "resource.not_found");
    const auto days2 = eid_days(json::parse(c.get(server().url("/api/v1/holidays?year=2027")).body).as_object());
    ASSERT_EQ(days2.size(), 2u);
    EXPECT_EQ(days2[0].at("date").as_string(), days0[0].at("date").as_string());
    EXPECT_NE(server().log().find("holiday.adjusted"), std::string::npos);
}

TEST(HolidaysApi, OnlyAPlatformOperatorMayAdjust) {
    for (const char* login : {"bureau.ordre@mef.gov.ma", "amina.elmansouri@example.ma"}) {
        const auto who = token_for(login);
        expect_error(put(who, "/api/v1/holiday-adjustments/mawlid/1448", R"({"shift_days": -1})"), 403, "auth.forbidden");
        expect_error(del(who, "/api/v1/holiday-adjustments/mawlid/1448"), 403, "auth.forbidden");
    }
    Client anonymous;
    expect_error(anonymous.request("PUT", server().url("/api/v1/holiday-adjustments/mawlid/1448"),
                                   {"Content-Type: application/json"}, R"({"shift_days": -1})"),
                 401, "auth.required");
}

TEST(HolidaysCli, ListAdjustAndClear) {
    TempDir dir;
    auto init = run_idara({"init", "--data-dir", dir.path()});
    ASSERT_EQ(init.exit_code, 0) << init.output;
    auto list = run_idara({"holidays", "list", "--year", "2027", "--data-dir", dir.path()});
    ASSERT_EQ(list.exit_code, 0) << list.output;
    EXPECT_NE(list.output.find("eid_al_fitr"), std::string::npos) << list.output;
    EXPECT_NE(list.output.find("green_march"), std::string::npos) << list.output;
    EXPECT_NE(list.output.find("adjustments: 0"), std::string::npos) << list.output;

    auto adjust = run_idara({"holidays", "adjust", "eid_al_fitr", "1448", "-1", "--data-dir", dir.path()});
    ASSERT_EQ(adjust.exit_code, 0) << adjust.output;
    EXPECT_NE(adjust.output.find("open entries got a new due date"), std::string::npos) << adjust.output;
    list = run_idara({"holidays", "list", "--year", "2027", "--data-dir", dir.path()});
    EXPECT_NE(list.output.find("hijri 1448 day 1 shift -1"), std::string::npos) << list.output;
    EXPECT_NE(list.output.find("adjustments: 1"), std::string::npos) << list.output;

    auto bad = run_idara({"holidays", "adjust", "new_year", "1448", "1", "--data-dir", dir.path()});
    EXPECT_EQ(bad.exit_code, 1) << bad.output;
    EXPECT_NE(bad.output.find("holiday.not_hijri"), std::string::npos) << bad.output;
    bad = run_idara({"holidays", "adjust", "eid_al_fitr", "1448", "5", "--data-dir", dir.path()});
    EXPECT_EQ(bad.exit_code, 1) << bad.output;

    auto clear = run_idara({"holidays", "clear", "eid_al_fitr", "1448", "--data-dir", dir.path()});
    ASSERT_EQ(clear.exit_code, 0) << clear.output;
    list = run_idara({"holidays", "list", "--year", "2027", "--data-dir", dir.path()});
    EXPECT_NE(list.output.find("adjustments: 0"), std::string::npos) << list.output;
    EXPECT_EQ(run_idara({"holidays", "clear", "eid_al_fitr", "1448", "--data-dir", dir.path()}).exit_code, 1);
}

}  // namespace
