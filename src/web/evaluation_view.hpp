// Internal to the evaluation pages (evaluation_pages.hpp: pages_evaluation.cpp,
// pages_evaluation_dossier.cpp, pages_public_directory.cpp): who may open them, their addresses,
// and how scores, ranks and outcomes are written for people.
//
// Every text comes from the catalogues (web.evaluation.*) or from the procedure file in the
// page's language (Text::in). Numbers, register numbers and scores are isolated in
// <bdi dir="ltr"> so they read the same inside Arabic lines; names typed by people in <bdi>.
// Header-only so that the three page files share it without another build entry.
#pragma once

#include "core/error.hpp"
#include "http/message.hpp"
#include "identity/principal.hpp"
#include "procedures/evaluation.hpp"
#include "web/format.hpp"
#include "web/page.hpp"
#include "web/security.hpp"
#include "web/visit.hpp"

#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace idara::web::evaluation {

using detail::Visit;

// The start of every staff page: signed in (else 303 to sign in), staff (else the 404 page: the
// pages do not exist for applicants), and on a POST the form's _csrf field.
inline std::optional<http::Response> refuse_staff(const Visit& v, bool check_csrf) {
    if (!v.session) return detail::to_login(v.req);
    if (!v.session->principal.is_staff()) return detail::error_response(v, errors::not_found("evaluation pages"));
    if (check_csrf && !csrf_field_matches(v.req, v.session->csrf_token))
        return detail::error_response(v, errors::csrf("evaluation form"));
    return std::nullopt;
}

inline std::string home_href() { return "/evaluation"; }
inline std::string board_href(std::string_view code) { return "/evaluation/" + http::url_encode(code); }
inline std::string dossier_href(std::string_view id) { return "/evaluation/applications/" + http::url_encode(id); }
inline std::string decision_pdf_href(std::int64_t id) { return "/evaluation/decisions/" + std::to_string(id) + ".pdf"; }
inline std::string directory_href(std::string_view code) { return "/services/" + http::url_encode(code) + "/directory"; }

// Basis points as a percentage with two decimals ("72,50 %"), isolated.
inline std::string score_html(int bp) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%d,%02d %%", bp / 100, bp % 100);
    return bdi_ltr(buf);
}
inline std::string score_html(const std::optional<int>& bp) { return bp ? score_html(*bp) : std::string("—"); }

// A whole number, isolated ("3").
inline std::string number_html(long long n) { return bdi_ltr(std::to_string(n)); }

// "2 / 3", isolated.
inline std::string ratio_html(int a, int b) { return bdi_ltr(std::to_string(a) + " / " + std::to_string(b)); }

inline std::string date_time(std::int64_t ms, i18n::Lang l) {
    return format_date_time(std::chrono::sys_seconds{std::chrono::seconds{ms / 1000}}, l);
}
inline std::string date(std::int64_t ms, i18n::Lang l) {
    return format_date(std::chrono::sys_seconds{std::chrono::seconds{ms / 1000}}, l);
}

inline std::string mode_label(i18n::Lang l, procedures::DecisionMode m) {
    return msg(l, m == procedures::DecisionMode::each ? "web.evaluation.mode.each" : "web.evaluation.mode.ranking");
}

// The outcome's name from the procedure file, as a tag (refused in the error colours).
inline std::string outcome_tag(i18n::Lang l, const procedures::Evaluation& e, procedures::Outcome o,
                               std::optional<procedures::DecisionState> state = std::nullopt) {
    const bool granted = o == procedures::Outcome::granted;
    std::string out = "<strong class=\"tag" + std::string(granted ? "" : " tag--cancelled") + "\">" +
                      html_escape((granted ? e.granted : e.refused).in(l)) + "</strong>";
    if (state == procedures::DecisionState::signing)
        out += " <span class=\"hint\">" + html_escape(msg(l, "web.evaluation.decision_state.signing")) + "</span>";
    return out;
}

inline std::string decision_state_label(i18n::Lang l, procedures::DecisionState s) {
    return msg(l, "web.evaluation.decision_state." + std::string(procedures::decision_state_name(s)));
}

}  // namespace idara::web::evaluation
