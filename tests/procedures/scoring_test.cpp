// Scored questionnaires (procedures/scoring.hpp) on sme-digital-maturity v2: the points per
// dimension, the percentages to the nearest whole percent, the level reached (boundaries exactly
// at from_percent), the advice below advice_below, unanswered fields; and the `scoring` sections
// the parser refuses, each with its line and reason.
#include "portal_fixture.hpp"
#include "procedures/procedure.hpp"
#include "procedures/scoring.hpp"
#include "refusal.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>

namespace idara::procedures {
namespace {

using testing::line_of;
using testing::refused;
using testing::replace_once;

std::string v2_text() { return testing::source_file("procedures/sme-digital-maturity/v2.json"); }

Procedure v2(const std::string& text = v2_text()) {
    auto p = parse_procedure(text, "v2.json");
    EXPECT_TRUE(p.has_value()) << p.error().detail;
    return p.has_value() ? std::move(*p) : Procedure{};
}

// The scored fields in file order, and answers giving each the same value.
const std::vector<std::string> kScored{"strategy_vision",  "strategy_budget", "processes_digital", "processes_admin",
                                       "data_collection",  "data_use",        "skills_training",   "skills_roles",
                                       "cybersecurity",    "customer_channels"};

boost::json::object answers(const std::map<std::string, std::string>& values) {
    boost::json::object o;
    o["company_name"] = "Atlas Numérique SARL";
    o["ice"] = "001234567000089";
    for (const auto& [k, v] : values) o[k] = v;
    return o;
}
boost::json::object all(const std::string& v) {
    std::map<std::string, std::string> m;
    for (const auto& f : kScored) m[f] = v;
    return answers(m);
}

const DimensionScore& dim(const ScoreReport& r, const std::string& id) {
    const auto it = std::find_if(r.dimensions.begin(), r.dimensions.end(), [&](const auto& d) { return d.id == id; });
    if (it == r.dimensions.end()) throw std::runtime_error("no dimension " + id);
    return *it;
}

TEST(Scoring, TheFileHasSixDimensionsAndFourLevels) {
    const auto p = v2();
    ASSERT_TRUE(p.scoring.has_value());
    EXPECT_EQ(p.version, 2);
    std::vector<std::string> ids;
    for (const auto& d : p.scoring->dimensions) ids.push_back(d.id);
    EXPECT_EQ(ids, (std::vector<std::string>{"strategy", "processes", "data", "skills", "cybersecurity", "customers"}));
    ASSERT_EQ(p.scoring->levels.size(), 4u);
    for (std::size_t i = 0; i < 4; ++i) {
        EXPECT_EQ(p.scoring->levels[i].from_percent, static_cast<int>(25 * i));
        EXPECT_FALSE(p.scoring->levels[i].title.ar.empty());
        EXPECT_FALSE(p.scoring->levels[i].summary.fr.empty());
    }
    for (const auto& d : p.scoring->dimensions) {
        EXPECT_FALSE(d.advice.ar.empty()) << d.id;
        EXPECT_FALSE(d.advice.fr.empty()) << d.id;
    }
}

TEST(Scoring, AllZerosIsTheFirstLevelWithEveryAdvice) {
    const auto r = score(v2(), all("0"));
    ASSERT_TRUE(r.has_value()) << r.error().detail;
    EXPECT_EQ(r->points, 0);
    EXPECT_EQ(r->max, 30);
    EXPECT_EQ(r->percent, 0);
    EXPECT_EQ(r->level.from_percent, 0);
    EXPECT_EQ(r->level.title.fr, "Débutant");
    ASSERT_EQ(r->dimensions.size(), 6u);
    for (const auto& d : r->dimensions) {
        EXPECT_EQ(d.percent, 0) << d.id;
        EXPECT_TRUE(d.advised) << d.id;
        EXPECT_FALSE(d.advice.fr.empty()) << d.id;
    }
}

TEST(Scoring, AllMaxIsTheLastLevelWithoutAdvice) {
    const auto r = score(v2(), all("3"));
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->points, 30);
    EXPECT_EQ(r->percent, 100);
    EXPECT_EQ(r->level.from_percent, 75);
    EXPECT_EQ(r->level.title.fr, "Leader numérique");
    for (const auto& d : r->dimensions) {
        EXPECT_EQ(d.percent, 100) << d.id;
        EXPECT_EQ(d.points, d.max) << d.id;
        EXPECT_FALSE(d.advised) << d.id;
    }
    EXPECT_EQ(dim(*r, "strategy").max, 6);
    EXPECT_EQ(dim(*r, "cybersecurity").max, 3);
}

TEST(Scoring, MixedAnswersRoundToTheNearestPercent) {
    const auto r = score(v2(), answers({{"strategy_vision", "3"}, {"strategy_budget", "1"},     // 4/6 = 66.7
                                        {"processes_digital", "2"}, {"processes_admin", "0"},   // 2/6 = 33.3
                                        {"data_collection", "1"}, {"data_use", "0"},            // 1/6 = 16.7
                                        {"skills_training", "3"}, {"skills_roles", "2"},        // 5/6 = 83.3
                                        {"cybersecurity", "1"},                                 // 1/3 = 33.3
                                        {"customer_channels", "2"}}));                          // 2/3 = 66.7
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(dim(*r, "strategy").points, 4);
    EXPECT_EQ(dim(*r, "strategy").percent, 67);
    EXPECT_EQ(dim(*r, "processes").percent, 33);
    EXPECT_EQ(dim(*r, "data").percent, 17);
    EXPECT_EQ(dim(*r, "skills").percent, 83);
    EXPECT_EQ(dim(*r, "cybersecurity").percent, 33);
    EXPECT_EQ(dim(*r, "customers").percent, 67);
    // 15/30: exactly at the third level's from_percent.
    EXPECT_EQ(r->points, 15);
    EXPECT_EQ(r->percent, 50);
    EXPECT_EQ(r->level.from_percent, 50);
    EXPECT_EQ(r->level.title.fr, "Avancé");
    // advice_below 67: 67 % is not below it, 33 % is.
    EXPECT_FALSE(dim(*r, "strategy").advised);
    EXPECT_FALSE(dim(*r, "customers").advised);
    EXPECT_TRUE(dim(*r, "processes").advised);
    EXPECT_TRUE(dim(*r, "data").advised);
    EXPECT_EQ(dim(*r, "data").advice.fr, v2().scoring->dimensions[2].advice.fr);
}

TEST(Scoring, LevelBoundaries) {
    // 14/30 = 46.7 -> 47 %: still the second level; 7/30 = 23.3 -> 23 %: the first.
    auto m = all("1");
    m["strategy_vision"] = "2";
    m["strategy_budget"] = "2";
    m["data_use"] = "2";
    m["skills_roles"] = "2";
    auto r = score(v2(), m);
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->points, 14);
    EXPECT_EQ(r->percent, 47);
    EXPECT_EQ(r->level.from_percent, 25);
    r = score(v2(), answers({{"strategy_vision", "3"}, {"strategy_budget", "3"}, {"processes_digital", "1"}}));
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->percent, 23);
    EXPECT_EQ(r->level.from_percent, 0);
    // Levels moved to start at 23 and 47: a percentage exactly at from_percent reaches the level.
    auto t = replace_once(v2_text(), "\"from_percent\": 25,", "\"from_percent\": 23,");
    t = replace_once(t, "\"from_percent\": 50,", "\"from_percent\": 47,");
    const auto moved = v2(t);
    EXPECT_EQ(score(moved, answers({{"strategy_vision", "3"}, {"strategy_budget", "3"}, {"processes_digital", "1"}}))
                  ->level.from_percent,
              23);
    EXPECT_EQ(score(moved, m)->level.from_percent, 47);
    // 23/30 = 76.7 %: the last level.
    auto high = all("3");
    for (const char* f : {"strategy_vision", "data_use", "skills_roles", "processes_admin", "cybersecurity", "data_collection",
                          "skills_training"})
        high[f] = "2";
    r = score(v2(), high);
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->points, 23);
    EXPECT_EQ(r->percent, 77);
    EXPECT_EQ(r->level.from_percent, 75);
}

