// One application seen by staff on the board (evaluation_pages.hpp):
//
//   GET  /evaluation/applications/{id}          the dossier (EvaluationService::dossier): standing,
//        answers, the reviews the reader may see; the reader's review form when assigned and no
//        decision covers the application; unit heads and admins: the assignment form (staff not
//        yet assigned) and, mode each, the grant/refuse form
//   POST /evaluation/applications/{id}/assign   `reviewer` (account id); 303 to the dossier;
//        evaluation.reviewer / already_assigned re-render the dossier with the error at the field;
//        evaluation.forbidden and others: the error page (403 for an agent)
//   POST /evaluation/applications/{id}/review   `score_<criterion>` for every criterion, `comment`,
//        `no_conflict`; 303 to the dossier; evaluation.score / comment / conflict_not_declared
//        re-render the form (400) with the typed values and the errors at their fields (nothing is
//        saved: the service refuses the whole review)
//   POST /evaluation/applications/{id}/decide   `outcome` (granted|refused) and `reason`; 303 to the
//        dossier; no outcome chosen, evaluation.reason, below_pass_mark and not_ranked re-render
//        the form with the error; others (decided, forbidden, wrong_mode): the error page
//
// Pages are personal (Cache-Control: no-store); every POST checks the _csrf field first.
#include "procedures/evaluation.hpp"
#include "web/deposit_form.hpp"
#include "web/evaluation_pages.hpp"
#include "web/evaluation_view.hpp"
#include "web/registry_view.hpp"

#include <charconv>
#include <map>

