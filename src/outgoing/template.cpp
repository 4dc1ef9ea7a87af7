#include "outgoing/template.hpp"

#include <kainjow/mustache.hpp>

namespace idara::outgoing {

namespace mus = kainjow::mustache;

Result<std::string> render_template(i18n::Lang lang, Template t, const TemplateVars& v) {
    const std::string key = "outgoing.template." + std::string(template_name(t));
    const auto& cat = i18n::catalogue();
    if (!cat.has(lang, key)) return errors::internal("missing template " + key);
    mus::mustache tmpl(cat.get(lang, key));
    if (!tmpl.is_valid()) return errors::internal(key + ": " + tmpl.error_message());
    tmpl.set_custom_escape([](const std::string& s) { return s; });
    mus::data d;
    d.set("recipient", v.recipient);
    d.set("administration", v.administration);
    d.set("subject", v.subject);
    d.set("date", v.date);
    d.set("number", v.number);
    d.set("body", v.body);
    d.set("has_body", mus::data(!v.body.empty()));
    d.set("reply", mus::data(v.reply));
    d.set("entry_number", v.entry_number);
    d.set("entry_date", v.entry_date);
    d.set("entry_subject", v.entry_subject);
    std::string out = tmpl.render(d);
    if (!tmpl.is_valid()) return errors::internal(key + ": " + tmpl.error_message());
    return out;
}

}  // namespace idara::outgoing
