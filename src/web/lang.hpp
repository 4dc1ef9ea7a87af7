// Which language a page is shown in.
//
// Order: the idara_lang cookie (set by the language switch, /lang/{code}) →
// the signed-in account's preference → the browser's Accept-Language (the
// most preferred of Arabic and French) → Arabic.
#pragma once

#include "core/i18n.hpp"
#include "http/message.hpp"

#include <optional>
#include <string_view>

namespace idara::identity {
struct Principal;
}

namespace idara::web {

inline constexpr std::string_view kLangCookie = "idara_lang";

// The preferred of ar/fr in an Accept-Language header ("fr-FR,fr;q=0.9,ar;q=0.8"),
// or nullopt when it names neither (or only with q=0).
std::optional<i18n::Lang> parse_accept_language(std::string_view header);

// principal may be null (anonymous request).
i18n::Lang resolve_lang(const http::Request& r, const identity::Principal* principal);

// The other language (the target of the switch).
inline i18n::Lang other_lang(i18n::Lang l) { return l == i18n::Lang::ar ? i18n::Lang::fr : i18n::Lang::ar; }

}  // namespace idara::web
