// The board (ranking) of an evaluated procedure and one application's dossier (evaluation.hpp).
#include "procedures/evaluation_impl.hpp"

#include "procedures/applications_impl.hpp"

#include <boost/json.hpp>

#include <algorithm>

namespace idara::procedures {

namespace json = boost::json;

Result<std::vector<Standing>> EvaluationService::Impl::standings(storage::Tx& tx, std::int64_t adm, std::string_view code,
                                                                 const identity::Principal& reader) {
    auto rows = tx.query(
        "SELECT a.id, a.procedure_version, a.answers, a.submitted_at, e.register_number, c.display_name, a.assisted_name, "
        "(SELECT COUNT(*) FROM evaluation_reviews r WHERE r.application_id = a.id), "
        "(SELECT COUNT(*) FROM evaluation_reviews r WHERE r.application_id = a.id AND r.submitted_at IS NOT NULL), "
        "(SELECT CAST(SUM(r.score_bp) AS BIGINT) FROM evaluation_reviews r WHERE r.application_id = a.id AND r.submitted_at IS NOT NULL), "
        "(SELECT COUNT(*) FROM evaluation_reviews r WHERE r.application_id = a.id AND r.reviewer_id = $3 AND r.submitted_at IS NULL), "
        "(SELECT o.outcome FROM evaluation_outcomes o JOIN evaluation_decisions d ON d.id = o.decision_id "
        "  WHERE o.application_id = a.id AND d.state IN ('signing', 'effective')), "
        "(SELECT d.state FROM evaluation_outcomes o JOIN evaluation_decisions d ON d.id = o.decision_id "
        "  WHERE o.application_id = a.id AND d.state IN ('signing', 'effective')) "
        "FROM applications a JOIN entries e ON e.id = a.entry_id JOIN accounts c ON c.id = a.applicant_id "
        "WHERE e.administration_id = $1 AND a.procedure_code = $2 AND a.state = 'submitted' "
        "ORDER BY a.submitted_at, a.id",
        {adm, std::string(code), reader.account_id});
    if (!rows) return rows.error();
    std::vector<Standing> out;
    for (const auto& r : *rows) {
        auto ver = catalogue.version(code, static_cast<int>(r.as_int(1)));
        if (!ver) return ver.error();
        const Procedure& p = *ver->procedure;
        Standing s;
        s.application_id = r.as_text(0);
        Application a;
        a.answers = decode_answers(r.as_text(2));
        s.subject = Text{fill_template(p, a, p.receipt_subject.ar, i18n::Lang::ar),
                         fill_template(p, a, p.receipt_subject.fr, i18n::Lang::fr)};
        s.submitted_at_ms = r.opt_int(3).value_or(0);
        s.register_number = r.as_text(4);
        s.applicant_name = r.opt_text(6).value_or(r.as_text(5));
        s.reviews_assigned = static_cast<int>(r.as_int(7));
        s.reviews_done = static_cast<int>(r.as_int(8));
        if (s.reviews_done > 0) {
            const std::int64_t total = r.opt_int(9).value_or(0);
            s.score_bp = static_cast<int>((total + s.reviews_done / 2) / s.reviews_done);
        }
        s.mine_to_review = r.as_int(10) > 0;
        if (auto o = r.opt_text(11)) s.outcome = parse_outcome(*o);
        if (auto d = r.opt_text(12)) s.decision_state = parse_decision_state(*d);  // signing or effective (the query's filter)
        // Ranked once the version's number of reviews is complete.
        if (p.evaluation && s.reviews_done >= p.evaluation->reviews) s.rank = -1;
        out.push_back(std::move(s));
    }
    // Ranked first, by score (highest first; ties by register number); the others keep their order.
    std::stable_sort(out.begin(), out.end(), [](const Standing& x, const Standing& y) {
        const bool rx = x.rank != 0, ry = y.rank != 0;
        if (rx != ry) return rx;
        if (!rx) return false;
        if (x.score_bp != y.score_bp) return x.score_bp.value_or(0) > y.score_bp.value_or(0);
        return x.register_number < y.register_number;
    });
    int rank = 0;
    for (auto& s : out)
        if (s.rank != 0) s.rank = ++rank;
    return out;
}

Result<Board> EvaluationService::board(const identity::Principal& staff, std::string_view procedure_code) {
    return impl_->db.read<Board>([&](storage::Tx& tx) -> Result<Board> {
        auto p = impl_->evaluated(tx, staff, procedure_code);
        if (!p) return p.error();
        Board b;
        b.procedure_code = (*p)->code;
        b.title = (*p)->title;
        b.evaluation = *(*p)->evaluation;
        b.may_decide = may_decide(staff);
        const std::int64_t adm = *staff.administration_id;
        auto lines = impl_->standings(tx, adm, b.procedure_code, staff);
        if (!lines) return lines.error();
        b.standings = std::move(*lines);
        if (b.evaluation.decision == DecisionMode::ranking) {
            auto rows = tx.query(
                "SELECT d.id, d.state, d.circuit_id, c.display_name, d.created_at, d.finished_at, "
                "(SELECT COUNT(*) FROM evaluation_outcomes o WHERE o.decision_id = d.id AND o.outcome = 'granted'), "
                "(SELECT COUNT(*) FROM evaluation_outcomes o WHERE o.decision_id = d.id AND o.outcome = 'refused') "
                "FROM evaluation_decisions d JOIN accounts c ON c.id = d.decided_by "
                "WHERE d.administration_id = $1 AND d.procedure_code = $2 AND d.mode = 'ranking' ORDER BY d.id DESC",
                {adm, b.procedure_code});
            if (!rows) return rows.error();
            for (const auto& r : *rows) {
                DecisionSummary d;
                d.id = r.as_int(0);
                d.state = parse_decision_state(r.as_text(1));
                d.mode = DecisionMode::ranking;
                d.circuit_id = r.opt_int(2);
                d.decided_by_name = r.as_text(3);
                d.created_at_ms = r.as_int(4);
                d.finished_at_ms = r.opt_int(5);
                d.granted = static_cast<int>(r.as_int(6));
                d.refused = static_cast<int>(r.as_int(7));
                b.decisions.push_back(std::move(d));
            }
        }
        return b;
    });
}

Result<Dossier> EvaluationService::dossier(const identity::Principal& staff, std::string_view application_id) {
    auto app = impl_->apps.get_received(staff, application_id);
    if (!app) return app.error();
    return impl_->db.read<Dossier>([&](storage::Tx& tx) -> Result<Dossier> {
        auto t = impl_->target(tx, staff, application_id);
        if (!t) return t.error();
        const Procedure& p = *t->procedure;
        auto rows = tx.query(
            "SELECT r.reviewer_id, c.display_name, r.assigned_at, r.submitted_at, r.scores, r.comment, r.score_bp "
            "FROM evaluation_reviews r JOIN accounts c ON c.id = r.reviewer_id WHERE r.application_id = $1 "
            "ORDER BY r.assigned_at, r.reviewer_id",
            {t->id});
        if (!rows) return rows.error();
        Dossier d;
        d.may_decide = may_decide(staff);
        for (const auto& r : *rows) {
            Review v;
            v.reviewer_id = r.as_int(0);
            v.reviewer_name = r.as_text(1);
            v.assigned_at_ms = r.as_int(2);
            v.submitted_at_ms = r.opt_int(3);
            if (auto sc = r.opt_text(4)) v.scores = parse_scores(*sc);
            v.comment = r.as_text(5);
            if (auto bp = r.opt_int(6)) v.score_bp = static_cast<int>(*bp);
            if (v.reviewer_id == staff.account_id) d.my_review = v;
            // Blind reviews: reviewers see their own only; heads see every review.
            if (d.may_decide || v.reviewer_id == staff.account_id) d.reviews.push_back(std::move(v));
        }
        if (!d.may_decide && !d.my_review)
            return Error{"evaluation.not_reviewer", 403, "not a reviewer of application " + t->id};
        auto lines = impl_->standings(tx, t->administration_id, t->code, staff);
        if (!lines) return lines.error();
        for (auto& s : *lines)
            if (s.application_id == t->id) d.standing = std::move(s);
        d.procedure_code = t->code;
        d.procedure_version = t->version;
        d.evaluation = t->evaluation();
        for (const auto& f : p.fields) {
            const auto* v = app->answers.if_contains(f.name);
            if (v) d.answers.push_back({f.label, Text{answer_text(p, f, *v, i18n::Lang::ar), answer_text(p, f, *v, i18n::Lang::fr)}});
        }
        auto reason = tx.query_one(
            "SELECT o.reason FROM evaluation_outcomes o JOIN evaluation_decisions d ON d.id = o.decision_id "
            "WHERE o.application_id = $1 AND d.state IN ('signing', 'effective')",
            {t->id});
        if (!reason) return reason.error();
        if (*reason && !(*reason)->as_text(0).empty()) d.decision_reason = (*reason)->as_text(0);
        if (d.may_decide) {
            auto staffers = tx.query(
                "SELECT DISTINCT c.id, c.display_name FROM accounts c JOIN memberships m ON m.account_id = c.id "
                "WHERE m.administration_id = $1 AND c.kind = 'staff' AND c.disabled = 0 "
                "AND c.id NOT IN (SELECT reviewer_id FROM evaluation_reviews WHERE application_id = $2) "
                "ORDER BY c.display_name, c.id",
                {t->administration_id, t->id});
            if (!staffers) return staffers.error();
            for (const auto& r : *staffers) d.assignable.push_back({r.as_int(0), r.as_text(1)});
        }
        return d;
    });
}

}  // namespace idara::procedures