TEST(Scoring, AdviceExactlyAtAdviceBelowIsNotGiven) {
    const auto p = v2(replace_once(v2_text(), "\"advice_below\": 67", "\"advice_below\": 50"));
    EXPECT_EQ(p.scoring->advice_below, 50);
    // processes 3/6 = 50 %: not below; data 2/6 = 33 %: below.
    auto r = score(p, answers({{"processes_digital", "3"}, {"processes_admin", "0"}, {"data_collection", "2"}}));
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(dim(*r, "processes").percent, 50);
    EXPECT_FALSE(dim(*r, "processes").advised);
    EXPECT_EQ(dim(*r, "data").percent, 33);
    EXPECT_TRUE(dim(*r, "data").advised);
}

TEST(Scoring, AnUnansweredScoredFieldCountsZero) {
    auto a = all("3");
    a.erase("strategy_budget");
    a["cybersecurity"] = "";  // an empty answer, not an option
    const auto r = score(v2(), a);
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(dim(*r, "strategy").points, 3);
    EXPECT_EQ(dim(*r, "strategy").max, 6);
    EXPECT_EQ(dim(*r, "strategy").percent, 50);
    EXPECT_EQ(dim(*r, "cybersecurity").percent, 0);
    EXPECT_EQ(r->points, 24);
    EXPECT_EQ(r->percent, 80);
}

