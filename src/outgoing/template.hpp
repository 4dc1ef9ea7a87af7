// The letter templates: mustache text kept in the catalogues (web/i18n/<lang>/outgoing.json,
// keys "outgoing.template.<name>"), one per template and language, rendered as plain text
// (no HTML escaping: the text is laid out by letter_pdf.hpp, never read as markup).
//
// Variables: {{recipient}} {{administration}} {{subject}} {{date}} {{number}} {{body}}
// and, for replies, {{entry_number}} {{entry_date}} {{entry_subject}}; sections
// {{#reply}}…{{/reply}} (a reply) and {{#has_body}}…{{/has_body}} (the author wrote text).
//
// Thread-safety: pure functions.
#pragma once

#include "core/error.hpp"
#include "core/i18n.hpp"
#include "outgoing/letters.hpp"

#include <string>

namespace idara::outgoing {

struct TemplateVars {
    std::string recipient, administration, subject, date, number, body;
    bool reply = false;
    std::string entry_number, entry_date, entry_subject;
};

// The letter text. internal (500) when the catalogue's template does not parse (a defect).
Result<std::string> render_template(i18n::Lang lang, Template t, const TemplateVars& v);

}  // namespace idara::outgoing
