// The page shell: every HTML page is a body template rendered inside
// layout.mustache (html lang/dir, skip link, header with the platform name and
// the language switch, navigation for who is signed in, main, footer).
//
// Body templates get, besides their own data: lang, dir, signed_in, is_staff,
// is_operator, registry (the registry office runs), can_deposit (it runs and the visitor may
// deposit), csrf_form (the token to put in the form's _csrf field: the
// session's when signed in, else the anonymous double-submit token).
#pragma once

#include "core/i18n.hpp"
#include "web/render.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace idara::identity {
struct Principal;
}

namespace idara::web {

struct PageView {
    i18n::Lang lang = i18n::kDefaultLang;
    std::string title;            // translated page title, without the platform name
    bool has_errors = false;      // the title gets the "Error:" prefix
    std::string target = "/";     // current path+query; the language switch comes back to it
    const identity::Principal* principal = nullptr;  // null when anonymous; must outlive the call
    std::string csrf;             // token for the forms of the page (session's or anonymous)
    std::string_view nav;         // current navigation item: "home", "account", "staff", "login",
                                  // "deposit", "deposits", "register", "window", "letters", "parapheur", "track", "verify",
                                  // "services" (the portal's catalogue), "applications" (the journey),
                                  // "evaluation" (reviewers' boards) or ""
    bool registry = false;        // the registry office pages exist: show their navigation links
    bool window = false;          // the correspondence window's pages exist (staff navigation)
    bool parapheur = false;       // the e-parapheur's pages exist (staff navigation)
    bool portal = false;          // the portal's pages exist (/services, /applications)
    bool evaluation = false;      // the evaluation pages exist (staff navigation: /evaluation)
};

// The catalogue message `key` in `l` (the key itself when missing).
const std::string& msg(i18n::Lang l, std::string_view key);
// The catalogue text `key` when the catalogue has it, else `fallback` (labels of codes that may be new).
std::string msg_or(i18n::Lang l, std::string_view key, std::string fallback);

// The whole page: template `name` rendered with `data` (common fields added) inside the layout.
std::string render_page(const PageView& v, std::string_view name, Data& data);

// The error summary box (GOV.UK-style pattern) linking each message to its field id;
// empty when there are no errors. Its heading is web.error_summary.title ("There is a problem"),
// or the catalogue message `title_key` when given (e.g. "Payment declined").
struct FieldError {
    std::string field;    // id of the input
    std::string message;  // translated message
};
std::string render_error_summary(i18n::Lang l, const std::vector<FieldError>& errors, std::string_view title_key = {});

// "/lang/fr?next=%2Faccount" for a page at `target` shown in `current`.
std::string lang_switch_href(i18n::Lang current, std::string_view target);

}  // namespace idara::web
