// The sealed report of a scored questionnaire (applications.hpp, scoring.hpp).
#include "procedures/applications_impl.hpp"

#include "procedures/platform_seal.hpp"
#include "procedures/scoring.hpp"

#include <cctype>

namespace idara::procedures {

namespace {

// Who the report is about: the answers named in the French receipt subject ("{company_name}"),
// else the procedure's title.
std::string report_subject(const Procedure& p, const Application& a) {
    const std::string& t = p.receipt_subject.fr;
    std::string out;
    for (auto open = t.find('{'); open != std::string::npos; open = t.find('{', open + 1)) {
        const auto close = t.find('}', open);
        if (close == std::string::npos) break;
        const std::string name = t.substr(open + 1, close - open - 1);
        const Field* f = p.field(name);
        const auto* v = a.answers.if_contains(name);
        if (!f || !v) continue;
        const std::string value = answer_text(p, *f, *v, i18n::Lang::fr);
        if (!value.empty()) out += (out.empty() ? "" : " ") + value;
    }
    return out.empty() ? p.title.fr : out;
}

// Letters, digits and hyphens of the register number (or the id).
std::string file_name(const Application& a) {
    std::string name = "maturity-report-";
    for (char c : a.register_number.value_or(a.id))
        name += (std::isalnum(static_cast<unsigned char>(c)) || c == '-') ? c : '-';
    return name + ".pdf";
}

}  // namespace

Result<ApplicationService::ScoreReportFile> ApplicationService::score_report(const identity::Principal& who,
                                                                             std::string_view id) {
    // The applicant's own, else one received by the reader's administration: the same
    // resource.not_found for anyone else, whether it exists or not.
    auto app = get(who, id);
    if (!app && (app.error().status == 403 || app.error().status == 404)) app = get_received(who, id);
    if (!app) return app.error().status == 403 ? errors::not_found("application") : app.error();
    auto pub = procedure_of(*app);
    if (!pub) return pub.error();
    const Procedure& p = *pub->procedure;
    if (!p.scoring) return errors::not_found("report");
    if (app->state != State::submitted)
        return Error{"application.invalid_state", 409, "the report follows the submission"};
    if (!seal_keys_) return errors::internal("no seal keys for reports");
    auto s = score(p, app->answers);
    if (!s) return s.error();
    ReportFacts f;
    f.application_id = app->id;
    f.register_number = app->register_number.value_or("");
    f.procedure_code = p.code;
    f.procedure_title = p.title;
    f.subject = report_subject(p, *app);
    f.submitted_at_ms = app->submitted_at_ms.value_or(0);
    f.score = std::move(*s);
    auto pdf = render_score_report(f);
    if (!pdf) return pdf.error();
    auto sealed = seal_as_platform(impl_->db, *seal_keys_, *pdf, "Seal", "Report " + app->id);
    if (!sealed) return sealed.error();
    return ScoreReportFile{std::move(*sealed), file_name(*app)};
}

}  // namespace idara::procedures
