#include "core/i18n.hpp"

#include <gtest/gtest.h>

using namespace idara::i18n;

TEST(I18n, BothLanguagesHaveTheSameKeys) {
    const auto& c = catalogue();
    EXPECT_EQ(c.keys(Lang::ar), c.keys(Lang::fr));
    EXPECT_FALSE(c.keys(Lang::ar).empty());
}

TEST(I18n, NoEmptyMessages) {
    const auto& c = catalogue();
    for (auto l : kAllLangs)
        for (const auto& [k, v] : c.table(l)) EXPECT_FALSE(v.empty()) << k;
}

TEST(I18n, ArabicMessagesAreArabic) {
    // Every Arabic message contains at least one Arabic letter (U+0600..U+06FF: UTF-8 lead 0xD8..0xDB).
    for (const auto& [k, v] : catalogue().table(Lang::ar)) {
        bool arabic = false;
        for (unsigned char ch : v) arabic |= (ch >= 0xD8 && ch <= 0xDB);
        EXPECT_TRUE(arabic) << k;
    }
}

TEST(I18n, ParseLang) {
    EXPECT_EQ(parse_lang("ar"), Lang::ar);
    EXPECT_EQ(parse_lang("FR"), Lang::fr);
    EXPECT_FALSE(parse_lang("en"));
    EXPECT_FALSE(parse_lang(""));
    EXPECT_EQ(dir(Lang::ar), "rtl");
    EXPECT_EQ(dir(Lang::fr), "ltr");
}

TEST(I18n, MissingKeyRendersAsKey) {
    EXPECT_EQ(catalogue().get(Lang::fr, "no.such.key"), "no.such.key");
}

TEST(I18n, FormatReplacesPlaceholders) {
    auto c = Catalogue::parse(R"({"k":"{n} / {m} / {n}"})", R"({"k":"x"})");
    ASSERT_TRUE(c);
    EXPECT_EQ(c->format(Lang::ar, "k", {{"n", "1"}, {"m", "{n}"}}), "1 / {n} / 1");
}

TEST(I18n, ParseRejectsBadCatalogues) {
    EXPECT_FALSE(Catalogue::parse("[1]", "{}"));
    EXPECT_FALSE(Catalogue::parse(R"({"a":1})", "{}"));
    EXPECT_FALSE(Catalogue::parse("{", "{}"));
}
