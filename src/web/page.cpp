#include "web/page.hpp"

#include "http/message.hpp"
#include "identity/principal.hpp"
#include "web/lang.hpp"

namespace idara::web {

const std::string& msg(i18n::Lang l, std::string_view key) { return i18n::catalogue().get(l, key); }

std::string msg_or(i18n::Lang l, std::string_view key, std::string fallback) {
    return i18n::catalogue().has(l, key) ? msg(l, key) : fallback;
}

std::string lang_switch_href(i18n::Lang current, std::string_view target) {
    return "/lang/" + std::string(i18n::code(other_lang(current))) + "?next=" + http::url_encode(target);
}

std::string render_error_summary(i18n::Lang l, const std::vector<FieldError>& errors, std::string_view title_key) {
    if (errors.empty()) return {};
    Data list{Data::type::list};
    for (const auto& e : errors) {
        Data item;
        item.set("field", e.field);
        item.set("message", e.message);
        list.push_back(item);
    }
    Data d;
    d.set("errors", list);
    if (!title_key.empty()) d.set("title", i18n::catalogue().get(l, title_key));
    return render("error_summary", d, l);
}

std::string render_page(const PageView& v, std::string_view name, Data& data) {
    const bool signed_in = v.principal != nullptr;
    const bool staff = signed_in && v.principal->is_staff();
    const std::string lang(i18n::code(v.lang));
    const std::string dir(i18n::dir(v.lang));
    data.set("lang", lang);
    data.set("dir", dir);
    data.set("signed_in", signed_in);
    data.set("is_staff", staff);
    data.set("is_operator", signed_in && v.principal->is_operator());
    data.set("csrf_form", v.csrf);
    data.set("registry", v.registry);
    data.set("can_deposit", v.registry && signed_in && !v.principal->is_operator());
    const std::string body = render(name, data, v.lang);

    const i18n::Lang other = other_lang(v.lang);
    const std::string page = v.has_errors ? i18n::catalogue().format(v.lang, "web.title_error_prefix", {{"page", v.title}})
                                          : v.title;
    Data layout;
    layout.set("lang", lang);
    layout.set("dir", dir);
    layout.set("title", i18n::catalogue().format(v.lang, "web.page_title", {{"page", page}}));
    layout.set("content", body);
    layout.set("lang_switch_href", lang_switch_href(v.lang, v.target));
    layout.set("other_lang", std::string(i18n::code(other)));
    layout.set("other_lang_name", msg(other, "web.lang.self_name"));
    layout.set("lang_switch_hint", msg(v.lang, "web.lang.switch_hint"));
    layout.set("signed_in", signed_in);
    layout.set("is_staff", staff);
    layout.set("registry", v.registry);
    layout.set("window", v.window);
    layout.set("parapheur", v.parapheur);
    layout.set("portal", v.portal);
    layout.set("evaluation", v.evaluation);
    // Citizens, companies and staff deposit; the platform operator does not.
    layout.set("can_deposit", v.registry && signed_in && !v.principal->is_operator());
    layout.set("csrf", v.csrf);
    if (signed_in) layout.set("user_name", v.principal->display_name.empty() ? v.principal->login : v.principal->display_name);
    if (!v.nav.empty()) layout.set("nav_" + std::string(v.nav), true);
    return render("layout", layout, v.lang);
}

}  // namespace idara::web
