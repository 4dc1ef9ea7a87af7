// The `evaluation` section of procedure files: what parses, and each mistake refused with its
// line and reason (procedure.invalid, 400).
#include "evaluation_fixture.hpp"
#include "refusal.hpp"
#include "procedures/procedure.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

namespace idara::testing {
namespace {

// startup-label v1 with an evaluation section (kLabelEvaluation), `from` replaced by `to` in it.
std::string label_with(const std::string& from = {}, const std::string& to = {}) {
    auto text = replace_once(source_file("procedures/startup-label/v1.json"), "\"receipt\":", kLabelEvaluation);
    return from.empty() ? text : replace_once(text, from, to);
}

TEST(EvaluationFile, ParsesCriteriaDecisionAndDirectory) {
    auto p = procedures::parse_procedure(label_with(), "label.json");
    ASSERT_TRUE(p.has_value()) << p.error().detail;
    ASSERT_TRUE(p->evaluation.has_value());
    const auto& ev = *p->evaluation;
    ASSERT_EQ(ev.criteria.size(), 2u);
    EXPECT_EQ(ev.criteria[0].id, "innovation");
    EXPECT_EQ(ev.criteria[0].weight, 3);
    EXPECT_EQ(ev.criteria[1].weight, 1);  // the default
    EXPECT_EQ(ev.criteria[1].max, 10);
    EXPECT_EQ(ev.reviews, 2);
    EXPECT_EQ(ev.pass_mark, 60);
    EXPECT_EQ(ev.decision, procedures::DecisionMode::each);
    EXPECT_EQ(ev.granted.fr, "Label attribué");
    ASSERT_TRUE(ev.directory.has_value());
    EXPECT_EQ(ev.directory->fields, (std::vector<std::string>{"company_name", "sector"}));
    EXPECT_FALSE(ev.circuit.has_value());
}

TEST(EvaluationFile, MistakesAreRefusedWithTheirLine) {
    {  // The same criterion twice.
        const auto t = label_with(R"({"id": "team")", R"({"id": "innovation")");
        EXPECT_TRUE(refused(t, line_of(t, R"({"id": "innovation", "title": {"ar": "الفريق")"), "declared twice"));
    }
    {  // A ranking decision needs its parapheur circuit; a directory needs decision "each".
        const auto t = label_with(R"("decision": "each",)", R"("decision": "ranking",)");
        EXPECT_TRUE(refused(t, line_of(t, R"("decision": "ranking")"), "circuit"));
    }
    {
        const auto t = label_with(R"("decision": "each",)", R"("decision": "ranking", "circuit": "evaluation_decision",)");
        EXPECT_TRUE(refused(t, line_of(t, R"("directory":)"), "needs \"decision\": \"each\""));
    }
    {  // A directory field must be asked in a step.
        const auto t = label_with(R"("fields": ["company_name", "sector"])", R"("fields": ["company_name", "website"])");
        EXPECT_TRUE(refused(t, line_of(t, R"("fields": ["company_name", "website"])"), "\"website\" must be a field asked in a step"));
    }
    {  // Shapes: max within 1..100, an unknown decision mode, an unknown key.
        const auto t = label_with(R"("max": 10, "weight": 3)", R"("max": 0, "weight": 3)");
        EXPECT_TRUE(refused(t, line_of(t, R"("max": 0)"), ""));
        const auto u = label_with(R"("decision": "each")", R"("decision": "vote")");
        EXPECT_TRUE(refused(u, line_of(u, R"("decision": "vote")"), ""));
        const auto v = label_with(R"("reviews": 2,)", R"("reviews": 2, "reviewers": 3,)");
        EXPECT_TRUE(refused(v, line_of(v, R"("evaluation": {)"), ""));
    }
}

TEST(EvaluationFile, ChosenAdministrationsCannotBeEvaluated) {
    auto text = replace_once(source_file("procedures/letter/v1.json"), "\"receipt\":",
                             R"("evaluation": {"criteria": [{"id": "c", "title": {"ar": "م", "fr": "c"}, "max": 5}],
      "reviews": 1, "pass_mark": 50, "decision": "each", "granted": {"ar": "م", "fr": "oui"}, "refused": {"ar": "ل", "fr": "non"}},
      "receipt":)");
    EXPECT_TRUE(refused(text, line_of(text, R"("evaluation": {)"), "fixed administration"));
}

}  // namespace
}  // namespace idara::testing
