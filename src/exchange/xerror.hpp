// Errors in X-Road's REST form (docs/design/exchange.md, "Errors"): status 400 for Client.*,
// 500 for Server.*, header X-Road-Error: <type>, and a JSON body
//   {"type": ..., "message": <French>, "message_ar": ..., "message_fr": ..., "detail": <uuid>}.
// Texts come from the catalogues (web/i18n/{ar,fr}/exchange.json, key "xroad.<type>").
#pragma once

#include "core/i18n.hpp"

#include <string>
#include <string_view>

namespace idara::exchange {

struct XError {
    std::string type;       // "Server.ServerProxy.AccessDenied"
    std::string technical;  // for the log only, never sent
    int status() const;     // 400 or 500
};

// A fresh detail id (random UUID v4 text).
std::string new_detail_id();
std::string xerror_body(const XError& e, const i18n::Catalogue& cat, std::string_view detail_id);
// Parses a body produced by xerror_body (used by gateways relaying a peer's error and by tests);
// returns the type or "" when the body is not in that form.
std::string xerror_type_of(std::string_view body);

}  // namespace idara::exchange
