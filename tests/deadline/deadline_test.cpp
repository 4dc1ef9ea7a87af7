// Due dates under Law 55-19: working and calendar days across weekends, the Throne Day and Eid, the last
// day on a holiday, the Casablanca day boundary, pause/resume for the missing-documents request, and the
// list helpers (days left, due soon).
#include "dates.hpp"
#include "deadline/casablanca_day.hpp"
#include "deadline/deadline.hpp"

#include "core/dates.hpp"
#include <gtest/gtest.h>

using namespace idara;
using namespace idara::deadline;
using namespace idara::deadline::test;
using std::chrono::sys_days;

namespace {

const Rule kWorking10{10, true};
const Rule kCalendar30{30, false};

std::shared_ptr<const HolidayCalendar> cal() {
    static const auto c = HolidayCalendar::create().value();
    return c;
}

std::string due(const Rule& r, std::chrono::year_month_day deposit) { return iso(due_date(*cal(), r, deposit)); }

TEST(CasablancaDay, OffsetsFromIcu) {
    // Summer: UTC+1, so 23:30 UTC is already the next day.
    EXPECT_EQ(iso(casablanca_day(utc_ms(2025, 7, 10, 23, 30))), "2025-07-11");
    EXPECT_EQ(iso(casablanca_day(utc_ms(2025, 7, 10, 22, 59))), "2025-07-10");
    // Ramadan 2025: UTC+0.
    EXPECT_EQ(iso(casablanca_day(utc_ms(2025, 3, 10, 23, 30))), "2025-03-10");
    EXPECT_EQ(i18n::iso_utc_ms(end_of_casablanca_day_ms(sys_days(ymd(2025, 7, 11)))), "2025-07-11T22:59:59.999Z");
    EXPECT_EQ(i18n::iso_utc_ms(end_of_casablanca_day_ms(sys_days(ymd(2025, 3, 10)))), "2025-03-10T23:59:59.999Z");
}

TEST(CasablancaDay, StartOfDayAndCivilDatesAsTyped) {
    EXPECT_EQ(i18n::iso_utc_ms(start_of_casablanca_day_ms(sys_days(ymd(2025, 7, 11)))), "2025-07-10T23:00:00.000Z");
    EXPECT_EQ(i18n::iso_utc_ms(start_of_casablanca_day_ms(sys_days(ymd(2025, 3, 10)))), "2025-03-10T00:00:00.000Z");
    EXPECT_EQ(parse_civil_date("2026-05-14"), sys_days(ymd(2026, 5, 14)));
    EXPECT_EQ(parse_civil_date("2028-02-29"), sys_days(ymd(2028, 2, 29)));
    for (const char* bad : {"2026-02-30", "2026-13-01", "2026-00-10", "2026-5-14", "2026/05/14", "-123-01-01",
                            "2026-05-1x", "2026-05-14 ", "", "20260514"})
        EXPECT_FALSE(parse_civil_date(bad)) << bad;
}

TEST(DueDate, WorkingDaysAcrossAWeekend) {
    // Friday 4 July 2025 + 5 working days: Mon 7 .. Fri 11.
    EXPECT_EQ(due({5, true}, ymd(2025, 7, 4)), "2025-07-11");
    EXPECT_EQ(due({1, true}, ymd(2025, 7, 4)), "2025-07-07");
    EXPECT_EQ(due({10, true}, ymd(2025, 7, 7)), "2025-07-21");
}

TEST(DueDate, WorkingDaysAcrossTheThroneDay) {
    // Monday 28 July 2025 + 3: Tue 29, (Wed 30 Throne Day), Thu 31, Fri 1 August.
    EXPECT_EQ(due({3, true}, ymd(2025, 7, 28)), "2025-08-01");
    // ... and the days of August 14, 20, 21 (Thursday, Wednesday, Thursday).
    EXPECT_EQ(due({10, true}, ymd(2025, 8, 8)), "2025-08-27");
}

TEST(DueDate, WorkingDaysAcrossEid) {
    // Thursday 27 March 2025 + 3: Fri 28, (Sat, Sun, Eid al-Fitr Mon 31 and Tue 1), Wed 2, Thu 3 April.
    EXPECT_EQ(due({3, true}, ymd(2025, 3, 27)), "2025-04-03");
    // Eid adjusted one day earlier (Sunday 30 and Monday 31): Tuesday 1 April counts, so Wednesday 2.
    auto early = HolidayCalendar::create({{"eid_al_fitr", 1446, -1}}).value();
    EXPECT_EQ(iso(due_date(*early, {3, true}, ymd(2025, 3, 27))), "2025-04-02");
}

TEST(DueDate, CalendarDays) {
    // 30 days from Monday 1 September 2025: Wednesday 1 October.
    EXPECT_EQ(due(kCalendar30, ymd(2025, 9, 1)), "2025-10-01");
    // 60 days from Tuesday 1 July 2025 end on Saturday 30 August: moved to Monday 1 September.
    EXPECT_EQ(due({60, false}, ymd(2025, 7, 1)), "2025-09-01");
    // Holidays inside the period do not count against it.
    EXPECT_EQ(due({10, false}, ymd(2025, 7, 25)), "2025-08-04");
}

TEST(DueDate, CalendarDaysEndingOnAHoliday) {
    // The 30th day is Wednesday 30 July 2025, the Throne Day: Thursday 31.
    EXPECT_EQ(due(kCalendar30, ymd(2025, 6, 30)), "2025-07-31");
    // The 30th day is Friday 20 March 2026, Eid al-Fitr (Fri-Sat), then Sunday: Monday 23.
    EXPECT_EQ(due(kCalendar30, ymd(2026, 2, 18)), "2026-03-23");
    // The 3rd day is Saturday 29 March 2025; Sunday, then Eid on Monday and Tuesday: Wednesday 2 April.
    EXPECT_EQ(due({3, false}, ymd(2025, 3, 26)), "2025-04-02");
}

TEST(DueDate, TheInstantIsTheEndOfTheDueDayInCasablanca) {
    // Deposited on Thursday 10 July 2025 at 23:30 UTC, i.e. 00:30 on Friday 11 in Casablanca: counting
    // starts on Monday 14; 5 working days end on Friday 18 at 23:59:59.999 local (22:59:59.999 UTC).
    EXPECT_EQ(i18n::iso_utc_ms(due_instant(*cal(), {5, true}, utc_ms(2025, 7, 10, 23, 30))), "2025-07-18T22:59:59.999Z");
    EXPECT_EQ(i18n::iso_utc_ms(due_instant(*cal(), {5, true}, utc_ms(2025, 7, 10, 22, 30))), "2025-07-17T22:59:59.999Z");
    auto d = compute_deadline(*cal(), {5, true}, utc_ms(2025, 7, 10, 22, 30));
    EXPECT_FALSE(d.paused);
    EXPECT_EQ(d.consumed_days, 0);
    EXPECT_EQ(d.remaining_days, 5);
    EXPECT_EQ(iso(*d.due_date), "2025-07-17");
    EXPECT_EQ(*d.due_ms, due_instant(*cal(), {5, true}, utc_ms(2025, 7, 10, 22, 30)));
}

TEST(DueDate, DaysAreClamped) {
    EXPECT_EQ(due({0, true}, ymd(2025, 7, 4)), "2025-07-07");
    EXPECT_EQ(due({-5, false}, ymd(2025, 9, 1)), "2025-09-02");
}

TEST(Pause, WhilePendingThereIsNoDueDate) {
    // Deposit Monday 7 July 2025, request Thursday 10: Tue, Wed, Thu consumed.
    auto d = compute_deadline(*cal(), kWorking10, utc_ms(2025, 7, 7), MissingDocuments{utc_ms(2025, 7, 10), {}});
    EXPECT_TRUE(d.paused);
    EXPECT_EQ(d.consumed_days, 3);
    EXPECT_EQ(d.remaining_days, 7);
    EXPECT_FALSE(d.due_date);
    EXPECT_FALSE(d.due_ms);
}

TEST(Pause, ResumesTheDayAfterCompletionWithTheRemainingDays) {
    // Completed Monday 21 July: 7 working days from Tue 22 skip the Throne Day: Thursday 31.
    auto d = compute_deadline(*cal(), kWorking10, utc_ms(2025, 7, 7),
                              MissingDocuments{utc_ms(2025, 7, 10), utc_ms(2025, 7, 21, 15, 0)});
    EXPECT_FALSE(d.paused);
    EXPECT_EQ(d.consumed_days, 3);
    EXPECT_EQ(d.remaining_days, 7);
    EXPECT_EQ(iso(*d.due_date), "2025-07-31");
    EXPECT_EQ(i18n::iso_utc_ms(*d.due_ms), "2025-07-31T22:59:59.999Z");
}

TEST(Pause, CalendarDaysResumeWithTheMoveToAWorkingDay) {
    // 30 calendar days from Mon 1 Sep 2025; request Thu 11 (10 consumed); completed Mon 15: 20 days end on
    // Sunday 5 October, moved to Monday 6.
    auto d = compute_deadline(*cal(), kCalendar30, utc_ms(2025, 9, 1),
                              MissingDocuments{utc_ms(2025, 9, 11), utc_ms(2025, 9, 15)});
    EXPECT_EQ(d.consumed_days, 10);
    EXPECT_EQ(d.remaining_days, 20);
    EXPECT_EQ(iso(*d.due_date), "2025-10-06");
}

TEST(Pause, ARequestOnTheDepositDayConsumesNothing) {
    auto d = compute_deadline(*cal(), kWorking10, utc_ms(2025, 7, 7, 9, 0),
                              MissingDocuments{utc_ms(2025, 7, 7, 15, 0), utc_ms(2025, 7, 7, 16, 0)});
    EXPECT_EQ(d.consumed_days, 0);
    EXPECT_EQ(d.remaining_days, 10);
    EXPECT_EQ(iso(*d.due_date), "2025-07-21");  // as if there had been no request
}

TEST(Pause, ARequestOnOrAfterTheLastDayLeavesOneDay) {
    // The due date without a request is Monday 21 July.
    for (auto requested : {utc_ms(2025, 7, 21), utc_ms(2025, 7, 25)}) {
        auto d = compute_deadline(*cal(), kWorking10, utc_ms(2025, 7, 7),
                                  MissingDocuments{requested, utc_ms(2025, 7, 28)});
        EXPECT_EQ(d.remaining_days, 1);
        EXPECT_EQ(iso(*d.due_date), "2025-07-29");  // Tuesday (Wednesday 30 would be the Throne Day)
    }
    auto late = compute_deadline(*cal(), kWorking10, utc_ms(2025, 7, 7), MissingDocuments{utc_ms(2025, 7, 25), {}});
    EXPECT_EQ(late.consumed_days, 14);
    EXPECT_EQ(late.remaining_days, 1);
    // Calendar days: 60 days from 1 July 2025 end on Saturday 30 August, due Monday 1 September.
    // A request on Sunday 31 August (61 days consumed) completed the same day: one day, Monday 1 September.
    auto cd = compute_deadline(*cal(), {60, false}, utc_ms(2025, 7, 1),
                               MissingDocuments{utc_ms(2025, 8, 31), utc_ms(2025, 8, 31, 18, 0)});
    EXPECT_EQ(cd.consumed_days, 61);
    EXPECT_EQ(cd.remaining_days, 1);
    EXPECT_EQ(iso(*cd.due_date), "2025-09-01");
}

TEST(Pause, ARequestOnAHolidayConsumesNoWorkingDay) {
    // Deposit Monday 28 July 2025, request on the Throne Day (Wed 30): only Tuesday consumed.
    auto d = compute_deadline(*cal(), kWorking10, utc_ms(2025, 7, 28), MissingDocuments{utc_ms(2025, 7, 30), {}});
    EXPECT_EQ(d.consumed_days, 1);
    EXPECT_EQ(d.remaining_days, 9);
}

TEST(Pause, DatesOutOfOrderAreClamped) {
    // A completion stamped before the request counts from the request date (Thu 10 July → Fri 11 ..).
    auto d = compute_deadline(*cal(), kWorking10, utc_ms(2025, 7, 7),
                              MissingDocuments{utc_ms(2025, 7, 10), utc_ms(2025, 7, 8)});
    EXPECT_EQ(iso(*d.due_date), "2025-07-21");
    // A request stamped before the deposit consumes nothing.
    auto e = compute_deadline(*cal(), kWorking10, utc_ms(2025, 7, 7), MissingDocuments{utc_ms(2025, 7, 1), {}});
    EXPECT_EQ(e.consumed_days, 0);
    EXPECT_EQ(e.remaining_days, 10);
}

TEST(Lists, DaysLeft) {
    const std::int64_t due_ms = end_of_casablanca_day_ms(sys_days(ymd(2025, 8, 1)));  // Friday
    const Rule w{10, true}, c{10, false};
    EXPECT_EQ(days_left(*cal(), w, utc_ms(2025, 7, 28), due_ms), 3);  // Tue 29, Thu 31, Fri 1
    EXPECT_EQ(days_left(*cal(), c, utc_ms(2025, 7, 28), due_ms), 4);
    EXPECT_EQ(days_left(*cal(), w, utc_ms(2025, 8, 1, 21, 0), due_ms), 0);  // due today
    EXPECT_EQ(days_left(*cal(), w, utc_ms(2025, 8, 2), due_ms), -1);        // Saturday: overdue, no day counted
    EXPECT_EQ(days_left(*cal(), w, utc_ms(2025, 8, 4), due_ms), -1);
    EXPECT_EQ(days_left(*cal(), w, utc_ms(2025, 8, 5), due_ms), -2);
    EXPECT_EQ(days_left(*cal(), c, utc_ms(2025, 8, 5), due_ms), -4);
    // One millisecond after the end of the due day (Friday 23:59:59.999 local) is overdue.
    EXPECT_EQ(days_left(*cal(), w, due_ms + 1, due_ms), -1);
}

TEST(Lists, DueSoon) {
    const auto end_of = [](int y, unsigned m, unsigned d) { return end_of_casablanca_day_ms(sys_days(ymd(y, m, d))); };
    const std::int64_t now = utc_ms(2025, 7, 28);  // Monday
    // Two working days from Monday 28 July: Tue 29, (Throne Day), Thu 31.
    EXPECT_EQ(due_soon_limit(*cal(), now, 2), end_of(2025, 7, 31));
    EXPECT_EQ(due_soon_limit(*cal(), now, 0), end_of(2025, 7, 28));
    EXPECT_TRUE(due_soon(*cal(), now, end_of(2025, 7, 28), 2));
    EXPECT_TRUE(due_soon(*cal(), now, end_of(2025, 7, 31), 2));
    EXPECT_FALSE(due_soon(*cal(), now, end_of(2025, 8, 1), 2));
    EXPECT_FALSE(due_soon(*cal(), now, end_of(2025, 7, 25), 2));  // overdue is not "due soon"
    EXPECT_TRUE(due_soon(*cal(), now, end_of(2025, 8, 1), 3));
}

}  // namespace
