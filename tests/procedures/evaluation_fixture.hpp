// Helpers for the evaluation tests: an evaluated variant of a shipped pack loaded, complete
// applications filed and registered, ADD's and CNRST's staff, the EvaluationService. Header-only.
#pragma once

#include "portal_fixture.hpp"
#include "procedures/evaluation.hpp"
#include "sample_pdf.hpp"
#include "storage/db.hpp"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>

namespace idara::testing {

// The startup label with an evaluation decided application by application, with a directory.
inline const char* kLabelEvaluation = R"("evaluation": {
    "criteria": [
      {"id": "innovation", "title": {"ar": "الابتكار", "fr": "Innovation"}, "max": 10, "weight": 3},
      {"id": "team", "title": {"ar": "الفريق", "fr": "Équipe"}, "max": 10, "weight": 1}
    ],
    "reviews": 2, "pass_mark": 60, "decision": "each",
    "granted": {"ar": "منح العلامة", "fr": "Label attribué"},
    "refused": {"ar": "رفض العلامة", "fr": "Label refusé"},
    "directory": {"title": {"ar": "المقاولات الحاصلة على العلامة", "fr": "Startups labellisées"}, "fields": ["company_name", "sector"]}
  },
  "receipt":)";

class EvaluationEnv {
public:
    explicit EvaluationEnv(PortalEnv& env) : env_(env) {}

    // startup-label v1 with kLabelEvaluation, published as version `version`.
    void load_label(int version = 1) {
        auto text = replace_once(source_file("procedures/startup-label/v1.json"), "\"receipt\":", kLabelEvaluation);
        text = replace_once(text, "\"version\": 1", "\"version\": " + std::to_string(version));
        auto r = env_.catalogue->load(text, "test:startup-label");
        ASSERT_TRUE(r.has_value()) << r.error().code << ": " << r.error().detail;
    }

    // A complete startup-label application by `who`, submitted; returns its id.
    std::string file_label(const identity::Principal& who, const std::string& company, const std::string& sector = "govtech") {
        auto a = env_.apps->start(who, "startup-label");
        EXPECT_TRUE(a.has_value()) << a.error().code << ": " << a.error().detail;
        if (!a) return {};
        const std::map<std::string, std::map<std::string, std::string>> steps = {
            {"company", {{"company_name", company}, {"rc_number", "512345"}, {"rc_court", "Tribunal de commerce de Casablanca"},
                         {"ice", "001234567000089"}}},
            {"activity", {{"creation_date", "2024-03-15"}, {"sector", sector}}},
            {"size", {{"staff", "12"}, {"turnover", "1850000"}}},
            {"innovation", {{"innovation", std::string(120, 'x')}}},
        };
        for (const auto& [step, form] : steps) {
            auto r = env_.apps->answer(who, a->id, step, form);
            EXPECT_TRUE(r.has_value() && r->empty()) << step;
        }
        for (const char* doc : {"statutes", "rc_extract", "pitch_deck"}) {
            auto r = env_.apps->put_document(who, a->id, doc, {std::string(doc) + ".pdf", sample_pdf(1, doc)});
            EXPECT_TRUE(r.has_value()) << doc << ": " << r.error().code;
        }
        EXPECT_TRUE(env_.apps->documents_seen(who, a->id).has_value());
        auto s = env_.apps->submit(who, a->id);
        EXPECT_TRUE(s.has_value()) << s.error().code << ": " << s.error().detail;
        return a->id;
    }

    identity::Principal staff(const std::string& local, const std::string& domain) {
        return env_.principal(local + "@" + domain);
    }
    std::int64_t id_of(const std::string& login) { return env_.principal(login).account_id; }

private:
    PortalEnv& env_;
};

// The scores of a review form: criterion -> text.
using Scores = std::map<std::string, std::string>;

}  // namespace idara::testing