namespace idara::web {
namespace evaluation {
namespace {

struct ReviewForm {
    bool posted = false;
    std::map<std::string, std::string> scores;  // criterion id -> typed text
    std::string comment;
    bool no_conflict = false;
};
struct DecideForm {
    std::string outcome, reason;
};
struct Forms {
    ReviewForm review;
    DecideForm decide;
    std::string reviewer;
    std::map<std::string, std::string> criterion_errors;  // criterion id -> message
};

std::string score_field(const std::string& criterion) { return "score_" + criterion; }

Data review_rows(i18n::Lang l, const procedures::Evaluation& e, const procedures::Review& r) {
    Data rows{Data::type::list};
    for (const auto& c : e.criteria) {
        Data row;
        row.set("criterion", c.title.in(l));
        const auto it = r.scores.find(c.id);
        row.set("points_html", it == r.scores.end() ? std::string("—") : ratio_html(it->second, c.max));
        rows.push_back(row);
    }
    return rows;
}

http::Response render_dossier(const Visit& v, const procedures::Dossier& dz, const Forms& f,
                              const std::vector<FieldError>& summary, Data& errors, int status) {
    const auto l = v.lang;
    const auto& cat = i18n::catalogue();
    const auto& s = dz.standing;
    const auto& e = dz.evaluation;
    Data d = errors;
    d.set("error_summary", render_error_summary(l, summary));
    d.set("board_href", board_href(dz.procedure_code));
    d.set("number_html", bdi_ltr(s.register_number));
    d.set("subject", s.subject.in(l));
    d.set("applicant_html", bdi_auto(s.applicant_name));
    d.set("submitted", date_time(s.submitted_at_ms, l));
    d.set("reviews_html", ratio_html(s.reviews_done, s.reviews_assigned));
    d.set("reviews_needed_html", format_html(l, "web.evaluation.dossier.reviews_needed", {{"count", number_html(e.reviews)}}));
    d.set("score_html", score_html(s.score_bp));
    d.set("pass_mark_html", format_html(l, "web.evaluation.dossier.pass_mark", {{"pass_mark", number_html(e.pass_mark)}}));
    d.set("rank_html", s.rank > 0 ? number_html(s.rank) : std::string());
    d.set("ranked", s.rank > 0);
    d.set("decided", s.outcome.has_value());
    if (s.outcome) d.set("outcome_html", outcome_tag(l, e, *s.outcome, s.decision_state));
    d.set("has_reason", dz.decision_reason.has_value() && !dz.decision_reason->empty());
    if (dz.decision_reason) d.set("reason_html", bdi_auto(*dz.decision_reason));

    Data answers{Data::type::list};
    for (const auto& [label, text] : dz.answers) {
        Data a;
        a.set("label", label.in(l));
        a.set("value_html", bdi_auto(text.in(l)));
        answers.push_back(a);
    }
    d.set("answers", answers);

    // The reviews the reader may see (all for heads, their own for reviewers).
    Data reviews{Data::type::list};
    int n = 0;
    for (const auto& r : dz.reviews) {
        Data it;
        it.set("id", "review-" + std::to_string(++n));
        it.set("reviewer_html", bdi_auto(r.reviewer_name));
        it.set("assigned", date_time(r.assigned_at_ms, l));
        it.set("submitted", r.submitted_at_ms.has_value());
        if (r.submitted_at_ms) it.set("submitted_on", date_time(*r.submitted_at_ms, l));
        it.set("score_html", score_html(r.score_bp));
        it.set("rows", review_rows(l, e, r));
        it.set("has_comment", !r.comment.empty());
        it.set("comment_html", bdi_auto(r.comment));
        reviews.push_back(it);
    }
    d.set("reviews", reviews);
    d.set("has_reviews", !dz.reviews.empty());

    // The reader's review form: assigned, and no decision covers the application yet.
    const bool may_review = dz.my_review.has_value() && !s.outcome.has_value();
    d.set("may_review", may_review);
    d.set("review_action", dossier_href(s.application_id) + "/review");
    if (may_review) {
        const auto& mine = *dz.my_review;
        Data criteria{Data::type::list};
        for (const auto& c : e.criteria) {
            Data it;
            const std::string field = score_field(c.id);
            it.set("field", field);
            it.set("title", c.title.in(l));
            it.set("has_hint", !c.hint.empty());
            it.set("hint", c.hint.in(l));
            it.set("points_label_html", format_html(l, "web.evaluation.review.points", {{"max", number_html(c.max)}}));
            std::string value;
            if (f.review.posted) {
                if (auto at = f.review.scores.find(c.id); at != f.review.scores.end()) value = at->second;
            } else if (auto at = mine.scores.find(c.id); at != mine.scores.end()) {
                value = std::to_string(at->second);
            }
            it.set("value", value);
            it.set("max", std::to_string(c.max));
            const auto err = f.criterion_errors.find(c.id);
            it.set("has_error", err != f.criterion_errors.end());
            if (err != f.criterion_errors.end()) it.set("error", err->second);
            criteria.push_back(it);
        }
        d.set("criteria", criteria);
        d.set("comment", f.review.posted ? f.review.comment : mine.comment);
        d.set("no_conflict", f.review.posted ? f.review.no_conflict : mine.submitted_at_ms.has_value());
        d.set("review_done", mine.submitted_at_ms.has_value());
    }

    // Heads: assign reviewers and (mode each) decide.
    const bool open = !s.outcome.has_value();
    d.set("may_assign", dz.may_decide && open && !dz.assignable.empty());
    d.set("assign_action", dossier_href(s.application_id) + "/assign");
    Data staff{Data::type::list};
    for (const auto& [id, name] : dz.assignable) {
        Data o;
        o.set("value", std::to_string(id));
        o.set("label", name);
        o.set("selected", f.reviewer == std::to_string(id));
        staff.push_back(o);
    }
    d.set("assignable", staff);
    d.set("may_decide", dz.may_decide && open && e.decision == procedures::DecisionMode::each);
    d.set("decide_action", dossier_href(s.application_id) + "/decide");
    d.set("granted_name", e.granted.in(l));
    d.set("refused_name", e.refused.in(l));
    d.set("granted_checked", f.decide.outcome == "granted");
    d.set("refused_checked", f.decide.outcome == "refused");
    d.set("reason", f.decide.reason);

    const std::string title = cat.format(l, "web.evaluation.dossier.title", {{"number", s.register_number}});
    PageView pv = v.view(title, "evaluation");
    pv.has_errors = !summary.empty();
    return detail::html(status, render_page(pv, "evaluation_dossier", d), true);
}

http::Response dossier(const http::Request& r, const PagesContext& ctx) {
    Visit v = detail::begin(r, ctx);
    if (auto no = refuse_staff(v, false)) return std::move(*no);
    auto dz = ctx.evaluation->dossier(v.session->principal, r.param("id"));
    if (!dz) return detail::error_response(v, dz.error());
    Data errors;
    return render_dossier(v, *dz, {}, {}, errors, 200);
}

// Re-renders the dossier with `e` at `field` (the service refused the form).
http::Response form_error(const Visit& v, const PagesContext& ctx, const Forms& f, const std::string& field,
                          const Error& e) {
    auto dz = ctx.evaluation->dossier(v.session->principal, v.req.param("id"));
    if (!dz) return detail::error_response(v, dz.error());
    std::vector<FieldError> summary;
    Data errors;
    detail::add_error(summary, errors, field, detail::service_message(v.lang, e));
    return render_dossier(v, *dz, f, summary, errors, e.status);
}

http::Response assign(const http::Request& r, const PagesContext& ctx) {
    Visit v = detail::begin(r, ctx);
    if (auto no = refuse_staff(v, true)) return std::move(*no);
    const auto fields = request_fields(r);
    Forms f;
    f.reviewer = fields("reviewer").value_or("");
    std::int64_t reviewer = 0;
    auto [end, ec] = std::from_chars(f.reviewer.data(), f.reviewer.data() + f.reviewer.size(), reviewer);
    Status done = Error{"evaluation.reviewer", 400, "no reviewer chosen"};
    if (ec == std::errc{} && end == f.reviewer.data() + f.reviewer.size() && !f.reviewer.empty())
        done = ctx.evaluation->assign(v.session->principal, r.param("id"), reviewer);
    if (done) return http::Response::redirect(dossier_href(r.param("id")));
    const Error& e = done.error();
    if (e.code == "evaluation.reviewer" || e.code == "evaluation.already_assigned") return form_error(v, ctx, f, "reviewer", e);
    return detail::error_response(v, e);
}

// The criteria whose typed score is not a whole number in 0..max (for the inline errors).
std::map<std::string, std::string> bad_scores(i18n::Lang l, const procedures::Evaluation& e, const ReviewForm& f) {
    std::map<std::string, std::string> out;
    for (const auto& c : e.criteria) {
        const auto it = f.scores.find(c.id);
        const std::string text = it == f.scores.end() ? std::string() : it->second;
        int n = -1;
        auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
        const bool ok = !text.empty() && ec == std::errc{} && end == text.data() + text.size() && n >= 0 && n <= c.max;
        if (!ok)
            out[c.id] = i18n::catalogue().format(l, "web.evaluation.review.score_error",
                                                 {{"criterion", c.title.in(l)}, {"max", std::to_string(c.max)}});
    }
    return out;
}

http::Response review(const http::Request& r, const PagesContext& ctx) {
    Visit v = detail::begin(r, ctx);
    if (auto no = refuse_staff(v, true)) return std::move(*no);
    const auto& who = v.session->principal;
    auto dz = ctx.evaluation->dossier(who, r.param("id"));
    if (!dz) return detail::error_response(v, dz.error());
    const auto fields = request_fields(r);
    Forms f;
    f.review.posted = true;
    for (const auto& c : dz->evaluation.criteria) f.review.scores[c.id] = fields(score_field(c.id)).value_or("");
    f.review.comment = fields("comment").value_or("");
    f.review.no_conflict = !fields("no_conflict").value_or("").empty();
    auto done = ctx.evaluation->review(who, r.param("id"), f.review.scores, f.review.comment, f.review.no_conflict);
    if (done) return http::Response::redirect(dossier_href(r.param("id")));
    const Error& e = done.error();
    std::vector<FieldError> summary;
    Data errors;
    if (e.code == "evaluation.score") {
        f.criterion_errors = bad_scores(v.lang, dz->evaluation, f.review);
        if (f.criterion_errors.empty() && !dz->evaluation.criteria.empty())
            f.criterion_errors[dz->evaluation.criteria.front().id] = detail::service_message(v.lang, e);
        for (const auto& c : dz->evaluation.criteria)
            if (auto it = f.criterion_errors.find(c.id); it != f.criterion_errors.end())
                summary.push_back({score_field(c.id), it->second});
        // The service stops at the first problem: the declaration is shown at once too.
        if (!f.review.no_conflict)
            detail::add_error(summary, errors, "no_conflict",
                              detail::service_message(v.lang, {"evaluation.conflict_not_declared", 400, ""}));
    } else if (e.code == "evaluation.comment") {
        detail::add_error(summary, errors, "comment", detail::service_message(v.lang, e));
    } else if (e.code == "evaluation.conflict_not_declared") {
        detail::add_error(summary, errors, "no_conflict", detail::service_message(v.lang, e));
    } else {
        return detail::error_response(v, e);
    }
    return render_dossier(v, *dz, f, summary, errors, e.status);
}

http::Response decide(const http::Request& r, const PagesContext& ctx) {
    Visit v = detail::begin(r, ctx);
    if (auto no = refuse_staff(v, true)) return std::move(*no);
    const auto fields = request_fields(r);
    Forms f;
    f.decide.outcome = fields("outcome").value_or("");
    f.decide.reason = fields("reason").value_or("");
    if (f.decide.outcome != "granted" && f.decide.outcome != "refused") {
        auto dz = ctx.evaluation->dossier(v.session->principal, r.param("id"));
        if (!dz) return detail::error_response(v, dz.error());
        std::vector<FieldError> summary;
        Data errors;
        detail::add_error(summary, errors, "outcome", msg(v.lang, "web.evaluation.decide.outcome_missing"));
        return render_dossier(v, *dz, f, summary, errors, 400);
    }
    const auto outcome = f.decide.outcome == "granted" ? procedures::Outcome::granted : procedures::Outcome::refused;
    auto done = ctx.evaluation->decide(v.session->principal, r.param("id"), outcome, f.decide.reason);
    if (done) return http::Response::redirect(dossier_href(r.param("id")));
    const Error& e = done.error();
    if (e.code == "evaluation.reason") return form_error(v, ctx, f, "reason", e);
    if (e.code == "evaluation.below_pass_mark" || e.code == "evaluation.not_ranked") return form_error(v, ctx, f, "outcome", e);
    return detail::error_response(v, e);
}

}  // namespace
}  // namespace evaluation

void register_evaluation_dossier_pages(http::Router& router, const PagesContext& ctx) {
    router.get("/evaluation/applications/{id}", [ctx](http::Request& r) { return evaluation::dossier(r, ctx); });
    router.post("/evaluation/applications/{id}/assign", [ctx](http::Request& r) { return evaluation::assign(r, ctx); });
    router.post("/evaluation/applications/{id}/review", [ctx](http::Request& r) { return evaluation::review(r, ctx); });
    router.post("/evaluation/applications/{id}/decide", [ctx](http::Request& r) { return evaluation::decide(r, ctx); });
}

}  // namespace idara::web
