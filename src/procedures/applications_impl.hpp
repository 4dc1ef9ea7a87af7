// Internal to procedures/: what the ApplicationService's files share.
#pragma once

#include "procedures/applications.hpp"
#include "procedures/exchange_client.hpp"
#include "registry/deposit.hpp"
#include "storage/blob_store.hpp"
#include "storage/db.hpp"

#include <boost/json.hpp>

namespace idara::procedures {

struct ApplicationService::Impl {
    storage::Database& db;
    storage::BlobStore& blobs;
    Catalogue& catalogue;
    registry::DepositService& deposits;
    ExchangeClient* exchange;
    registry::AttachmentLimits limits;
    const Clock& clock;

    // The application `id` as stored (consents, documents, register number); not_found when unknown.
    static Result<Application> load(storage::Tx& tx, std::string_view id);
    // The application, only for its applicant (others: resource.not_found).
    Result<Application> load_own(const identity::Principal& who, std::string_view id);
    // load_own, and application.invalid_state unless it is a draft.
    Result<Application> load_draft(storage::Tx& tx, const identity::Principal& who, std::string_view id);
    // load_draft, with the procedure version the draft was started under.
    struct Draft {
        Application app;
        Published pub;
        const Procedure& procedure() const { return *pub.procedure; }
    };
    Result<Draft> open_draft(storage::Tx& tx, const identity::Principal& who, std::string_view id);
    // Writes answers, sources and visited of `a` (state unchanged), with updated_at = now.
    Status save(storage::Tx& tx, const Application& a);
    // A new draft of the current version of `code` for `account_id` (and the citizen an agent files
    // for); application.closed outside the procedure's window. Returns its id.
    Result<std::string> new_draft(std::string_view code, std::int64_t account_id, const AssistedPerson* assisted);
    // Summaries of the applications `where` selects (SQL after the FROM clause's joins, with its
    // ORDER BY and LIMIT; `a` is applications, `e` entries, `f` entry_flow).
    Result<std::vector<ApplicationSummary>> summaries(std::string_view where, const storage::Params& params);
};

// ---- form_values.cpp: answers against the form schema

// The typed JSON value of a form string for `field` of `p` (by its schema type: integer, number,
// boolean, else string); nullopt for an empty answer (and an unticked checkbox is false).
std::optional<boost::json::value> typed_value(const Procedure& p, std::string_view field, std::string_view raw);
// The problems of the fields listed, given the answers (required fields of a declined lookup are
// excused).
std::vector<FieldProblem> field_problems(const Procedure& p, const Application& a, const std::vector<std::string>& fields);
// Fields whose lookup `a` declined.
bool excused(const Procedure& p, const Application& a, const Field& f);
// Whether upload document `d` must be given: required and (not fetched, or its lookup declined).
bool upload_needed(const Application& a, const Document& d);
// Whether the applicant may upload `d` (not fetched, or its lookup declined).
bool uploadable(const Application& a, const Document& d);
// The answer as text in `l` (an option's label, "oui/non", a number as written).
std::string answer_text(const Procedure& p, const Field& f, const boost::json::value& v, i18n::Lang l);

// ---- applications.cpp
// The `answers` column: a JSON object (empty when the text is not one).
boost::json::object decode_answers(std::string_view text);

// ---- applications_deposit.cpp
// Template `t` with "{name}" replaced by the answers' text in `l`; unknown names left as they are.
std::string fill_template(const Procedure& p, const Application& a, const std::string& t, i18n::Lang l);

}  // namespace idara::procedures
