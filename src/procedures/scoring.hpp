// Scored questionnaires (the file's `scoring` section, procedure.hpp; docs/PROCEDURES.md "Scoring"):
// the score of an application's answers and its bilingual PDF report with charts.
//
// A scored field's points are its answer (an option value, a whole number 0..100); its maximum is
// its highest option. A dimension's percentage is sum(points) / sum(maximums), rounded to the
// nearest whole percent; the overall percentage is over every scored field. The level is the last
// one whose from_percent is at or below the overall percentage. A dimension below advice_below
// carries its advice. An unanswered scored field counts 0 points (a submitted application has
// answered every required field).
//
// The report (render_score_report) is an A4 PDF: title, the company and date, the overall
// percentage and level with its summary, a bar chart of the dimensions (cairo), a radar chart,
// then each dimension with its percentage and, below advice_below, its advice. Arabic and French
// side by side as in the other PDFs (receipt/pdf_text.hpp). It is sealed by the caller.
//
// Thread-safety: pure functions.
#pragma once

#include "core/error.hpp"
#include "procedures/procedure.hpp"

#include <boost/json/object.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace idara::procedures {

struct DimensionScore {
    std::string id;
    Text title;
    int points = 0, max = 0;
    int percent = 0;
    bool advised = false;             // below advice_below: the advice is shown
    Text advice;
};

struct ScoreReport {
    std::vector<DimensionScore> dimensions;  // in file order
    int points = 0, max = 0;
    int percent = 0;
    Level level;                      // the level reached
};

// The score of `answers` under `p.scoring` (internal error when p has no scoring).
Result<ScoreReport> score(const Procedure& p, const boost::json::object& answers);

struct ReportFacts {
    std::string application_id;
    std::string register_number;
    std::string procedure_code;
    Text procedure_title;
    std::string subject;              // the company's name or the receipt subject
    std::int64_t submitted_at_ms = 0;
    ScoreReport score;
};
// Errors: receipt.render (500).
Result<std::string> render_score_report(const ReportFacts& f);

}  // namespace idara::procedures
