// Search normalisation: vowelled and plain Arabic, hamza forms, tatweel, French case and accents.
#include "core/text_normalize.hpp"

#include <gtest/gtest.h>

using idara::text::normalize_search;
using idara::text::search_matches;

TEST(TextNormalize, VowelledAndPlainArabicAreEqual) {
    EXPECT_EQ(normalize_search("بَوَابَة مَكْتَب الضَبْطِ الرَّقْمِي"), normalize_search("بوابة مكتب الضبط الرقمي"));
    EXPECT_EQ(normalize_search("مُحَمَّدٌ"), "محمد");
    EXPECT_EQ(normalize_search("وِزَارَةُ"), "وزاره");
}

TEST(TextNormalize, HamzaFormsAlefMaqsuraTehMarbutaTatweel) {
    EXPECT_EQ(normalize_search("أحمد"), "احمد");
    EXPECT_EQ(normalize_search("إدارة"), "اداره");
    EXPECT_EQ(normalize_search("آمنة"), "امنه");
    EXPECT_EQ(normalize_search("ٱلرحمن"), "الرحمن");
    EXPECT_EQ(normalize_search("مستشفى"), "مستشفي");
    EXPECT_EQ(normalize_search("الرحمـــن"), "الرحمن");
    EXPECT_EQ(normalize_search("هٰذا"), "هذا");
    // Presentation forms (NFKC): ﻻ is lam + alef.
    EXPECT_EQ(normalize_search("\uFEFB"), "لا");
    // Different letters stay different.
    EXPECT_NE(normalize_search("ر"), normalize_search("ز"));
}

TEST(TextNormalize, FrenchCaseFoldingKeepsAccentsUnlessAsked) {
    EXPECT_EQ(normalize_search("ÉCONOMIE"), "économie");
    EXPECT_EQ(normalize_search("Ministère"), "ministère");
    EXPECT_EQ(normalize_search("Straße"), "strasse");
    EXPECT_NE(normalize_search("économie"), normalize_search("economie"));
    EXPECT_EQ(normalize_search("ÉCONOMIE", true), "economie");
    EXPECT_EQ(normalize_search("Préscolaire", true), "prescolaire");
    EXPECT_EQ(normalize_search("ﬁnances"), "finances");  // NFKC ligature
}

TEST(TextNormalize, InvalidUtf8DoesNotThrow) {
    EXPECT_NO_THROW(normalize_search(std::string("a\xff\xfe b")));
    EXPECT_EQ(normalize_search(""), "");
}

TEST(TextNormalize, SearchMatches) {
    EXPECT_TRUE(search_matches("وزارة الاقتصاد والمالية", "الإقتصاد"));
    EXPECT_TRUE(search_matches("وزارة الاقتصاد والمالية", "وَزَارَة"));
    EXPECT_TRUE(search_matches("Ministère de l'Économie et des Finances", "economie"));
    EXPECT_TRUE(search_matches("Ministère de l'Économie et des Finances", "  FINANCES "));
    EXPECT_TRUE(search_matches("anything", ""));
    EXPECT_TRUE(search_matches("anything", "   "));
    EXPECT_FALSE(search_matches("Ministère de l'Économie et des Finances", "éducation"));
    EXPECT_FALSE(search_matches("وزارة الاقتصاد والمالية", "التربية"));
}
