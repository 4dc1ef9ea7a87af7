// `idara exchange gateway register`: files a gateway's registration requests with the central
// (member with its signing key, subsystems, the gateway with its TLS certificate). Used by the CLI.
#pragma once

#include "core/error.hpp"
#include "exchange/gateway_config.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace idara::exchange {

struct FiledRequest {
    std::string kind;     // member | subsystem | gateway
    std::string subject;  // "MA/GOV/MEN", "MA/GOV/MEN/bac-results", "MA/GOV/MEN/gw1"
    std::int64_t id = 0;  // the central's request id
};

// Subsystems: those of cfg.services plus `extra_subsystems`, each once. The member request is
// sent first; a 409 (already filed or approved) is reported with id 0 and does not stop the rest.
// Errors: exchange.key_file (sign.key, tls.crt), exchange.registration_failed (502) when the central
// is unreachable or refuses a request (its answer in detail).
Result<std::vector<FiledRequest>> register_gateway(const GatewayConfig& cfg, const std::string& name_ar,
                                                   const std::string& name_fr,
                                                   const std::vector<std::string>& extra_subsystems);

}  // namespace idara::exchange
