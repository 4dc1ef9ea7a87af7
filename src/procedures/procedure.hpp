// A procedure: one public service as data (docs/design/portal.md, docs/PROCEDURES.md).
//
// A procedure file is a JSON document, `procedures/<code>/v<N>.json` in the repository or any
// file given to `idara procedures load`. It is checked in two passes:
//   1. against the JSON Schema of procedure files (`procedures/procedure.schema.json`, validated
//      with valijson): shapes, types, codes, required keys;
//   2. for consistency: every step field is declared in `fields` and in the form schema, every
//      `from`/`fetched_by` names a lookup, lookup path placeholders are fields asked in an earlier
//      step, option values match the form schema's enum, the form
//      schema is itself a usable JSON Schema (valijson accepts it), dates are real dates.
// A refusal is procedure.invalid (400) whose detail names the line, the column and the reason:
// "line 12, column 7: /steps/0/fields/1: unknown field \"cin\"" (the position of the value the
// JSON pointer names, found with Boost.JSON's parser).
//
// A parsed Procedure is immutable; the text it came from is kept (ProcedureFile::text) so that an
// application is always shown with the version it was filed under.
#pragma once

#include "core/error.hpp"
#include "core/i18n.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace idara::procedures {

// A text in both languages (both required, 1..2000 characters).
struct Text {
    std::string ar, fr;
    const std::string& in(i18n::Lang l) const { return l == i18n::Lang::ar ? ar : fr; }
    bool empty() const { return ar.empty() && fr.empty(); }
};

// administration: one administration of the directory (its code), chosen by the applicant.
enum class Widget { text, textarea, number, date, radio, select, checkbox, administration };
std::string_view widget_name(Widget w);

struct Option {
    std::string value;  // the form value, one of the schema's enum
    Text label;
};

// One question of the form. Its type and constraints live in the form schema
// (`form.properties[name]`); this says how it is asked.
struct Field {
    std::string name;                 // [a-z][a-z0-9_]{0,63}
    Text label;
    Text hint;                        // optional (empty)
    Text error;                       // the message when the answer does not fit the schema
    Widget widget = Widget::text;
    std::vector<Option> options;      // radio, select
    std::optional<std::string> from;  // a lookup id: filled by the exchange, never asked
    bool in_receipt = true;           // shown in the registered entry's text
};

// Data another administration holds, fetched through the exchange with the applicant's consent.
// The lookup path placeholder of the applicant's national id: the account's CIN (digital identity),
// or, for an assisted filing, the CIN the agent checked at the desk. Never asked in the form.
inline constexpr std::string_view kAccountNationalId = "account.national_id";

struct Lookup {
    std::string id;                   // [a-z][a-z0-9_]{0,63}
    std::string service;              // X-Road service id "MA/GOV/MEN/bac-results/bac-result"
    std::string path;                 // "/results/{student_number}": placeholders are fields asked
                                      // at or before the step the lookup follows (URL-encoded), or
                                      // {account.national_id}: the applicant's national identity
                                      // number as the platform knows it (kAccountNationalId)
    Text provider;                    // "Ministry of National Education"
    Text purpose;                     // what is fetched and why (the consent text shows it)
    std::map<std::string, std::string> fills;  // field name -> JSON pointer in the response
    // Consent is asked for each lookup; its text (purpose + provider) is versioned with the file.
};

struct Document {
    std::string code;                 // [a-z][a-z0-9_]{0,63}
    Text title;
    bool required = true;
    std::optional<std::string> fetched_by;  // a lookup id: the administration fetches it itself
};

struct Step {
    std::string id;                   // [a-z][a-z0-9-]{0,31}; the URL segment of the page
    Text title;                       // the page's question or heading
    std::vector<std::string> fields;  // asked on this page, in order (1..20)
    std::optional<std::string> lookup;  // after this page: the consent page of this lookup
};

struct Fee {
    std::int64_t amount_centimes = 0; // > 0
    std::string currency = "MAD";
    Text label;                       // "Frais de dossier"
};

enum class Silence { approval, rejection };  // the regime when the administration stays silent

// A submission window (Casablanca civil dates, inclusive).
struct Window {
    std::string opens_on, closes_on;  // "2026-09-01"
    // Whether civil day `day` ("2026-11-27") is inside the window (ISO dates compare as text).
    bool contains(std::string_view day) const { return day >= opens_on && day <= closes_on; }
};

