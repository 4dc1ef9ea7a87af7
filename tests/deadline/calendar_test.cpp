// The holiday calendar: fixed and Hijri holidays (islamic-civil), years holding a holiday twice or
// straddling 31 December, adjustments and their validation, working days.
#include "dates.hpp"
#include "deadline/calendar.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

using namespace idara;
using namespace idara::deadline;
using namespace idara::deadline::test;
using std::chrono::sys_days;

namespace {

// "2024-04-10 eid_al_fitr 1445/1" (Hijri year / day of the holiday; "+1" when shifted) or "2024-01-01 new_year".
std::vector<std::string> describe(const std::vector<Holiday>& list) {
    std::vector<std::string> out;
    for (const auto& h : list) {
        std::string s = iso(h.date) + " " + h.code;
        if (h.hijri()) s += " " + std::to_string(h.hijri_year) + "/" + std::to_string(h.day);
        if (h.shift_days != 0) s += (h.shift_days > 0 ? " +" : " ") + std::to_string(h.shift_days);
        out.push_back(s);
    }
    return out;
}

std::vector<std::string> hijri_only(const std::vector<Holiday>& list) {
    std::vector<Holiday> h;
    for (const auto& x : list)
        if (x.hijri()) h.push_back(x);
    return describe(h);
}

std::vector<std::string> only(const std::string& code, const std::vector<Holiday>& list) {
    std::vector<Holiday> h;
    for (const auto& x : list)
        if (x.code == code) h.push_back(x);
    return describe(h);
}

std::shared_ptr<const HolidayCalendar> standard() { return HolidayCalendar::create().value(); }

std::shared_ptr<const HolidayCalendar> with(std::vector<Adjustment> a) {
    auto c = HolidayCalendar::create(std::move(a));
    EXPECT_TRUE(c) << (c ? "" : c.error().code);
    return c ? *c : standard();
}

TEST(HolidayCalendar, TheWholeOf2024) {
    EXPECT_EQ(describe(standard()->holidays(2024)),
              (std::vector<std::string>{
                  "2024-01-01 new_year", "2024-01-11 independence_manifesto", "2024-01-14 amazigh_new_year",
                  "2024-04-10 eid_al_fitr 1445/1", "2024-04-11 eid_al_fitr 1445/2", "2024-05-01 labour_day",
                  "2024-06-17 eid_al_adha 1445/1", "2024-06-18 eid_al_adha 1445/2", "2024-07-08 hijri_new_year 1446/1",
                  "2024-07-30 throne_day", "2024-08-14 oued_eddahab", "2024-08-20 revolution_king_people",
                  "2024-08-21 youth_day", "2024-09-16 mawlid 1446/1", "2024-09-17 mawlid 1446/2",
                  "2024-11-06 green_march", "2024-11-18 independence_day"}));
}

TEST(HolidayCalendar, FixedHolidaysEveryYearAndTheAmazighNewYearSince2024) {
    for (int y : {2023, 2026, 2031}) {
        std::vector<std::string> fixed;
        for (const auto& h : standard()->holidays(y))
            if (!h.hijri()) fixed.push_back(iso(h.date).substr(5) + " " + h.code);
        std::vector<std::string> expected{"01-01 new_year",        "01-11 independence_manifesto",
                                          "01-14 amazigh_new_year", "05-01 labour_day",
                                          "07-30 throne_day",       "08-14 oued_eddahab",
                                          "08-20 revolution_king_people", "08-21 youth_day",
                                          "11-06 green_march",      "11-18 independence_day"};
        if (y == 2023) expected.erase(expected.begin() + 2);
        EXPECT_EQ(fixed, expected) << y;
    }
}

TEST(HolidayCalendar, HijriHolidays2025To2027) {
    EXPECT_EQ(hijri_only(standard()->holidays(2025)),
              (std::vector<std::string>{"2025-03-31 eid_al_fitr 1446/1", "2025-04-01 eid_al_fitr 1446/2",
                                        "2025-06-07 eid_al_adha 1446/1", "2025-06-08 eid_al_adha 1446/2",
                                        "2025-06-27 hijri_new_year 1447/1", "2025-09-05 mawlid 1447/1",
                                        "2025-09-06 mawlid 1447/2"}));
    EXPECT_EQ(hijri_only(standard()->holidays(2026)),
              (std::vector<std::string>{"2026-03-20 eid_al_fitr 1447/1", "2026-03-21 eid_al_fitr 1447/2",
                                        "2026-05-27 eid_al_adha 1447/1", "2026-05-28 eid_al_adha 1447/2",
                                        "2026-06-17 hijri_new_year 1448/1", "2026-08-26 mawlid 1448/1",
                                        "2026-08-27 mawlid 1448/2"}));
    EXPECT_EQ(hijri_only(standard()->holidays(2027)),
              (std::vector<std::string>{"2027-03-10 eid_al_fitr 1448/1", "2027-03-11 eid_al_fitr 1448/2",
                                        "2027-05-17 eid_al_adha 1448/1", "2027-05-18 eid_al_adha 1448/2",
                                        "2027-06-06 hijri_new_year 1449/1", "2027-08-15 mawlid 1449/1",
                                        "2027-08-16 mawlid 1449/2"}));
}

TEST(HolidayCalendar, EidAlFitrTwiceIn2033) {
    std::vector<std::string> fitr;
    for (const auto& s : hijri_only(standard()->holidays(2033)))
        if (s.find("eid_al_fitr") != std::string::npos) fitr.push_back(s);
    EXPECT_EQ(fitr, (std::vector<std::string>{"2033-01-03 eid_al_fitr 1454/1", "2033-01-04 eid_al_fitr 1454/2",
                                              "2033-12-23 eid_al_fitr 1455/1", "2033-12-24 eid_al_fitr 1455/2"}));
    EXPECT_FALSE(standard()->is_working_day(sys_days(ymd(2033, 1, 3))));   // a Monday
    EXPECT_FALSE(standard()->is_working_day(sys_days(ymd(2033, 12, 23))));  // a Friday
}

TEST(HolidayCalendar, AHolidayStraddlingTheNewYear) {
    // Mawlid 1470 is computed on 2047-12-30/31; moved by one day, its second day is 1 January 2048.
    EXPECT_EQ(only("mawlid", standard()->holidays(2047)),
              (std::vector<std::string>{"2047-01-09 mawlid 1469/1", "2047-01-10 mawlid 1469/2",
                                        "2047-12-30 mawlid 1470/1", "2047-12-31 mawlid 1470/2"}));
    auto cal = with({{"mawlid", 1470, 1}});
    EXPECT_EQ(only("mawlid", cal->holidays(2047)).back(), "2047-12-31 mawlid 1470/1 +1");
    const auto y2048 = describe(cal->holidays(2048));
    ASSERT_GE(y2048.size(), 2u);
    EXPECT_EQ(y2048[0], "2048-01-01 new_year");
    EXPECT_EQ(y2048[1], "2048-01-01 mawlid 1470/2 +1");
    // Moved by two days, all of it is in 2048 and nothing is left in 2047.
    auto two = with({{"mawlid", 1470, 2}});
    EXPECT_EQ(only("mawlid", two->holidays(2047)).back(), "2047-01-10 mawlid 1469/2");
    EXPECT_EQ(only("mawlid", two->holidays(2048)).front(), "2048-01-01 mawlid 1470/1 +2");
}

TEST(HolidayCalendar, AdjustmentsMoveOneOccurrence) {
    const std::pair<int, std::vector<std::string>> cases[] = {
        {-2, {"2025-03-29 eid_al_fitr 1446/1 -2", "2025-03-30 eid_al_fitr 1446/2 -2"}},
        {-1, {"2025-03-30 eid_al_fitr 1446/1 -1", "2025-03-31 eid_al_fitr 1446/2 -1"}},
        {1, {"2025-04-01 eid_al_fitr 1446/1 +1", "2025-04-02 eid_al_fitr 1446/2 +1"}},
        {2, {"2025-04-02 eid_al_fitr 1446/1 +2", "2025-04-03 eid_al_fitr 1446/2 +2"}},
    };
    for (const auto& [shift, expected] : cases) {
        auto cal = with({{"eid_al_fitr", 1446, shift}});
        auto all = hijri_only(cal->holidays(2025));
        std::vector<std::string> fitr(all.begin(), all.begin() + 2);
        EXPECT_EQ(fitr, expected) << shift;
        // Other holidays and other years are untouched.
        EXPECT_EQ(all[2], "2025-06-07 eid_al_adha 1446/1");
        EXPECT_EQ(hijri_only(cal->holidays(2026)).front(), "2026-03-20 eid_al_fitr 1447/1");
    }
    auto late = with({{"eid_al_fitr", 1446, 1}});
    EXPECT_TRUE(late->is_working_day(sys_days(ymd(2025, 3, 31))));
    EXPECT_FALSE(late->is_working_day(sys_days(ymd(2025, 4, 2))));
    EXPECT_EQ(late->adjustments(), (std::vector<Adjustment>{{"eid_al_fitr", 1446, 1}}));
}

TEST(HolidayCalendar, InvalidAdjustmentsAreRefused) {
    auto code_of = [](std::vector<Adjustment> a) {
        auto c = HolidayCalendar::create(std::move(a));
        return c ? std::string("ok") : c.error().code + "/" + std::to_string(c.error().status);
    };
    EXPECT_EQ(code_of({{"eid_al_fitr", 1446, 3}}), "holiday.shift/400");
    EXPECT_EQ(code_of({{"eid_al_fitr", 1446, -3}}), "holiday.shift/400");
    EXPECT_EQ(code_of({{"eid_al_fitr", 1446, 2}, {"mawlid", 1447, -3}}), "holiday.shift/400");
    EXPECT_EQ(code_of({{"eid", 1446, 1}}), "holiday.unknown/400");
    EXPECT_EQ(code_of({{"", 1446, 1}}), "holiday.unknown/400");
    EXPECT_EQ(code_of({{"throne_day", 1446, 1}}), "holiday.not_hijri/400");
    EXPECT_EQ(code_of({{"mawlid", 1399, 1}}), "holiday.hijri_year/400");
    EXPECT_EQ(code_of({{"mawlid", 1601, 1}}), "holiday.hijri_year/400");
    EXPECT_EQ(code_of({{"mawlid", 1447, 1}, {"mawlid", 1447, -1}}), "holiday.duplicate/400");
    EXPECT_EQ(code_of({{"mawlid", 1447, 1}, {"mawlid", 1448, -1}, {"eid_al_adha", 1447, 0}}), "ok");
}

TEST(HolidayCalendar, WorkingDays) {
    auto cal = standard();
    EXPECT_TRUE(cal->is_working_day(sys_days(ymd(2025, 7, 29))));    // Tuesday
    EXPECT_FALSE(cal->is_working_day(sys_days(ymd(2025, 7, 30))));   // Wednesday, Throne Day
    EXPECT_FALSE(cal->is_working_day(sys_days(ymd(2025, 8, 2))));    // Saturday
    EXPECT_FALSE(cal->is_working_day(sys_days(ymd(2025, 8, 3))));    // Sunday
    EXPECT_FALSE(cal->is_working_day(sys_days(ymd(2025, 3, 31))));   // Monday, Eid al-Fitr
    EXPECT_TRUE(cal->is_holiday(sys_days(ymd(2025, 6, 7))));         // Saturday, Eid al-Adha
    EXPECT_FALSE(cal->is_holiday(sys_days(ymd(2025, 8, 2))));
    EXPECT_EQ(iso(cal->working_day_on_or_after(sys_days(ymd(2025, 3, 29)))), "2025-04-02");
    EXPECT_EQ(iso(cal->working_day_on_or_after(sys_days(ymd(2025, 8, 20)))), "2025-08-22");
    EXPECT_EQ(iso(cal->working_day_on_or_after(sys_days(ymd(2025, 8, 22)))), "2025-08-22");
}

TEST(HolidayCalendar, NamesComeFromTheCatalogue) {
    auto list = standard()->holidays(2025);
    ASSERT_FALSE(list.empty());
    EXPECT_EQ(list.front().name(i18n::Lang::fr), "Nouvel an");
    EXPECT_EQ(list.front().name(i18n::Lang::ar), "رأس السنة الميلادية");
    for (const auto& h : list) {
        EXPECT_NE(h.name(i18n::Lang::ar), holiday_name_key(h.code)) << h.code;
        EXPECT_NE(h.name(i18n::Lang::fr), holiday_name_key(h.code)) << h.code;
    }
}

TEST(HolidayCalendar, SharedBetweenThreads) {
    auto cal = with({{"eid_al_adha", 1447, 1}});
    std::vector<std::thread> threads;
    std::atomic<int> wrong{0};
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&, t] {
            for (int y = 2020; y < 2060; ++y) {
                const auto list = cal->holidays(y + (t % 2));
                if (list.size() < 10) ++wrong;
            }
            if (cal->is_holiday(sys_days(ymd(2026, 5, 27))) || !cal->is_holiday(sys_days(ymd(2026, 5, 29)))) ++wrong;
        });
    for (auto& t : threads) t.join();
    EXPECT_EQ(wrong.load(), 0);
}

}  // namespace
