// Access rights on the provider side: deny by default (docs/design/exchange.md, "Access rights").
#pragma once

#include "core/error.hpp"
#include "exchange/conf.hpp"
#include "exchange/ids.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace idara::exchange {

struct AccessRule {
    std::string subject;               // "MA/GOV/UNIV/registration", "MA/GOV/UNIV" or "group:CODE"
    std::string service_code;          // one of the gateway's services
    std::vector<std::string> methods;  // "GET", "POST", ... or "*"
    std::string path = "/**";          // "/results/*": '*' one segment, "**" (last) any rest
};

// Errors: exchange.bad_access_rule (400) naming the field.
Status validate(const AccessRule& r);
// Does `pattern` match `path` ("" is treated as "/")?
bool path_matches(std::string_view pattern, std::string_view path);
// True when some rule lets `client` call `method` on `path` of `service_code`.
bool allowed(const std::vector<AccessRule>& rules, const GlobalConf& conf, const ClientId& client,
             std::string_view service_code, std::string_view method, std::string_view path);
// The rules that concern `client` (for allowedMethods); `conf` resolves groups.
std::vector<AccessRule> rules_for(const std::vector<AccessRule>& rules, const GlobalConf& conf,
                                  const ClientId& client);

}  // namespace idara::exchange