// ---- Scored questionnaires (docs/PROCEDURES.md "Scoring"; scoring.hpp computes, the report is a PDF)
// A scored field is a radio or select field whose option values are whole numbers 0..100: the
// value is the option's points, the field's maximum is its highest option.
struct Level {
    int from_percent = 0;             // the overall percentage from which this level applies
    Text title;                       // "Débutant", "Avancé"
    Text summary;                     // what the level means, shown in the report
};
struct Dimension {
    std::string id;                   // [a-z][a-z0-9_]{0,31}
    Text title;                       // "Stratégie"
    std::vector<std::string> fields;  // scored fields (1..20), each in one dimension only
    Text advice;                      // shown in the report when the dimension is below advice_below
};
// The points of a scored option's value: a whole number 0..100 written without leading zeros
// ("0", "3", "100"); nullopt for anything else (the checks refuse such options).
std::optional<int> option_points(std::string_view value);

struct Scoring {
    std::vector<Dimension> dimensions;  // 1..12
    std::vector<Level> levels;          // 1..10, the first from 0, ascending
    int advice_below = 67;              // percent
};

// ---- Evaluation by reviewers and a decision (docs/PROCEDURES.md "Evaluation"; evaluation.hpp)
struct Criterion {
    std::string id;                   // [a-z][a-z0-9_]{0,31}
    Text title;
    Text hint;                        // optional: what reviewers look at
    int max = 10;                     // a reviewer gives 0..max (1..100)
    int weight = 1;                   // 1..10
};
enum class DecisionMode {
    each,     // one decision per application by a unit head (labels): effective at once
    ranking,  // one decision over the ranking (calls for projects), signed through a parapheur circuit
};
// The public directory of granted applications (decision mode each): which answers are shown.
struct PublicDirectory {
    Text title;                       // "Entreprises labellisées"
    std::vector<std::string> fields;  // 1..10 fields asked in the journey (never fetched data)
};
struct Evaluation {
    std::vector<Criterion> criteria;  // 1..20
    int reviews = 2;                  // completed reviews needed before a decision (1..10)
    int pass_mark = 60;               // percent of the weighted maximum needed to be granted (0..100)
    DecisionMode decision = DecisionMode::each;
    Text granted, refused;            // the outcomes' names: "Label attribué" / "Projet retenu pour financement"
    std::optional<std::string> circuit;        // ranking: the parapheur template that signs the decision
    std::optional<PublicDirectory> directory;  // each: granted applications are listed publicly
};

struct Procedure {
    std::string code;                 // [a-z][a-z0-9-]{1,63}: the stable URL /services/{code}
    int version = 1;                  // 1..100000
    Text title, summary, audience, legal_basis;
    Text cost;                        // what it costs, in words ("Gratuit", "200 dirhams")
    std::vector<std::string> life_events;   // codes: studies, business, innovation, research, ...
    std::string administration;       // the competent administration's code, or "*": the applicant
                                      // chooses it in `administration_field` (a general letter)
    std::optional<std::string> administration_field;  // with "*": the field (widget administration)
    std::optional<std::string> unit;  // its unit receiving the applications (default: registry office)
    std::string deposit_type = "application";  // the registry's correspondence type
    int deadline_days = 60;           // the legal deadline (Law 55-19)
    bool working_days = false;
    Silence silence = Silence::rejection;
    std::optional<Fee> fee;
    std::optional<Window> window;
    std::vector<Document> documents;
    std::vector<Lookup> lookups;
    std::vector<Field> fields;        // in declaration order
    std::vector<Step> steps;          // 1..30
    std::string form_schema;          // the JSON Schema of the answers (serialized)
    Text receipt_subject;             // "Inscription — {last_name}": placeholders are fields
    std::vector<std::string> keywords;  // extra search words
    std::optional<Scoring> scoring;   // a scored questionnaire with a report (sme-digital-maturity)
    std::optional<Evaluation> evaluation;  // reviewers, ranking and a decision (labels, calls)

    const Field* field(std::string_view name) const;
    const Lookup* lookup(std::string_view id) const;
    const Step* step(std::string_view id) const;
    // Documents the applicant uploads (no fetched_by), in order.
    std::vector<const Document*> uploads() const;
};

// Parses and checks a procedure file. `text` is the file's content (at most 1 MiB);
// `file_name` is only used in messages. Errors: procedure.invalid (400, detail as above),
// procedure.too_large (413).
Result<Procedure> parse_procedure(std::string_view text, std::string_view file_name = "procedure");

// The line (1-based) and column (1-based, in bytes) of the value that `pointer` (RFC 6901) names
// in the JSON `text`, or of the nearest enclosing value found; {1,1} when none.
struct Position {
    int line = 1, column = 1;
};
Position locate(std::string_view text, std::string_view pointer);

}  // namespace idara::procedures
