// Evaluation of applications by reviewers, their ranking and the decision (docs/design/evaluation.md;
// the file's `evaluation` section, procedure.hpp).
//
// For a procedure with an `evaluation`, every submitted application of the procedure's
// administration is on the procedure's board:
//   1. a unit head or admin of the administration assigns reviewers: active staff of the same
//      administration (any role);
//   2. each assigned reviewer scores every criterion (0..max), declares having no conflict of
//      interest with the applicant, and may comment; a reviewer may change their review until a
//      decision covers the application. Reviews are blind: a reviewer sees only their own; unit
//      heads and admins see all;
//   3. an application's score is the mean over its completed reviews of the weighted percentage
//      sum(score_i * weight_i) / sum(max_i * weight_i), in basis points (0..10000). The board is
//      the ranking: applications with at least `reviews` completed reviews, by score (highest
//      first; ties by register number), then the others;
//   4. the decision:
//      - mode `each` (labels): a unit head or admin grants or refuses one ranked application; it
//        is effective at once. Granting needs a score at or above the pass mark. A granted
//        application of a procedure with a `directory` appears in the public directory
//        (directory(), no login) with the chosen answers and the date;
//      - mode `ranking` (calls for projects): a unit head or admin draws up the decision over the
//        ranked applications, funding the first `funded` of those at or above the pass mark and
//        refusing the rest. A bilingual PDF of the decision (render_decision_pdf) is started in
//        the parapheur on the file's `circuit` template (purpose "evaluation", subject_ref
//        "decision:<id>"). The decision is `signing` until the circuit ends: completed makes it
//        `effective` (its outcomes are then seen by applicants, with the signed PDF); rejected
//        or cancelled makes it `void` and a new one may be drawn up. Only one decision per
//        procedure may be signing or effective at a time.
//   Applicants see the outcome of an effective decision on their application (outcome_of).
//
// Errors (bilingual under error.evaluation.* in web/i18n/*/evaluation.json):
//   evaluation.not_evaluated (404: the procedure has no evaluation)
//   evaluation.forbidden (403: not a unit head or admin of the administration, for assign/decide)
//   evaluation.not_reviewer (403: reviewing an application one is not assigned to)
//   evaluation.reviewer (400: the reviewer is not active staff of the administration)
//   evaluation.already_assigned (409)
//   evaluation.score (400: a criterion missing, not a whole number, or outside 0..max; detail names it)
//   evaluation.comment (400: over 4000 characters)
//   evaluation.conflict_not_declared (400: the no-conflict declaration was not made)
//   evaluation.decided (409: a decision already covers the application / the procedure has a
//     decision signing or effective)
//   evaluation.not_ranked (409: fewer completed reviews than the file asks)
//   evaluation.below_pass_mark (409: granting an application under the pass mark)
//   evaluation.wrong_mode (409: decide() on a ranking procedure or draw_up() on an each one)
//   evaluation.funded (400: funded outside 0..number of ranked applications at or above the pass mark)
//   evaluation.nothing_ranked (409: draw_up with no ranked application)
//   evaluation.reason (400: decide's reason over 2000 characters; required when refusing)
//   resource.not_found (404: an application or procedure of another administration, or none)
// plus the parapheur's errors from starting the circuit (parapheur.unknown_template, ...).
//
// Every write runs in one transaction; a failure leaves nothing behind.
// Thread-safety: an EvaluationService may be used from any number of threads.
#pragma once

#include "core/clock.hpp"
#include "core/error.hpp"
#include "identity/principal.hpp"
#include "procedures/procedure.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace idara::storage {
class Database;
class BlobStore;
class Tx;
}  // namespace idara::storage
namespace idara::parapheur {
class CircuitService;
}