TEST(Scoring, AProcedureWithoutScoringIsAnInternalError) {
    auto p = parse_procedure(testing::reference_procedure(), "v1.json");
    ASSERT_TRUE(p.has_value());
    const auto r = score(*p, {});
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, "internal");
    EXPECT_EQ(r.error().status, 500);
}

// ---- refusals

// The scoring section's dimension of the strategy and of the customers (the steps name the same
// fields without the trailing comma).
constexpr const char* kStrategyFields = R"("fields": ["strategy_vision", "strategy_budget"],)";
constexpr const char* kCustomerFields = R"("fields": ["customer_channels"],)";

TEST(ScoringMistakes, ANonNumericOptionInAScoredField) {
    auto t = replace_once(v2_text(), R"({"value": "1", "label": {"ar": "نفقات عرضية)", R"({"value": "some", "label": {"ar": "نفقات عرضية)");
    t = replace_once(t, R"("strategy_budget": {"enum": ["0", "1", "2", "3"]})", R"("strategy_budget": {"enum": ["0", "some", "2", "3"]})");
    EXPECT_TRUE(refused(t, line_of(t, kStrategyFields), "option \"some\" of \"strategy_budget\" is not a whole number"));
    // Over 100 and a leading zero are not points either.
    t = replace_once(v2_text(), R"({"value": "3", "label": {"ar": "ميزانية سنوية مرتبطة)", R"({"value": "300", "label": {"ar": "ميزانية سنوية مرتبطة)");
    t = replace_once(t, R"("strategy_budget": {"enum": ["0", "1", "2", "3"]})", R"("strategy_budget": {"enum": ["0", "1", "2", "300"]})");
    EXPECT_TRUE(refused(t, line_of(t, kStrategyFields), "is not a whole number of points (0..100)"));
}

TEST(ScoringMistakes, ATextFieldInADimension) {
    const auto t = replace_once(v2_text(), kCustomerFields, R"("fields": ["customer_channels", "company_name"],)");
    EXPECT_TRUE(refused(t, line_of(t, "\"company_name\"]"), "a scored field must be a radio or select field"));
}

TEST(ScoringMistakes, AFieldInTwoDimensions) {
    const auto t = replace_once(v2_text(), kCustomerFields, R"("fields": ["customer_channels", "cybersecurity"],)");
    EXPECT_TRUE(refused(t, line_of(t, R"("customer_channels", "cybersecurity"])"),
                        "field \"cybersecurity\" is scored in two dimensions"));
}

TEST(ScoringMistakes, AnUnknownField) {
    const auto t = replace_once(v2_text(), kCustomerFields, R"("fields": ["customer_channels", "website"],)");
    EXPECT_TRUE(refused(t, line_of(t, R"("website"])"), "unknown field \"website\""));
}

TEST(ScoringMistakes, LevelsNotStartingAtZero) {
    const auto t = replace_once(v2_text(), "\"from_percent\": 0,", "\"from_percent\": 10,");
    EXPECT_TRUE(refused(t, line_of(t, "\"from_percent\": 10,"), "the first level starts at 0"));
}

TEST(ScoringMistakes, DecreasingLevels) {
    const auto t = replace_once(v2_text(), "\"from_percent\": 50,", "\"from_percent\": 20,");
    EXPECT_TRUE(refused(t, line_of(t, "\"from_percent\": 20,"), "levels must start at increasing percentages"));
    // Equal is not increasing either.
    const auto same = replace_once(v2_text(), "\"from_percent\": 50,", "\"from_percent\": 25,");
    EXPECT_TRUE(refused(same, line_of(same, "\"from_percent\": 25,", same.find("\"from_percent\": 25,") + 1),
                        "levels must start at increasing percentages"));
}

TEST(ScoringMistakes, TheSchemaRefusesAnEmptyDimension) {
    const auto t = replace_once(v2_text(), kCustomerFields, R"("fields": [],)");
    auto r = parse_procedure(t, "bad.json");
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, "procedure.invalid");
    EXPECT_NE(r.error().detail.find("line " + std::to_string(line_of(t, R"("fields": [],)")) + ","), std::string::npos)
        << r.error().detail;
}

}  // namespace
}  // namespace idara::procedures
