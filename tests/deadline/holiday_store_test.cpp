// The holiday adjustment store on both backends: set/replace/clear/list, validation, the cached calendar
// rebuilt after a change, reload() for changes made elsewhere, the actor reference.
#include "dates.hpp"
#include "deadline/holiday_store.hpp"
#include "identity/password.hpp"
#include "identity/service.hpp"
#include "test_db.hpp"

#include <gtest/gtest.h>

using namespace idara;
using namespace idara::deadline;
using namespace idara::deadline::test;
using std::chrono::sys_days;
using storage::Backend;

namespace {

class FixedClock : public Clock {
public:
    std::chrono::system_clock::time_point now() const override { return t; }
    std::chrono::system_clock::time_point t = sys_days(ymd(2025, 3, 29)) + std::chrono::hours(20);
};

class HolidayStoreTest : public ::testing::TestWithParam<Backend> {
protected:
    void SetUp() override {
        db_ = idara::testing::fresh_database(GetParam());
        store_ = std::make_unique<HolidayStore>(*db_, clock_);
    }
    std::int64_t make_account() {
        identity::ServiceOptions o;
        o.hash_limits = identity::HashLimits::minimum();
        identity::Service ids(*db_, o);
        identity::NewAccount a;
        a.kind = identity::AccountKind::operator_;
        a.login = "operator1";
        a.display_name = "Operator";
        a.password = "correct horse battery staple 2025";
        return ids.create_account(a).value();
    }
    std::string fitr_1446() {
        for (const auto& h : store_->holidays(2025).value())
            if (h.code == "eid_al_fitr" && h.day == 1) return iso(h.date);
        return "none";
    }
    FixedClock clock_;
    std::unique_ptr<storage::Database> db_;
    std::unique_ptr<HolidayStore> store_;
};

TEST_P(HolidayStoreTest, StartsWithoutAdjustments) {
    EXPECT_TRUE(store_->list().value().empty());
    auto cal = store_->calendar();
    ASSERT_TRUE(cal);
    EXPECT_TRUE(cal->adjustments().empty());
    EXPECT_EQ(fitr_1446(), "2025-03-31");
    EXPECT_EQ(store_->holidays(2025).value().size(), 17u);
}

TEST_P(HolidayStoreTest, SetMovesTheHolidayAndTheCalendarIsRebuilt) {
    const auto actor = make_account();
    auto before = store_->calendar();
    EXPECT_EQ(store_->calendar(), before);  // cached
    auto stored = store_->set({"eid_al_fitr", 1446, 1}, actor);
    ASSERT_TRUE(stored) << stored.error().code;
    EXPECT_EQ(stored->set_by, actor);
    EXPECT_EQ(stored->set_at, clock_.now_ms());
    auto after = store_->calendar();
    EXPECT_NE(after, before);
    EXPECT_FALSE(after->is_working_day(sys_days(ymd(2025, 4, 2))));
    EXPECT_TRUE(after->is_working_day(sys_days(ymd(2025, 3, 31))));
    EXPECT_TRUE(before->is_working_day(sys_days(ymd(2025, 4, 2))));  // the old calendar is unchanged
    EXPECT_EQ(fitr_1446(), "2025-04-01");

    // Setting again replaces (one row per code and Hijri year).
    ASSERT_TRUE(store_->set({"eid_al_fitr", 1446, -2}, std::nullopt));
    EXPECT_EQ(fitr_1446(), "2025-03-29");
    ASSERT_TRUE(store_->set({"mawlid", 1447, 1}, actor));
    auto list = store_->list().value();
    ASSERT_EQ(list.size(), 2u);
    EXPECT_EQ(list[0], (StoredAdjustment{{"eid_al_fitr", 1446, -2}, std::nullopt, clock_.now_ms()}));
    EXPECT_EQ(list[1], (StoredAdjustment{{"mawlid", 1447, 1}, actor, clock_.now_ms()}));
    EXPECT_EQ(store_->calendar()->adjustments().size(), 2u);
}

TEST_P(HolidayStoreTest, ClearRestoresTheComputedDate) {
    ASSERT_TRUE(store_->set({"eid_al_fitr", 1446, 2}, std::nullopt));
    EXPECT_EQ(fitr_1446(), "2025-04-02");
    ASSERT_TRUE(store_->clear("eid_al_fitr", 1446));
    EXPECT_EQ(fitr_1446(), "2025-03-31");
    EXPECT_TRUE(store_->list().value().empty());
    auto again = store_->clear("eid_al_fitr", 1446);
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().code, "resource.not_found");
    EXPECT_EQ(again.error().status, 404);
    EXPECT_EQ(store_->clear("ramadan", 1446).error().code, "holiday.unknown");
    EXPECT_EQ(store_->clear("throne_day", 1446).error().code, "holiday.not_hijri");
}

