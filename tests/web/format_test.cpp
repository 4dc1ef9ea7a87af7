// Bidi isolation and dates for people (Africa/Casablanca, ar-MA / fr-MA).
#include "web/format.hpp"

#include <gtest/gtest.h>

using namespace idara;
using namespace idara::web;
using namespace std::chrono;

TEST(Format, BdiWrapsAndEscapes) {
    EXPECT_EQ(bdi_ltr("2024-05-14"), R"(<bdi dir="ltr">2024-05-14</bdi>)");
    EXPECT_EQ(bdi_ltr("REF/<1>"), R"(<bdi dir="ltr">REF/&lt;1&gt;</bdi>)");
    EXPECT_EQ(bdi_auto("Dupont & fils"), "<bdi>Dupont &amp; fils</bdi>");
}

TEST(Format, DatesUseWesternDigitsAndMoroccanMonths) {
    // 2025-07-15 23:30 UTC is already 16 July in Casablanca (UTC+1 outside Ramadan).
    sys_seconds t = sys_days{year{2025} / July / 15} + hours{23} + minutes{30};
    EXPECT_EQ(format_date(t, i18n::Lang::fr), "16 juillet 2025");
    std::string ar = format_date(t, i18n::Lang::ar);
    EXPECT_NE(ar.find("16"), std::string::npos) << ar;
    EXPECT_NE(ar.find("2025"), std::string::npos) << ar;
    EXPECT_NE(ar.find("يوليوز"), std::string::npos) << ar;
    EXPECT_EQ(ar.find("\xd9\xa1"), std::string::npos) << "no Arabic-Indic digits: " << ar;
}

TEST(Format, DateTimeInCasablanca) {
    sys_seconds t = sys_days{year{2025} / January / 10} + hours{13} + minutes{5};
    std::string fr = format_date_time(t, i18n::Lang::fr);
    EXPECT_NE(fr.find("10 janvier 2025"), std::string::npos) << fr;
    EXPECT_NE(fr.find("14:05"), std::string::npos) << fr;
    std::string ar = format_date_time(t, i18n::Lang::ar);
    EXPECT_NE(ar.find("14:05"), std::string::npos) << ar;
}
