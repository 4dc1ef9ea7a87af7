// Internal to the portal's pages (pages_portal_*.cpp): what the catalogue pages and the
// application journey share — the application being filled in with its procedure version,
// where the journey continues, how answers and deadlines are written for people.
//
// Every text comes from the catalogues (web.portal.*) or from the procedure file in the page's
// language (Text::in). Values typed by people are HTML-escaped and isolated in <bdi>.
#pragma once

#include "procedures/applications.hpp"
#include "procedures/catalogue.hpp"
#include "web/page.hpp"
#include "web/render.hpp"
#include "web/visit.hpp"

#include <boost/json/value.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace idara::web::portal {

using detail::Visit;

// An application with the procedure version it was started under.
struct Journey {
    procedures::Application app;
    procedures::Published pub;
    const procedures::Procedure& procedure() const { return *pub.procedure; }
};

// The common start of every journey page: signed in (else 303 to sign in), and on a POST the
// form's _csrf field (`check_csrf`; multipart forms check their part themselves).
std::optional<http::Response> refuse(const Visit& v, bool check_csrf);
// The signed-in applicant's application `id` and its procedure version (resource.not_found for
// anyone else's).
Result<Journey> load(const Visit& v, std::string_view id);

// "/applications/{id}", and the page of the journey where `j` continues (ApplicationService::next).
std::string app_href(std::string_view id);
std::string next_href(const Journey& j);
// The page of one step, lookup, the documents and the check page.
std::string step_href(std::string_view id, std::string_view step);
std::string lookup_href(std::string_view id, std::string_view lookup);

// An answer as people read it: an option's label, "Yes"/"No" for a checkbox, a number or text
// as stored; "" when there is no answer.
std::string answer_text(i18n::Lang l, const procedures::Field& f, const boost::json::value* v);
// The value of an answer to put back in an input ("" when none).
std::string answer_input(const boost::json::value* v);
const boost::json::value* answer_of(const procedures::Application& a, std::string_view field);

// The message of a field problem: the field's own error text for an invalid answer, else the
// catalogue's "required" message naming the field.
std::string problem_message(i18n::Lang l, const procedures::Field* f, const procedures::FieldProblem& p);

// "15 working days" / "60 calendar days", and the silence regime sentence.
std::string deadline_text(i18n::Lang l, const procedures::Procedure& p);
std::string silence_text(i18n::Lang l, const procedures::Procedure& p);
// "200.00 MAD" (in <bdi dir="ltr">).
std::string fee_html(const procedures::Fee& f);

// A journey or catalogue page in the layout; `personal` adds Cache-Control: no-store.
http::Response show(const Visit& v, int status, std::string_view tmpl, std::string title, Data& d,
                    bool errors, bool personal, std::string_view nav);

// Documents the applicant must upload for `a`: those without fetched_by and those whose lookup
// was not agreed to.
std::vector<const procedures::Document*> uploads_of(const procedures::Procedure& p, const procedures::Application& a);

// The state tag HTML of an application (<strong class="tag …">…</strong>).
std::string state_tag(i18n::Lang l, procedures::State s);

// ---- Scored questionnaires and evaluation outcomes on the applicant's pages
// The score of the answers of `j` when its procedure has a scoring section (procedures/scoring.hpp):
// the overall percentage, the level and its summary, a table of the dimensions' percentages and
// the link to /applications/{id}/report.pdf, as HTML (portal_score.mustache); "" when the
// procedure has no scoring or `submitted` is false.
std::string score_html(const Visit& v, const Journey& j, bool submitted);
// The outcome of an effective evaluation decision on the signed-in applicant's application
// (EvaluationService::outcome_of): its name, date, reason and the signed decision's link, as HTML
// (portal_outcome.mustache); "" when PagesContext::evaluation is null, the procedure has no
// evaluation, or no effective decision covers the application yet.
std::string outcome_html(const Visit& v, const Journey& j);

// Registration of each group of pages (one file each).
void register_catalogue_pages(http::Router& router, const PagesContext& ctx);  // pages_portal_catalogue.cpp
void register_step_pages(http::Router& router, const PagesContext& ctx);       // pages_portal_steps.cpp
void register_document_pages(http::Router& router, const PagesContext& ctx);   // pages_portal_documents.cpp
void register_check_pages(http::Router& router, const PagesContext& ctx);      // pages_portal_check.cpp

}  // namespace idara::web::portal