TEST_P(HolidayStoreTest, InvalidAdjustmentsAreRefusedAndNothingIsStored) {
    const std::pair<Adjustment, std::string> cases[] = {
        {{"eid_al_fitr", 1446, 3}, "holiday.shift"},      {{"eid_al_fitr", 1446, -3}, "holiday.shift"},
        {{"eid", 1446, 1}, "holiday.unknown"},            {{"green_march", 1446, 1}, "holiday.not_hijri"},
        {{"mawlid", 1200, 1}, "holiday.hijri_year"},
    };
    for (const auto& [a, code] : cases) {
        auto r = store_->set(a, std::nullopt);
        ASSERT_FALSE(r) << code;
        EXPECT_EQ(r.error().code, code);
        EXPECT_EQ(r.error().status, 400);
    }
    EXPECT_TRUE(store_->list().value().empty());
    EXPECT_EQ(store_->holidays(1969).error().code, "holiday.year");
    EXPECT_EQ(store_->holidays(2201).error().code, "holiday.year");
}

TEST_P(HolidayStoreTest, TheDatabaseRefusesWhatTheCodeWouldRefuse) {
    // Defence in depth: the CHECK constraints hold even for a writer that skips validation.
    for (const char* sql : {"INSERT INTO holiday_adjustments VALUES ('eid_al_fitr', 1446, 3, NULL, 0)",
                            "INSERT INTO holiday_adjustments VALUES ('throne_day', 1446, 1, NULL, 0)",
                            "INSERT INTO holiday_adjustments VALUES ('mawlid', 1446, 1, 999999, 0)"}) {
        auto r = db_->write_tx([&](storage::Tx& tx) -> Status {
            auto n = tx.exec(sql);
            if (!n) return n.error();
            return {};
        });
        EXPECT_FALSE(r) << sql;
    }
    // An unknown actor is a foreign-key conflict through the store as well.
    auto r = store_->set({"mawlid", 1446, 1}, 999999);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "storage.conflict");
}

TEST_P(HolidayStoreTest, ChangesMadeElsewhereAreSeenAfterReload) {
    auto cal = store_->calendar();
    HolidayStore other(*db_, clock_);  // another server instance
    ASSERT_TRUE(other.set({"eid_al_adha", 1446, 1}, std::nullopt));
    EXPECT_EQ(store_->calendar(), cal);  // still cached
    ASSERT_TRUE(store_->reload());
    EXPECT_EQ(store_->calendar()->adjustments(), (std::vector<Adjustment>{{"eid_al_adha", 1446, 1}}));
    EXPECT_TRUE(store_->calendar()->is_working_day(sys_days(ymd(2025, 6, 6))));   // Friday
    EXPECT_FALSE(store_->calendar()->is_holiday(sys_days(ymd(2025, 6, 7))));
    EXPECT_TRUE(store_->calendar()->is_holiday(sys_days(ymd(2025, 6, 9))));
}

INSTANTIATE_TEST_SUITE_P(Backends, HolidayStoreTest, ::testing::ValuesIn(idara::testing::all_backends()),
                         idara::testing::backend_param_name);

}  // namespace
