// The score of a scored questionnaire's answers (scoring.hpp): points per dimension, percentages
// rounded to the nearest whole percent, the level reached and the advice flags.
#include "procedures/scoring.hpp"

#include <boost/json/value.hpp>

#include <algorithm>

namespace idara::procedures {

namespace {

// The percentage of `points` over `max`, to the nearest whole percent (halves up); 0 when max is 0.
int percent_of(int points, int max) {
    if (max <= 0) return 0;
    return (200 * points + max) / (2 * max);
}

// The points of the answer to `f`: its option's value; 0 when unanswered or not one of its options.
int answer_points(const Field& f, const boost::json::object& answers) {
    const auto* v = answers.if_contains(f.name);
    if (v == nullptr || !v->is_string()) return 0;
    const std::string_view given = v->as_string();
    for (const auto& o : f.options)
        if (o.value == given) return option_points(given).value_or(0);
    return 0;
}

int field_max(const Field& f) {
    int m = 0;
    for (const auto& o : f.options) m = std::max(m, option_points(o.value).value_or(0));
    return m;
}

}  // namespace

Result<ScoreReport> score(const Procedure& p, const boost::json::object& answers) {
    if (!p.scoring) return errors::internal("procedure " + p.code + " has no scoring");
    const Scoring& sc = *p.scoring;
    if (sc.levels.empty()) return errors::internal("procedure " + p.code + " has no levels");
    ScoreReport r;
    for (const auto& d : sc.dimensions) {
        DimensionScore ds;
        ds.id = d.id;
        ds.title = d.title;
        for (const auto& name : d.fields) {
            const Field* f = p.field(name);
            if (f == nullptr) return errors::internal("scored field " + name + " is not in " + p.code);
            ds.points += answer_points(*f, answers);
            ds.max += field_max(*f);
        }
        ds.percent = percent_of(ds.points, ds.max);
        ds.advised = ds.percent < sc.advice_below;
        ds.advice = d.advice;
        r.points += ds.points;
        r.max += ds.max;
        r.dimensions.push_back(std::move(ds));
    }
    r.percent = percent_of(r.points, r.max);
    r.level = sc.levels.front();
    for (const auto& l : sc.levels)
        if (l.from_percent <= r.percent) r.level = l;
    return r;
}

}  // namespace idara::procedures
