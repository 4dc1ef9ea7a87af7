// The query parser and the expressions it builds (no database).
#include "search/query_text.hpp"

#include <gtest/gtest.h>
#include <gmock/gmock.h>

using namespace idara::search;
using ::testing::ElementsAre;

namespace {

TEST(QueryText, WordsAreNormalizedAndSplit) {
    auto q = parse_query("  Bَوَابَة-مَكْتَب \"NEAR\"(ÉCOLE) ");
    ASSERT_TRUE(q);
    EXPECT_THAT(q->words, ElementsAre("bوابه", "مكتب", "near", "ecole"));
    EXPECT_TRUE(q->last_is_prefix);
    EXPECT_EQ(fts5_match(*q), "\"bوابه\" \"مكتب\" \"near\" \"ecole\"*");
    EXPECT_EQ(pg_tsquery(*q), "'bوابه' & 'مكتب' & 'near' & 'ecole':*");
}

TEST(QueryText, BlankIsFiltersOnly) {
    auto q = parse_query(" \t ");
    ASSERT_TRUE(q);
    EXPECT_TRUE(q->empty());
}

TEST(QueryText, ShortLastWordIsNotAPrefix) {
    auto q = parse_query("rue a");
    ASSERT_TRUE(q);
    EXPECT_FALSE(q->last_is_prefix);
    EXPECT_EQ(fts5_match(*q), "\"rue\" \"a\"");
}

TEST(QueryText, NothingSearchableOrTooLong) {
    EXPECT_EQ(parse_query("*\"()-:^").error().code, "search.query");
    EXPECT_EQ(parse_query(std::string(201, 'x')).error().code, "search.query");
    EXPECT_TRUE(parse_query(std::string(200, 'x')));
}

TEST(QueryText, AtMostSixteenWords) {
    std::string t;
    for (int i = 0; i < 30; ++i) t += "w" + std::to_string(i) + " ";
    EXPECT_EQ(parse_query(t)->words.size(), kMaxQueryWords);
}

TEST(QueryText, InvalidUtf8IsHarmless) {
    auto q = parse_query("ab\xff\xfe cd");
    ASSERT_TRUE(q);
    EXPECT_THAT(q->words, ElementsAre("ab", "cd"));
}

TEST(QueryText, SnippetAroundTheFirstMatch) {
    std::string doc;
    for (int i = 0; i < 40; ++i) doc += "mot" + std::to_string(i) + " ";
    doc += "attestation administrative\nsuite";
    auto q = parse_query("attest");
    const auto s = snippet(doc, *q, 8);
    EXPECT_EQ(s, "… mot38 mot39 attestation administrative suite");
    EXPECT_EQ(snippet("a b c", *parse_query("zzz"), 2), "a b …");
}

}  // namespace
