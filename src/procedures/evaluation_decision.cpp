// Decisions (evaluation.hpp): one per application (mode each), or drawn up over the ranking and
// signed through a parapheur circuit (mode ranking), whose outcome hook makes it effective or void.
#include "procedures/evaluation_impl.hpp"

#include "core/i18n.hpp"
#include "parapheur/circuits.hpp"

#include <charconv>

namespace idara::procedures {

namespace {

constexpr std::string_view kPurpose = "evaluation";

Status check_reason(Outcome o, std::string_view reason) {
    if (code_points(reason) > 2000) return Error{"evaluation.reason", 400, "over 2000 characters"};
    if (o == Outcome::refused && reason.find_first_not_of(" \t\r\n") == std::string_view::npos)
        return Error{"evaluation.reason", 400, "a refusal needs a reason"};
    return {};
}

// The decision id of a subject_ref "decision:<id>".
std::optional<std::int64_t> decision_of(std::string_view ref) {
    if (ref.substr(0, 9) != "decision:") return std::nullopt;
    std::int64_t id = 0;
    const auto* b = ref.data() + 9;
    const auto* e = ref.data() + ref.size();
    auto [p, ec] = std::from_chars(b, e, id);
    if (ec != std::errc{} || p != e || b == e) return std::nullopt;
    return id;
}

}  // namespace

void EvaluationService::attach() {
    if (!impl_->circuits) return;
    impl_->circuits->set_outcome_hook(std::string(kPurpose), [](storage::Tx& tx, const parapheur::Outcome& o) -> Status {
        auto id = decision_of(o.subject_ref);
        if (!id) return errors::internal("evaluation circuit with subject " + o.subject_ref);
        const char* state = o.state == parapheur::CircuitState::completed ? "effective" : "void";
        auto n = tx.exec("UPDATE evaluation_decisions SET state = $1, finished_at = $2 WHERE id = $3 AND state = 'signing'",
                         {std::string(state), o.at_ms, *id});
        if (!n) return n.error();
        return {};
    });
}

Status EvaluationService::decide(const identity::Principal& head, std::string_view application_id, Outcome outcome,
                                 std::string_view reason) {
    const std::int64_t now = impl_->clock.now_ms();
    return impl_->db.write_tx([&](storage::Tx& tx) -> Status {
        auto t = impl_->target(tx, head, application_id);
        if (!t) return t.error();
        if (!may_decide(head)) return Error{"evaluation.forbidden", 403, "deciding needs a unit head or admin"};
        const Evaluation& ev = t->evaluation();
        if (ev.decision != DecisionMode::each)
            return Error{"evaluation.wrong_mode", 409, t->code + " is decided over its ranking"};
        if (auto s = check_reason(outcome, reason); !s) return s;
        if (auto s = Impl::lock_application(tx, t->id); !s) return s;
        auto done = Impl::covered(tx, t->id);
        if (!done) return done.error();
        if (*done) return Error{"evaluation.decided", 409, "a decision covers application " + t->id};
        auto lines = impl_->standings(tx, t->administration_id, t->code, head);
        if (!lines) return lines.error();
        const Standing* mine = nullptr;
        for (const auto& s : *lines)
            if (s.application_id == t->id) mine = &s;
        if (!mine || mine->rank == 0)
            return Error{"evaluation.not_ranked", 409, std::to_string(ev.reviews) + " completed reviews are needed"};
        const int score = mine->score_bp.value_or(0);
        if (outcome == Outcome::granted && score < ev.pass_mark * 100)
            return Error{"evaluation.below_pass_mark", 409, "score " + std::to_string(score) + " bp under " +
                                                                 std::to_string(ev.pass_mark) + " %"};
        auto id = tx.query_one(
            "INSERT INTO evaluation_decisions (administration_id, procedure_code, mode, state, decided_by, created_at, finished_at) "
            "VALUES ($1, $2, 'each', 'effective', $3, $4, $4) RETURNING id",
            {t->administration_id, t->code, head.account_id, now});
        if (!id) return id.error();
        if (!*id) return errors::internal("no decision id");
        auto ins = tx.exec("INSERT INTO evaluation_outcomes (decision_id, application_id, outcome, rank, score_bp, reason) "
                           "VALUES ($1, $2, $3, $4, $5, $6)",
                           {(*id)->as_int(0), t->id, std::string(outcome_name(outcome)), std::int64_t{mine->rank},
                            std::int64_t{score}, std::string(reason)});
        if (!ins) return ins.error();
        return {};
    });
}

Result<DecisionSummary> EvaluationService::draw_up(const identity::Principal& head, std::string_view origin,
                                                   std::string_view procedure_code, int funded) {
    const std::int64_t now = impl_->clock.now_ms();
    DecisionSummary out;
    auto s = impl_->db.write_tx([&](storage::Tx& tx) -> Status {
        auto p = impl_->evaluated(tx, head, procedure_code);
        if (!p) return p.error();
        if (!may_decide(head)) return Error{"evaluation.forbidden", 403, "drawing up a decision needs a unit head or admin"};
        const Procedure& pr = **p;
        const Evaluation& ev = *pr.evaluation;
        if (ev.decision != DecisionMode::ranking)
            return Error{"evaluation.wrong_mode", 409, pr.code + " is decided application by application"};
        if (!impl_->circuits) return errors::internal("no parapheur for ranking decisions");
        const std::int64_t adm = *head.administration_id;
        // Orders concurrent draw-ups of the same procedure (a row lock on PostgreSQL).
        auto lock = tx.exec("UPDATE procedures SET loaded_at = loaded_at WHERE code = $1 AND version = $2",
                            {pr.code, std::int64_t{pr.version}});
        if (!lock) return lock.error();
        auto open = tx.query_one("SELECT id FROM evaluation_decisions WHERE administration_id = $1 AND procedure_code = $2 "
                                 "AND state IN ('signing', 'effective')",
                                 {adm, pr.code});
        if (!open) return open.error();
        if (*open) return Error{"evaluation.decided", 409, "decision " + std::to_string((*open)->as_int(0)) + " is signing or effective"};
        auto lines = impl_->standings(tx, adm, pr.code, head);
        if (!lines) return lines.error();
        std::vector<const Standing*> ranked;
        int eligible = 0;
        for (const auto& st : *lines)
            if (st.rank > 0) {
                ranked.push_back(&st);
                if (st.score_bp.value_or(0) >= ev.pass_mark * 100) ++eligible;
            }
        if (ranked.empty()) return Error{"evaluation.nothing_ranked", 409, "no application has its reviews"};
        if (funded < 0 || funded > eligible)
            return Error{"evaluation.funded", 400, "between 0 and " + std::to_string(eligible)};

        auto id = tx.query_one(
            "INSERT INTO evaluation_decisions (administration_id, procedure_code, mode, state, decided_by, created_at) "
            "VALUES ($1, $2, 'ranking', 'signing', $3, $4) RETURNING id",
            {adm, pr.code, head.account_id, now});
        if (!id) return id.error();
        if (!*id) return errors::internal("no decision id");
        out.id = (*id)->as_int(0);

        auto names = tx.query_one("SELECT name_fr, name_ar FROM administrations WHERE id = $1", {adm});
        if (!names) return names.error();
        if (!*names) return errors::internal("administration " + std::to_string(adm));
        DecisionFacts f;
        f.decision_id = out.id;
        f.administration_name_fr = (*names)->as_text(0);
        f.administration_name_ar = (*names)->as_text(1);
        f.procedure_code = pr.code;
        f.procedure_title = pr.title;
        f.granted = ev.granted;
        f.refused = ev.refused;
        f.pass_mark = ev.pass_mark;
        f.reviews = ev.reviews;
        f.criteria = ev.criteria;
        f.drawn_up_by = head.display_name;
        f.drawn_up_at_ms = now;
        int granted_so_far = 0;
        for (std::size_t i = 0; i < ranked.size(); ++i) {
            const Standing& st = *ranked[i];
            const bool grant = granted_so_far < funded && st.score_bp.value_or(0) >= ev.pass_mark * 100;
            if (grant) ++granted_so_far;
            const Outcome o = grant ? Outcome::granted : Outcome::refused;
            DecisionLine dl;
            dl.rank = st.rank;
            dl.register_number = st.register_number;
            dl.subject_ar = st.subject.ar;
            dl.subject_fr = st.subject.fr;
            dl.score_bp = st.score_bp.value_or(0);
            dl.outcome = o;
            f.lines.push_back(std::move(dl));
            auto ins = tx.exec("INSERT INTO evaluation_outcomes (decision_id, application_id, outcome, rank, score_bp) "
                               "VALUES ($1, $2, $3, $4, $5)",
                               {out.id, st.application_id, std::string(outcome_name(o)), std::int64_t{st.rank},
                                std::int64_t{st.score_bp.value_or(0)}});
            if (!ins) return ins.error();
            (grant ? out.granted : out.refused)++;
        }
        auto pdf = render_decision_pdf(f);
        if (!pdf) return pdf.error();
        auto blob = impl_->blobs.put(tx, *pdf);
        if (!blob) return blob.error();
        parapheur::NewCircuit nc;
        nc.template_code = *ev.circuit;
        nc.title = i18n::catalogue().format(head.lang, "evaluation.decision.circuit_title",
                                            {{"title", pr.title.in(head.lang)}, {"id", std::to_string(out.id)}});
        nc.file_name = "decision-" + pr.code + "-" + std::to_string(out.id) + ".pdf";
        nc.pdf = std::move(*pdf);
        nc.purpose = std::string(kPurpose);
        nc.subject_ref = "decision:" + std::to_string(out.id);
        auto circuit = impl_->circuits->start_in_tx(tx, parapheur::Actor{head, std::string(origin)}, nc);
        if (!circuit) return circuit.error();
        auto up = tx.exec("UPDATE evaluation_decisions SET circuit_id = $1, pdf_blob = $2 WHERE id = $3",
                          {*circuit, *blob, out.id});
        if (!up) return up.error();
        out.circuit_id = *circuit;
        return {};
    });
    if (!s) return s.error();
    out.state = DecisionState::signing;
    out.mode = DecisionMode::ranking;
    out.decided_by_name = head.display_name;
    out.created_at_ms = now;
    return out;
}

Result<std::string> EvaluationService::decision_pdf(const identity::Principal& who, std::int64_t decision_id) {
    return impl_->db.read<std::string>([&](storage::Tx& tx) -> Result<std::string> {
        auto row = tx.query_one("SELECT administration_id, state, circuit_id, pdf_blob FROM evaluation_decisions "
                                "WHERE id = $1 AND mode = 'ranking'",
                                {decision_id});
        if (!row) return row.error();
        if (!*row) return errors::not_found("decision");
        const auto& r = **row;
        const std::string state = r.as_text(1);
        bool allowed = false;
        if (auto scope = identity::TenantScope::of(who)) {
            allowed = scope->administration_id() == r.as_int(0);
        } else if (state == "effective") {
            // An applicant whose application the decision covers.
            auto mine = tx.query_one("SELECT 1 FROM evaluation_outcomes o JOIN applications a ON a.id = o.application_id "
                                     "WHERE o.decision_id = $1 AND a.applicant_id = $2",
                                     {decision_id, who.account_id});
            if (!mine) return mine.error();
            allowed = mine->has_value();
        }
        if (!allowed) return errors::not_found("decision");
        // The circuit's current version: signed once effective; the drawn-up original when void.
        if (state != "void" && !r.is_null(2)) return impl_->circuits ? impl_->circuits->current_pdf_in_tx(tx, r.as_int(2))
                                                                        : Result<std::string>(errors::internal("no parapheur"));
        if (r.is_null(3)) return errors::not_found("decision document");
        auto bytes = impl_->blobs.get(tx, r.as_text(3));
        if (!bytes) return bytes.error();
        if (!*bytes) return Error{"storage.unavailable", 503, "decision blob missing"};
        return std::move(**bytes);
    });
}

}  // namespace idara::procedures
