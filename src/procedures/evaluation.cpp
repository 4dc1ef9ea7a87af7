// The evaluation service's shared parts, the reviewers' side and the applicants' and public views
// (evaluation.hpp). The board is in evaluation_board.cpp, decisions in evaluation_decision.cpp.
#include "procedures/evaluation_impl.hpp"

#include "procedures/applications_impl.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cmath>

namespace idara::procedures {

namespace json = boost::json;

std::string_view outcome_name(Outcome o) { return o == Outcome::granted ? "granted" : "refused"; }

std::string_view decision_state_name(DecisionState s) {
    switch (s) {
        case DecisionState::signing: return "signing";
        case DecisionState::effective: return "effective";
        case DecisionState::void_: return "void";
    }
    return "void";
}

Outcome parse_outcome(std::string_view s) { return s == "granted" ? Outcome::granted : Outcome::refused; }

DecisionState parse_decision_state(std::string_view s) {
    if (s == "signing") return DecisionState::signing;
    if (s == "effective") return DecisionState::effective;
    return DecisionState::void_;
}

bool may_decide(const identity::Principal& p) {
    return p.is_staff() && (p.has_role(identity::Role::unit_head) || p.has_role(identity::Role::admin));
}

std::size_t code_points(std::string_view s) {
    std::size_t n = 0;
    for (unsigned char c : s)
        if ((c & 0xC0) != 0x80) ++n;
    return n;
}

int weighted_bp(const std::vector<Criterion>& criteria, const std::map<std::string, int>& scores) {
    std::int64_t got = 0, max = 0;
    for (const auto& c : criteria) {
        auto it = scores.find(c.id);
        got += std::int64_t{it == scores.end() ? 0 : it->second} * c.weight;
        max += std::int64_t{c.max} * c.weight;
    }
    if (max == 0) return 0;
    return static_cast<int>((got * 10000 + max / 2) / max);
}

EvaluationService::EvaluationService(storage::Database& db, storage::BlobStore& blobs, Catalogue& catalogue,
                                     ApplicationService& applications, parapheur::CircuitService* circuits,
                                     const Clock& clock)
    : impl_(std::make_unique<Impl>(Impl{db, blobs, catalogue, applications, circuits, clock})) {}

EvaluationService::~EvaluationService() = default;

Result<EvaluationService::Impl::Target> EvaluationService::Impl::target(storage::Tx& tx, const identity::Principal& staff,
                                                                        std::string_view id) {
    auto scope = identity::TenantScope::of(staff);
    if (!scope) return errors::not_found("application");
    auto row = tx.query_one(
        "SELECT a.procedure_code, a.procedure_version, e.administration_id, e.register_number "
        "FROM applications a JOIN entries e ON e.id = a.entry_id WHERE a.id = $1 AND a.state = 'submitted'",
        {std::string(id)});
    if (!row) return row.error();
    if (!*row || (*row)->as_int(2) != scope->administration_id()) return errors::not_found("application");
    Target t;
    t.id = std::string(id);
    t.code = (*row)->as_text(0);
    t.version = static_cast<int>((*row)->as_int(1));
    t.administration_id = (*row)->as_int(2);
    t.register_number = (*row)->as_text(3);
    auto pub = catalogue.version(t.code, t.version);
    if (!pub) return pub.error();
    if (!pub->procedure->evaluation) return Error{"evaluation.not_evaluated", 404, t.code + " has no evaluation"};
    t.procedure = pub->procedure;
    return t;
}

Result<std::shared_ptr<const Procedure>> EvaluationService::Impl::evaluated(storage::Tx& tx, const identity::Principal& staff,
                                                                           std::string_view code) {
    auto scope = identity::TenantScope::of(staff);
    if (!scope) return errors::not_found("procedure");
    auto pub = catalogue.current(code);
    if (!pub) return pub.error();
    auto row = tx.query_one("SELECT administration_id FROM procedures WHERE code = $1 AND version = $2",
                            {std::string(code), std::int64_t{pub->procedure->version}});
    if (!row) return row.error();
    if (!*row || (*row)->is_null(0) || (*row)->as_int(0) != scope->administration_id()) return errors::not_found("procedure");
    if (!pub->procedure->evaluation) return Error{"evaluation.not_evaluated", 404, std::string(code) + " has no evaluation"};
    return pub->procedure;
}

Result<bool> EvaluationService::Impl::covered(storage::Tx& tx, std::string_view application_id) {
    auto r = tx.query_one(
        "SELECT 1 FROM evaluation_outcomes o JOIN evaluation_decisions d ON d.id = o.decision_id "
        "WHERE o.application_id = $1 AND d.state IN ('signing', 'effective')",
        {std::string(application_id)});
    if (!r) return r.error();
    return r->has_value();
}

Status EvaluationService::Impl::lock_application(storage::Tx& tx, std::string_view application_id) {
    auto n = tx.exec("UPDATE applications SET updated_at = updated_at WHERE id = $1", {std::string(application_id)});
    if (!n) return n.error();
    return {};
}

Result<std::vector<EvaluatedProcedure>> EvaluationService::procedures(const identity::Principal& staff) {
    auto scope = identity::TenantScope::of(staff);
    if (!scope) return errors::not_found("evaluation");
    auto list = impl_->catalogue.list();
    if (!list) return list.error();
    return impl_->db.read<std::vector<EvaluatedProcedure>>([&](storage::Tx& tx) -> Result<std::vector<EvaluatedProcedure>> {
        std::vector<EvaluatedProcedure> out;
        for (const auto& pub : *list) {
            const Procedure& p = *pub.procedure;
            if (!p.evaluation) continue;
            auto own = impl_->evaluated(tx, staff, p.code);
            if (!own) {
                if (own.error().code == "resource.not_found") continue;
                return own.error();
            }
            auto lines = impl_->standings(tx, scope->administration_id(), p.code, staff);
            if (!lines) return lines.error();
            EvaluatedProcedure e{p.code, p.title, p.evaluation->decision};
            for (const auto& s : *lines) {
                ++e.submitted;
                if (s.rank > 0) ++e.ranked;
                if (s.outcome) ++e.decided;
            }
            out.push_back(std::move(e));
        }
        return out;
    });
}

Result<std::vector<Assignment>> EvaluationService::my_reviews(const identity::Principal& staff) {
    auto scope = identity::TenantScope::of(staff);
    if (!scope) return errors::not_found("evaluation");
    auto rows = impl_->db.read<storage::Rows>([&](storage::Tx& tx) {
        return tx.query(
            "SELECT a.id, a.procedure_code, a.procedure_version, e.register_number, r.assigned_at, r.submitted_at "
            "FROM evaluation_reviews r JOIN applications a ON a.id = r.application_id JOIN entries e ON e.id = a.entry_id "
            "WHERE r.reviewer_id = $1 AND e.administration_id = $2 "
            "ORDER BY CASE WHEN r.submitted_at IS NULL THEN 0 ELSE 1 END, r.assigned_at, a.id",
            {staff.account_id, scope->administration_id()});
    });
    if (!rows) return rows.error();
    std::vector<Assignment> out;
    for (const auto& r : *rows) {
        Assignment a;
        a.application_id = r.as_text(0);
        a.procedure_code = r.as_text(1);
        auto pub = impl_->catalogue.version(a.procedure_code, static_cast<int>(r.as_int(2)));
        if (!pub) return pub.error();
        a.procedure_title = pub->procedure->title;
        a.register_number = r.as_text(3);
        a.assigned_at_ms = r.as_int(4);
        a.reviewed = !r.is_null(5);
        out.push_back(std::move(a));
    }
    return out;
}

Status EvaluationService::assign(const identity::Principal& head, std::string_view application_id, std::int64_t reviewer_id) {
    const std::int64_t now = impl_->clock.now_ms();
    return impl_->db.write_tx([&](storage::Tx& tx) -> Status {
        auto t = impl_->target(tx, head, application_id);
        if (!t) return t.error();
        if (!may_decide(head)) return Error{"evaluation.forbidden", 403, "assigning reviewers needs a unit head or admin"};
        if (auto s = Impl::lock_application(tx, t->id); !s) return s;
        auto done = Impl::covered(tx, t->id);
        if (!done) return done.error();
        if (*done) return Error{"evaluation.decided", 409, "a decision covers application " + t->id};
        auto staff = tx.query_one(
            "SELECT 1 FROM accounts c JOIN memberships m ON m.account_id = c.id "
            "WHERE c.id = $1 AND c.kind = 'staff' AND c.disabled = 0 AND m.administration_id = $2",
            {reviewer_id, t->administration_id});
        if (!staff) return staff.error();
        if (!*staff) return Error{"evaluation.reviewer", 400, "account " + std::to_string(reviewer_id) + " is not active staff here"};
        auto had = tx.query_one("SELECT 1 FROM evaluation_reviews WHERE application_id = $1 AND reviewer_id = $2",
                                {t->id, reviewer_id});
        if (!had) return had.error();
        if (*had) return Error{"evaluation.already_assigned", 409, "reviewer " + std::to_string(reviewer_id)};
        auto ins = tx.exec("INSERT INTO evaluation_reviews (application_id, reviewer_id, assigned_by, assigned_at) "
                           "VALUES ($1, $2, $3, $4)",
                           {t->id, reviewer_id, head.account_id, now});
        if (!ins) return ins.error();
        return {};
    });
}

namespace {

// A criterion's score from the form: a whole number 0..max.
std::optional<int> points(std::string_view text, int max) {
    if (text.empty() || text.size() > 3) return std::nullopt;
    int n = 0;
    for (char c : text) {
        if (c < '0' || c > '9') return std::nullopt;
        n = n * 10 + (c - '0');
    }
    if (n > max) return std::nullopt;
    return n;
}

std::string scores_json(const std::map<std::string, int>& scores) {
    json::object o;
    for (const auto& [k, v] : scores) o[k] = v;
    return json::serialize(o);
}

}  // namespace

std::map<std::string, int> parse_scores(std::string_view text) {
    std::map<std::string, int> out;
    boost::system::error_code ec;
    auto v = json::parse(text, ec);
    if (ec || !v.is_object()) return out;
    for (const auto& [k, s] : v.as_object())
        if (s.is_int64()) out[std::string(k)] = static_cast<int>(s.as_int64());
    return out;
}

Result<Review> EvaluationService::review(const identity::Principal& reviewer, std::string_view application_id,
                                         const std::map<std::string, std::string>& form, std::string_view comment,
                                         bool no_conflict_declared) {
    const std::int64_t now = impl_->clock.now_ms();
    Review out;
    auto s = impl_->db.write_tx([&](storage::Tx& tx) -> Status {
        auto t = impl_->target(tx, reviewer, application_id);
        if (!t) return t.error();
        auto row = tx.query_one("SELECT assigned_at FROM evaluation_reviews WHERE application_id = $1 AND reviewer_id = $2",
                                {t->id, reviewer.account_id});
        if (!row) return row.error();
        if (!*row) return Error{"evaluation.not_reviewer", 403, "not a reviewer of application " + t->id};
        if (auto l = Impl::lock_application(tx, t->id); !l) return l;
        auto done = Impl::covered(tx, t->id);
        if (!done) return done.error();
        if (*done) return Error{"evaluation.decided", 409, "a decision covers application " + t->id};
        std::map<std::string, int> scores;
        for (const auto& c : t->evaluation().criteria) {
            auto it = form.find(c.id);
            auto n = it == form.end() ? std::nullopt : points(it->second, c.max);
            if (!n) return Error{"evaluation.score", 400, c.id};
            scores[c.id] = *n;
        }
        if (code_points(comment) > 4000) return Error{"evaluation.comment", 400, "over 4000 characters"};
        if (!no_conflict_declared) return Error{"evaluation.conflict_not_declared", 400, "no-conflict declaration missing"};
        const int bp = weighted_bp(t->evaluation().criteria, scores);
        auto n = tx.exec("UPDATE evaluation_reviews SET scores = $1, score_bp = $2, comment = $3, no_conflict_at = $4, "
                         "submitted_at = $4 WHERE application_id = $5 AND reviewer_id = $6",
                         {scores_json(scores), std::int64_t{bp}, std::string(comment), now, t->id, reviewer.account_id});
        if (!n) return n.error();
        out.reviewer_id = reviewer.account_id;
        out.reviewer_name = reviewer.display_name;
        out.assigned_at_ms = (*row)->as_int(0);
        out.submitted_at_ms = now;
        out.scores = std::move(scores);
        out.comment = std::string(comment);
        out.score_bp = bp;
        return {};
    });
    if (!s) return s.error();
    return out;
}

Result<std::optional<ApplicantOutcome>> EvaluationService::outcome_of(const identity::Principal& applicant,
                                                                      std::string_view application_id) {
    auto a = impl_->apps.get(applicant, application_id);  // the applicant only
    if (!a) return a.error();
    auto pub = impl_->catalogue.version(a->procedure_code, a->procedure_version);
    if (!pub) return pub.error();
    const Procedure& p = *pub->procedure;
    if (!p.evaluation || a->state != State::submitted) return std::optional<ApplicantOutcome>{};
    auto row = impl_->db.read<std::optional<storage::Row>>([&](storage::Tx& tx) {
        return tx.query_one(
            "SELECT o.outcome, d.finished_at, o.reason, d.id, d.mode FROM evaluation_outcomes o "
            "JOIN evaluation_decisions d ON d.id = o.decision_id WHERE o.application_id = $1 AND d.state = 'effective'",
            {a->id});
    });
    if (!row) return row.error();
    if (!*row) return std::optional<ApplicantOutcome>{};
    const auto& r = **row;
    ApplicantOutcome o;
    o.outcome = parse_outcome(r.as_text(0));
    o.name = o.outcome == Outcome::granted ? p.evaluation->granted : p.evaluation->refused;
    o.decided_at_ms = r.opt_int(1).value_or(0);
    o.reason = r.as_text(2);
    if (r.as_text(4) == "ranking") o.decision_id = r.as_int(3);
    return std::optional<ApplicantOutcome>{std::move(o)};
}

Result<PublicListing> EvaluationService::directory(std::string_view procedure_code) {
    auto pub = impl_->catalogue.current(procedure_code);
    if (!pub) return pub.error();
    const Procedure& cur = *pub->procedure;
    if (!cur.evaluation || !cur.evaluation->directory) return errors::not_found("directory");
    PublicListing out;
    out.procedure_code = cur.code;
    out.procedure_title = cur.title;
    out.title = cur.evaluation->directory->title;
    out.granted = cur.evaluation->granted;
    auto rows = impl_->db.read<storage::Rows>([&](storage::Tx& tx) {
        return tx.query(
            "SELECT a.id, a.procedure_version, a.answers, e.register_number, d.finished_at FROM evaluation_outcomes o "
            "JOIN evaluation_decisions d ON d.id = o.decision_id JOIN applications a ON a.id = o.application_id "
            "JOIN entries e ON e.id = a.entry_id "
            "WHERE a.procedure_code = $1 AND o.outcome = 'granted' AND d.state = 'effective' "
            "AND e.administration_id = d.administration_id ORDER BY d.finished_at DESC, e.register_number",
            {cur.code});
    });
    if (!rows) return rows.error();
    for (const auto& r : *rows) {
        auto ver = impl_->catalogue.version(cur.code, static_cast<int>(r.as_int(1)));
        if (!ver) return ver.error();
        const Procedure& p = *ver->procedure;
        // The directory of the version the application was filed under says what is public.
        if (!p.evaluation || !p.evaluation->directory) continue;
        Application a;
        a.answers = decode_answers(r.as_text(2));
        DirectoryLine line;
        line.register_number = r.as_text(3);
        line.granted_at_ms = r.opt_int(4).value_or(0);
        for (const auto& name : p.evaluation->directory->fields) {
            const Field* f = p.field(name);
            const auto* v = a.answers.if_contains(name);
            if (!f || !v) continue;
            line.values.push_back({f->label, Text{answer_text(p, *f, *v, i18n::Lang::ar), answer_text(p, *f, *v, i18n::Lang::fr)}});
        }
        out.lines.push_back(std::move(line));
    }
    return out;
}

}  // namespace idara::procedures
