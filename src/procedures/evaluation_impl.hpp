// Internal to procedures/: what the EvaluationService's files share (evaluation.hpp).
#pragma once

#include "procedures/applications.hpp"
#include "procedures/catalogue.hpp"
#include "procedures/evaluation.hpp"
#include "storage/blob_store.hpp"
#include "storage/db.hpp"

#include <memory>

namespace idara::procedures {

struct EvaluationService::Impl {
    storage::Database& db;
    storage::BlobStore& blobs;
    Catalogue& catalogue;
    ApplicationService& apps;
    parapheur::CircuitService* circuits;
    const Clock& clock;

    // A submitted application of an evaluated procedure, in the staff member's administration.
    struct Target {
        std::string id;
        std::string code;
        int version = 0;
        std::int64_t administration_id = 0;
        std::string register_number;
        std::shared_ptr<const Procedure> procedure;  // the version it was filed under
        const Evaluation& evaluation() const { return *procedure->evaluation; }
    };
    // resource.not_found (other administrations, drafts, unknown), evaluation.not_evaluated.
    Result<Target> target(storage::Tx& tx, const identity::Principal& staff, std::string_view id);

    // The current version of `code`, run by the staff member's administration, with an evaluation.
    Result<std::shared_ptr<const Procedure>> evaluated(storage::Tx& tx, const identity::Principal& staff,
                                                       std::string_view code);

    // The board's lines of `code` in administration `adm`, ranked first (see evaluation.hpp).
    Result<std::vector<Standing>> standings(storage::Tx& tx, std::int64_t adm, std::string_view code,
                                            const identity::Principal& reader);

    // Whether a signing or effective decision covers the application.
    static Result<bool> covered(storage::Tx& tx, std::string_view application_id);
    // Takes the application's row lock (PostgreSQL; SQLite serialises writers anyway) so that two
    // heads deciding at once are ordered.
    static Status lock_application(storage::Tx& tx, std::string_view application_id);
};

// The stored names back (outcome_name, decision_state_name); refused / void for anything else.
Outcome parse_outcome(std::string_view s);
DecisionState parse_decision_state(std::string_view s);

// A unit head or admin of their administration: assigns reviewers and decides.
bool may_decide(const identity::Principal& p);
// Code points of `s` (limits on comments and reasons).
std::size_t code_points(std::string_view s);
// The scores stored as a JSON object (criterion -> points).
std::map<std::string, int> parse_scores(std::string_view json_text);
// The weighted percentage of `scores` under `criteria`, in basis points (0..10000).
int weighted_bp(const std::vector<Criterion>& criteria, const std::map<std::string, int>& scores);

}  // namespace idara::procedures
