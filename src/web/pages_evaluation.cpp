// The evaluation home, the board, ranking decisions and the decision's PDF (evaluation_pages.hpp):
//
//   GET  /evaluation                  staff: the evaluated procedures of the administration (with
//                                     their counts) and the reader's reviews; anonymous: 303 to
//                                     sign in; applicants: the 404 page
//   GET  /evaluation/{code}           the board (EvaluationService::board): the ranking with each
//                                     application's reviews, score, rank and outcome; ranking mode,
//                                     unit heads and admins: the decisions and the form that draws
//                                     one up
//   POST /evaluation/{code}/decisions ranking mode: draw_up with `funded`; 303 to the board; a bad
//                                     number (evaluation.funded, or not a number) re-renders the
//                                     board (400) with the error at the field; other errors: the
//                                     error page with the service's status
//   GET  /evaluation/decisions/{id}.pdf   decision_pdf (staff; applicants once effective)
//
// Staff pages are personal (Cache-Control: no-store). register_evaluation_pages is here too.
#include "web/evaluation_pages.hpp"

#include "procedures/evaluation.hpp"
#include "web/deposit_form.hpp"
#include "web/evaluation_view.hpp"
#include "web/registry_view.hpp"

#include <charconv>

namespace idara::web {

namespace evaluation {
namespace {

http::Response show(const Visit& v, int status, std::string_view tmpl, std::string title, Data& d, bool errors) {
    PageView pv = v.view(std::move(title), "evaluation");
    pv.has_errors = errors;
    return detail::html(status, render_page(pv, tmpl, d), true);
}

http::Response home(const http::Request& r, const PagesContext& ctx) {
    Visit v = detail::begin(r, ctx);
    if (auto no = refuse_staff(v, false)) return std::move(*no);
    const auto l = v.lang;
    const auto& who = v.session->principal;
    auto procs = ctx.evaluation->procedures(who);
    if (!procs) return detail::error_response(v, procs.error());
    auto mine = ctx.evaluation->my_reviews(who);
    if (!mine) return detail::error_response(v, mine.error());
    Data rows{Data::type::list};
    for (const auto& p : *procs) {
        Data row;
        row.set("href", board_href(p.code));
        row.set("title", p.title.in(l));
        row.set("mode", mode_label(l, p.mode));
        row.set("submitted_html", number_html(p.submitted));
        row.set("ranked_html", number_html(p.ranked));
        row.set("decided_html", number_html(p.decided));
        rows.push_back(row);
    }
    Data reviews{Data::type::list};
    for (const auto& a : *mine) {
        Data row;
        row.set("href", dossier_href(a.application_id));
        row.set("number_html", bdi_ltr(a.register_number));
        row.set("procedure", a.procedure_title.in(l));
        row.set("assigned", date_time(a.assigned_at_ms, l));
        row.set("reviewed", a.reviewed);
        reviews.push_back(row);
    }
    Data d;
    d.set("procedures", rows);
    d.set("has_procedures", !procs->empty());
    d.set("reviews", reviews);
    d.set("has_reviews", !mine->empty());
    return show(v, 200, "evaluation_home", msg(l, "web.evaluation.home.title"), d, false);
}

struct DrawUpForm {
    std::string funded;
};

http::Response render_board(const Visit& v, const procedures::Board& b, const DrawUpForm& f,
                            const std::vector<FieldError>& summary, Data& errors, int status) {
    const auto l = v.lang;
    const auto& e = b.evaluation;
    Data d = errors;
    d.set("error_summary", render_error_summary(l, summary));
    d.set("title", b.title.in(l));
    d.set("mode", mode_label(l, e.decision));
    d.set("method_html", format_html(l, "web.evaluation.board.method",
                                     {{"reviews", number_html(e.reviews)}, {"pass_mark", number_html(e.pass_mark)}}));
    Data criteria{Data::type::list};
    for (const auto& c : e.criteria) {
        Data it;
        it.set("title", c.title.in(l));
        it.set("max_html", number_html(c.max));
        it.set("weight_html", number_html(c.weight));
        criteria.push_back(it);
    }
    d.set("criteria", criteria);
    Data rows{Data::type::list};
    for (const auto& s : b.standings) {
        Data row;
        row.set("href", dossier_href(s.application_id));
        row.set("rank_html", s.rank > 0 ? number_html(s.rank) : std::string("—"));
        row.set("number_html", bdi_ltr(s.register_number));
        row.set("applicant_html", bdi_auto(s.applicant_name));
        row.set("subject", s.subject.in(l));
        row.set("submitted", date(s.submitted_at_ms, l));
        row.set("reviews_html", ratio_html(s.reviews_done, s.reviews_assigned));
        row.set("score_html", score_html(s.score_bp));
        row.set("mine_to_review", s.mine_to_review);
        row.set("outcome_html", s.outcome ? outcome_tag(l, e, *s.outcome, s.decision_state) : std::string("—"));
        rows.push_back(row);
    }
    d.set("standings", rows);
    d.set("has_standings", !b.standings.empty());
    d.set("has_directory", e.directory.has_value());
    d.set("directory_href", directory_href(b.procedure_code));
    if (e.directory) d.set("directory_title", e.directory->title.in(l));
    const bool ranking = e.decision == procedures::DecisionMode::ranking;
    d.set("ranking", ranking);
    d.set("may_draw_up", ranking && b.may_decide);
    d.set("draw_up_action", board_href(b.procedure_code) + "/decisions");
    d.set("funded", f.funded);
    d.set("funded_hint_html", format_html(l, "web.evaluation.board.funded_hint",
                                          {{"granted", html_escape(e.granted.in(l))}, {"pass_mark", number_html(e.pass_mark)}}));
    Data decisions{Data::type::list};
    for (const auto& s : b.decisions) {
        Data row;
        row.set("number_html", number_html(s.id));
        row.set("state", decision_state_label(l, s.state));
        row.set("by_html", bdi_auto(s.decided_by_name));
        row.set("created", date_time(s.created_at_ms, l));
        row.set("granted_html", number_html(s.granted));
        row.set("refused_html", number_html(s.refused));
        row.set("pdf_href", decision_pdf_href(s.id));
        decisions.push_back(row);
    }
    d.set("decisions", decisions);
    d.set("has_decisions", !b.decisions.empty());
    d.set("granted_name", e.granted.in(l));
    d.set("refused_name", e.refused.in(l));
    return show(v, status, "evaluation_board", b.title.in(l), d, !summary.empty());
}

http::Response board(const http::Request& r, const PagesContext& ctx) {
    Visit v = detail::begin(r, ctx);
    if (auto no = refuse_staff(v, false)) return std::move(*no);
    auto b = ctx.evaluation->board(v.session->principal, r.param("code"));
    if (!b) return detail::error_response(v, b.error());
    Data errors;
    return render_board(v, *b, {}, {}, errors, 200);
}

std::optional<int> whole_number(std::string_view s) {
    int n = 0;
    if (s.empty() || s.size() > 6) return std::nullopt;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
    if (ec != std::errc{} || end != s.data() + s.size()) return std::nullopt;
    return n;
}

http::Response draw_up(const http::Request& r, const PagesContext& ctx) {
    Visit v = detail::begin(r, ctx);
    if (auto no = refuse_staff(v, true)) return std::move(*no);
    const auto code = r.param("code");
    const auto fields = request_fields(r);
    DrawUpForm f{fields("funded").value_or("")};
    Result<procedures::DecisionSummary> done = errors::bad_request("funded");
    if (auto n = whole_number(f.funded)) {
        done = ctx.evaluation->draw_up(v.session->principal, "web " + r.remote_addr, code, *n);
        if (done) return http::Response::redirect(board_href(code));
    } else {
        done = Error{"evaluation.funded", 400, "funded is not a whole number"};
    }
    const Error& e = done.error();
    if (e.code != "evaluation.funded") return detail::error_response(v, e);
    auto b = ctx.evaluation->board(v.session->principal, code);
    if (!b) return detail::error_response(v, b.error());
    std::vector<FieldError> summary;
    Data errors;
    detail::add_error(summary, errors, "funded", detail::service_message(v.lang, e));
    return render_board(v, *b, f, summary, errors, e.status);
}

http::Response decision_pdf(const http::Request& r, const PagesContext& ctx) {
    Visit v = detail::begin(r, ctx);
    if (!v.session) return detail::to_login(r);
    std::string_view file = r.param("file");
    constexpr std::string_view suffix = ".pdf";
    std::int64_t id = 0;
    bool ok = file.size() > suffix.size() && file.substr(file.size() - suffix.size()) == suffix;
    if (ok) {
        file.remove_suffix(suffix.size());
        auto [end, ec] = std::from_chars(file.data(), file.data() + file.size(), id);
        ok = ec == std::errc{} && end == file.data() + file.size() && id > 0;
    }
    if (!ok) return detail::error_response(v, errors::not_found("decision"));
    auto pdf = ctx.evaluation->decision_pdf(v.session->principal, id);
    if (!pdf) return detail::error_response(v, pdf.error());
    auto res = http::Response::text(200, std::move(*pdf), "application/pdf");
    res.headers.set("Content-Disposition", "inline; filename=\"decision-" + std::to_string(id) + ".pdf\"");
    res.headers.set("Cache-Control", "no-store");
    res.headers.set("X-Content-Type-Options", "nosniff");
    return res;
}

}  // namespace
}  // namespace evaluation

void register_evaluation_pages(http::Router& router, const PagesContext& ctx) {
    router.get("/evaluation", [ctx](http::Request& r) { return evaluation::home(r, ctx); });
    router.get("/evaluation/{code}", [ctx](http::Request& r) { return evaluation::board(r, ctx); });
    router.post("/evaluation/{code}/decisions", [ctx](http::Request& r) { return evaluation::draw_up(r, ctx); });
    router.get("/evaluation/decisions/{file}", [ctx](http::Request& r) { return evaluation::decision_pdf(r, ctx); });
    register_evaluation_dossier_pages(router, ctx);
    register_public_directory_pages(router, ctx);
}

}  // namespace idara::web