namespace idara::procedures {

class Catalogue;
class ApplicationService;

enum class Outcome { granted, refused };
std::string_view outcome_name(Outcome o);  // "granted", "refused"

enum class DecisionState { signing, effective, void_ };
std::string_view decision_state_name(DecisionState s);  // "signing", "effective", "void"

struct Review {
    std::int64_t reviewer_id = 0;
    std::string reviewer_name;
    std::int64_t assigned_at_ms = 0;
    std::optional<std::int64_t> submitted_at_ms;  // nullopt: assigned, not reviewed yet
    std::map<std::string, int> scores;            // criterion id -> points
    std::string comment;
    std::optional<int> score_bp;                  // this review's weighted percentage, basis points
};

// One application on the board.
struct Standing {
    std::string application_id;
    std::string register_number;
    std::string applicant_name;       // the account's display name (or the assisted person's)
    Text subject;                     // the receipt subject, in both languages
    std::int64_t submitted_at_ms = 0;
    int reviews_done = 0, reviews_assigned = 0;
    std::optional<int> score_bp;      // mean of the completed reviews
    int rank = 0;                     // 1.. among ranked applications; 0: not ranked yet
    bool mine_to_review = false;      // the reader is assigned and has not reviewed yet
    std::optional<Outcome> outcome;   // of a decision signing or effective
    std::optional<DecisionState> decision_state;
};

struct DecisionSummary {
    std::int64_t id = 0;
    DecisionState state = DecisionState::signing;
    DecisionMode mode = DecisionMode::each;
    std::optional<std::int64_t> circuit_id;       // ranking
    std::string decided_by_name;
    std::int64_t created_at_ms = 0;
    std::optional<std::int64_t> finished_at_ms;   // effective or void
    int granted = 0, refused = 0;
};

struct Board {
    std::string procedure_code;
    Text title;                       // the current version's
    Evaluation evaluation;            // of the current version
    std::vector<Standing> standings;  // ranked first (by rank), then unranked (oldest first)
    std::vector<DecisionSummary> decisions;  // ranking mode: newest first; each mode: empty
    bool may_decide = false;          // the reader is a unit head or admin of the administration
};

// One application seen by staff on the board.
struct Dossier {
    Standing standing;
    std::string procedure_code;
    int procedure_version = 0;
    Evaluation evaluation;            // of the version the application was filed under
    std::vector<std::pair<Text, Text>> answers;  // field label -> answer in both languages, in field order
    std::vector<Review> reviews;      // all (heads) or the reader's own (reviewers); assignment order
    std::optional<Review> my_review;  // the reader's, when assigned
    bool may_decide = false;
    std::optional<std::string> decision_reason;
    // Staff who may be assigned (active staff of the administration not yet assigned), for heads.
    std::vector<std::pair<std::int64_t, std::string>> assignable;
};

// A reviewer's queue line.
struct Assignment {
    std::string application_id;
    std::string procedure_code;
    Text procedure_title;
    std::string register_number;
    std::int64_t assigned_at_ms = 0;
    bool reviewed = false;
};

// The procedures with an evaluation that the reader's administration runs.
struct EvaluatedProcedure {
    std::string code;
    Text title;
    DecisionMode mode = DecisionMode::each;
    int submitted = 0, ranked = 0, decided = 0;
};

// What the applicant sees once a decision covering their application is effective.
struct ApplicantOutcome {
    Outcome outcome = Outcome::refused;
    Text name;                        // Evaluation::granted or refused
    std::int64_t decided_at_ms = 0;
    std::string reason;               // each mode: the head's reason (may be empty)
    std::optional<std::int64_t> decision_id;  // ranking: the signed decision (decision_pdf)
};

// A line of the public directory.
struct DirectoryLine {
    std::string register_number;
    std::int64_t granted_at_ms = 0;
    std::vector<std::pair<Text, Text>> values;  // directory field label -> answer, in both languages
};

struct PublicListing {
    std::string procedure_code;
    Text procedure_title;
    Text title;                       // PublicDirectory::title
    Text granted;                     // the outcome's name
    std::vector<DirectoryLine> lines; // newest grant first
};

// The facts printed on a ranking decision (render_decision_pdf, evaluation_pdf.cpp).
struct DecisionLine {
    int rank = 0;
    std::string register_number;
    std::string subject_fr, subject_ar;
    int score_bp = 0;
    Outcome outcome = Outcome::refused;
};
struct DecisionFacts {
    std::int64_t decision_id = 0;
    std::string administration_name_fr, administration_name_ar;
    std::string procedure_code;
    Text procedure_title;
    Text granted, refused;            // the outcomes' names
    int pass_mark = 0;                // percent
    int reviews = 0;                  // reviews per application
    std::vector<Criterion> criteria;
    std::vector<DecisionLine> lines;  // by rank
    std::string drawn_up_by;
    std::int64_t drawn_up_at_ms = 0;
};
// A bilingual A4 PDF: title, the call, the method (criteria, weights, pass mark), the ranking
// table with the outcome of each line, and room for the parapheur's signature stamps on the last
// page. Errors: receipt.render (500).
Result<std::string> render_decision_pdf(const DecisionFacts& f);

class EvaluationService {
public:
    // circuits may be null in tests of mode `each` only (draw_up then fails with internal).
    EvaluationService(storage::Database& db, storage::BlobStore& blobs, Catalogue& catalogue,
                      ApplicationService& applications, parapheur::CircuitService* circuits,
                      const Clock& clock = system_clock());
    ~EvaluationService();
    EvaluationService(const EvaluationService&) = delete;
    EvaluationService& operator=(const EvaluationService&) = delete;

    // Registers the parapheur outcome hook (purpose "evaluation"). Call once, before sharing.
    void attach();

    // ---- staff of the administration
    Result<std::vector<EvaluatedProcedure>> procedures(const identity::Principal& staff);
    Result<Board> board(const identity::Principal& staff, std::string_view procedure_code);
    Result<Dossier> dossier(const identity::Principal& staff, std::string_view application_id);
    Result<std::vector<Assignment>> my_reviews(const identity::Principal& staff);

    Status assign(const identity::Principal& head, std::string_view application_id, std::int64_t reviewer_id);
    // scores: criterion id -> the form's text ("7"); every criterion is required.
    Result<Review> review(const identity::Principal& reviewer, std::string_view application_id,
                          const std::map<std::string, std::string>& scores, std::string_view comment,
                          bool no_conflict_declared);

    // Mode each: grants or refuses one ranked application.
    Status decide(const identity::Principal& head, std::string_view application_id, Outcome outcome,
                  std::string_view reason);
    // Mode ranking: draws up the decision and starts its signature circuit. `origin` as the
    // parapheur's Actor ("web 192.0.2.1"). Returns the decision.
    Result<DecisionSummary> draw_up(const identity::Principal& head, std::string_view origin,
                                    std::string_view procedure_code, int funded);
    // The decision's PDF: staff of the administration (any state); applicants of the procedure
    // once effective (the signed version). resource.not_found otherwise.
    Result<std::string> decision_pdf(const identity::Principal& who, std::int64_t decision_id);

    // ---- applicants
    // The outcome of the applicant's application, once an effective decision covers it.
    Result<std::optional<ApplicantOutcome>> outcome_of(const identity::Principal& applicant,
                                                       std::string_view application_id);

    // ---- public (no login)
    // resource.not_found when the procedure has no directory.
    Result<PublicListing> directory(std::string_view procedure_code);

    struct Impl;

private:
    std::unique_ptr<Impl> impl_;
};

}  // namespace idara::procedures
