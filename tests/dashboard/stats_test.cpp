// dashboard::compute on both backends: weeks in Casablanca time, percentiles, pause,
// overdue, types, tenant isolation and the unit filter.
#include "fixture.hpp"

namespace idara::testing {
namespace {

using namespace std::chrono;
using dashboard::Filter;

// 2026-W19 is Mon 4 – Sun 10 May, 2026-W20 Mon 11 – Sun 17 May; Casablanca is UTC+1 then.
const sys_days kMay4 = sys_days{2026y / May / 4}, kMay11 = sys_days{2026y / May / 11};
const std::int64_t kW20Start = utc_ms(kMay11 - days(1), 23);  // Mon 11 May 00:00 in Casablanca
const std::int64_t kNow = utc_ms(sys_days{2026y / May / 20}, 10);

Filter two_weeks() {
    Filter f;
    f.from_ms = utc_ms(kMay4, 12);
    f.to_ms = utc_ms(kMay11 + days(3), 12);
    f.now_ms = kNow;
    return f;
}

TEST_P(DashboardTest, CountsInAndOutPerIsoWeekInCasablancaTime) {
    add_entry({.registered_at = kW20Start - 1});  // Sun 10 May 23:59:59.999 in Casablanca: W19
    add_entry({.registered_at = kW20Start});      // Mon 11 May 00:00 (still Sunday in UTC): W20
    add_entry({.registered_at = kW20Start + 3 * kDay});
    add_entry({.registered_at = kW20Start + kDay, .status = "cancelled", .state = "cancelled"});  // not counted
    add_entry({.registered_at = kW20Start - 8 * kDay});  // before the period
    add_letter(mef_, kW20Start - 1);
    add_letter(mef_, kW20Start);
    add_letter(mef_, std::nullopt);  // a draft has no number: not in the register

    const auto d = compute(two_weeks());
    ASSERT_EQ(d.weeks.size(), 2u);
    EXPECT_EQ(d.weeks[0].label, "2026-W19");
    EXPECT_EQ(d.weeks[1].label, "2026-W20");
    EXPECT_EQ(d.weeks[0].monday, kMay4);
    EXPECT_EQ(d.weeks[1].start_ms, kW20Start);
    EXPECT_EQ(d.weeks[0].entries_in, 1);
    EXPECT_EQ(d.weeks[1].entries_in, 2);
    EXPECT_EQ(d.weeks[0].letters_out, 1);
    EXPECT_EQ(d.weeks[1].letters_out, 1);
    EXPECT_EQ(d.entries_in, 3);
    EXPECT_EQ(d.letters_out, 2);
    EXPECT_EQ(d.from_ms, utc_ms(kMay4 - days(1), 23));
    EXPECT_EQ(d.to_ms, utc_ms(kMay11 + days(6), 23) - 1);
}

TEST_P(DashboardTest, DefaultPeriodIsTwelveFullWeeksAndTheCurrentOne) {
    Filter f;
    f.now_ms = kNow;  // Wed 20 May: 2026-W21
    const auto d = compute(f);
    ASSERT_EQ(d.weeks.size(), 13u);
    EXPECT_EQ(d.weeks.back().label, "2026-W21");
    EXPECT_EQ(d.weeks.front().label, "2026-W09");
}

TEST_P(DashboardTest, MedianAndP90ByNearestRankOverOneToTenDays) {
    for (int n = 1; n <= 10; ++n) {
        const std::int64_t reg = kW20Start - 20 * kDay;
        add_entry({.registered_at = reg, .state = n % 2 ? "answered" : "rejected", .answered_at = reg + n * kDay});
    }
    Filter f = two_weeks();
    f.from_ms = kW20Start - 30 * kDay;
    const auto d = compute(f);
    EXPECT_EQ(d.processing.count, 10);
    ASSERT_TRUE(d.processing.median_days && d.processing.p90_days);
    EXPECT_DOUBLE_EQ(*d.processing.median_days, 5.0);
    EXPECT_DOUBLE_EQ(*d.processing.p90_days, 9.0);
    EXPECT_DOUBLE_EQ(dashboard::nearest_rank({1, 2, 3}, 50), 2.0);
    EXPECT_DOUBLE_EQ(dashboard::nearest_rank({4}, 90), 4.0);
    EXPECT_FALSE(dashboard::percentiles({}).median_days);
}

TEST_P(DashboardTest, ThePauseForMissingDocumentsIsNotProcessingTime) {
    const std::int64_t reg = kW20Start;
    // 10 days from registration to answer, 4 of them waiting for the depositor: 6 days.
    add_entry({.registered_at = reg, .state = "answered", .missing_requested_at = reg + 2 * kDay,
               .completed_at = reg + 6 * kDay, .answered_at = reg + 10 * kDay});
    // Closed after its answer (in W20): still counted, 4 days.
    add_entry({.registered_at = reg - 3 * kDay, .state = "closed", .answered_at = reg + kDay});
    // Transferred: never answered here.
    add_entry({.registered_at = reg, .state = "transferred"});
    Filter f = two_weeks();
    f.to_ms = kNow;
    const auto d = compute(f);
    EXPECT_EQ(d.processing.count, 2);
    ASSERT_EQ(d.weeks.size(), 3u);
    EXPECT_EQ(d.weeks[1].processing.count, 1);
    EXPECT_DOUBLE_EQ(*d.weeks[1].processing.median_days, 4.0);
    EXPECT_EQ(d.weeks[2].processing.count, 1);
    EXPECT_DOUBLE_EQ(*d.weeks[2].processing.median_days, 6.0);
    EXPECT_DOUBLE_EQ(*d.processing.p90_days, 6.0);
}

TEST_P(DashboardTest, OverdueNowByLeadUnit) {
    const std::int64_t past = kNow - kDay, reg = kNow - 90 * kDay;
    add_entry({.registered_at = reg, .state = "in_progress", .lead_unit = mef_db_, .due_at = past});
    add_entry({.registered_at = reg, .state = "assigned", .lead_unit = mef_db_, .due_at = past, .confidential = true});
    add_entry({.registered_at = reg, .state = "in_progress", .lead_unit = mef_drh_, .due_at = past});
    add_entry({.registered_at = reg, .state = "registered", .due_at = past});  // no lead unit yet
    add_entry({.registered_at = reg, .state = "missing_documents", .lead_unit = mef_db_, .due_at = past,
               .paused_at = past - kDay, .missing_requested_at = past - kDay});  // paused: not overdue
    add_entry({.registered_at = reg, .state = "answered", .lead_unit = mef_db_, .due_at = past, .answered_at = past});
    add_entry({.registered_at = reg, .state = "in_progress", .lead_unit = mef_db_, .due_at = kNow + kDay});
    add_entry({.registered_at = reg, .status = "cancelled", .state = "cancelled", .lead_unit = mef_db_, .due_at = past});

    const auto d = compute(two_weeks());
    EXPECT_EQ(d.overdue, 4);
    ASSERT_EQ(d.overdue_by_unit.size(), 3u);
    EXPECT_EQ(d.overdue_by_unit[0].code, "DB");
    EXPECT_EQ(d.overdue_by_unit[0].count, 2);
    EXPECT_EQ(d.overdue_by_unit[1].code, "DRH");
    EXPECT_EQ(d.overdue_by_unit[1].name_fr, "Ressources humaines");
    EXPECT_FALSE(d.overdue_by_unit[2].unit_id);
    EXPECT_EQ(d.overdue_by_unit[2].count, 1);
}

TEST_P(DashboardTest, CountsByTypeWithTheirNames) {
    for (int i = 0; i < 3; ++i) add_entry({.registered_at = kW20Start + i * kDay, .type = "complaint"});
    add_entry({.registered_at = kW20Start, .type = "investment"});
    add_entry({.registered_at = kW20Start, .type = "custom"});
    const auto d = compute(two_weeks());
    ASSERT_EQ(d.by_type.size(), 3u);
    EXPECT_EQ(d.by_type[0].code, "complaint");
    EXPECT_EQ(d.by_type[0].count, 3);
    EXPECT_EQ(d.by_type[0].name_ar, "شكاية");
    EXPECT_EQ(d.by_type[1].code, "custom");  // ties by code
    EXPECT_EQ(d.by_type[1].name_fr, "");
    EXPECT_EQ(d.by_type[2].name_fr, "Dossier d'investissement");
}

TEST_P(DashboardTest, AnotherAdministrationsRowsNeverCount) {
    const std::int64_t past = kNow - kDay;
    add_entry({.registered_at = kW20Start, .lead_unit = mef_db_});
    const auto men_entry = add_entry({.administration_id = men_, .registered_at = kW20Start, .state = "answered",
                                      .lead_unit = men_bo_, .answered_at = kW20Start + kDay});
    add_entry({.administration_id = men_, .registered_at = kW20Start, .state = "in_progress", .lead_unit = men_bo_,
               .due_at = past});
    add_letter(men_, kW20Start, men_entry);
    const auto d = compute(two_weeks());
    EXPECT_EQ(d.entries_in, 1);
    EXPECT_EQ(d.letters_out, 0);
    EXPECT_EQ(d.processing.count, 0);
    EXPECT_EQ(d.overdue, 0);
    const auto men = compute(two_weeks(), men_);
    EXPECT_EQ(men.entries_in, 2);
    EXPECT_EQ(men.letters_out, 1);
    EXPECT_EQ(men.overdue, 1);
    // A unit of the other administration is refused, not counted.
    Filter f = two_weeks();
    f.lead_unit_id = men_bo_;
    auto r = dashboard::compute(*db_, identity::TenantScope::trusted(mef_), f);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "dashboard.filter");
    EXPECT_EQ(r.error().status, 400);
}

TEST_P(DashboardTest, AUnitFilterKeepsItsEntriesAndReplies) {
    const auto db_entry = add_entry({.registered_at = kW20Start, .state = "answered", .lead_unit = mef_db_,
                                     .answered_at = kW20Start + 2 * kDay});
    const auto drh_entry = add_entry({.registered_at = kW20Start, .state = "answered", .lead_unit = mef_drh_,
                                      .answered_at = kW20Start + 3 * kDay});
    add_entry({.registered_at = kW20Start, .type = "request"});  // not routed yet
    add_letter(mef_, kW20Start + 2 * kDay, db_entry);
    add_letter(mef_, kW20Start + 3 * kDay, drh_entry);
    add_letter(mef_, kW20Start + 3 * kDay);  // a letter that starts here, not a reply
    Filter f = two_weeks();
    f.lead_unit_id = mef_db_;
    const auto d = compute(f);
    EXPECT_EQ(d.unit_id, mef_db_);
    EXPECT_EQ(d.entries_in, 1);
    EXPECT_EQ(d.letters_out, 1);
    EXPECT_EQ(d.processing.count, 1);
    EXPECT_DOUBLE_EQ(*d.processing.median_days, 2.0);
    const auto all = compute(two_weeks());
    EXPECT_EQ(all.entries_in, 3);
    EXPECT_EQ(all.letters_out, 3);
}

TEST_P(DashboardTest, RefusesAReversedOrTooLongPeriod) {
    Filter f = two_weeks();
    std::swap(*f.from_ms, *f.to_ms);
    auto r = dashboard::compute(*db_, identity::TenantScope::trusted(mef_), f);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "dashboard.filter");
    f = two_weeks();
    f.from_ms = *f.to_ms - 800 * kDay;
    r = dashboard::compute(*db_, identity::TenantScope::trusted(mef_), f);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "dashboard.filter");
}

TEST(DashboardWeeks, IsoWeekLabelsAcrossYears) {
    EXPECT_EQ(dashboard::iso_week_label(sys_days{2025y / December / 29}), "2026-W01");
    EXPECT_EQ(dashboard::iso_week_label(sys_days{2020y / December / 28}), "2020-W53");
    EXPECT_EQ(dashboard::iso_monday(sys_days{2026y / May / 17}), kMay11);
    EXPECT_EQ(dashboard::iso_monday(kMay11), kMay11);
}

INSTANTIATE_TEST_SUITE_P(Backends, DashboardTest, ::testing::ValuesIn(all_backends()), backend_param_name);

}  // namespace
}  // namespace idara::testing
