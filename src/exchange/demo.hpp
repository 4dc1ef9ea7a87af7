// The exchange demo (docs/design/exchange.md, "Demo"): three administrations on loopback.
#pragma once

#include "core/error.hpp"

#include <cstdint>
#include <string>

namespace idara::http { class Router; }

namespace idara::exchange {

struct DemoPorts {
    std::uint16_t central = 8090;
    std::uint16_t client_base = 8101, peer_base = 8201, admin_base = 8301, backend_base = 8111;
};

// Writes <dir>/central and <dir>/gw-men, <dir>/gw-etatcivil, <dir>/gw-univ: keys, certificates,
// gateway.toml files, OpenAPI files; registers and approves members, subsystems and gateways in the
// central. Idempotent: an existing setup is left as it is.
Status demo_setup(const std::string& dir, const DemoPorts& ports);

// The demo holder back-ends (data in demo/exchange/): kind "bac" serves
// GET /results/{student_number}; kind "birth" serves GET /births/{national_id}.
// Errors: exchange.bad_demo_kind (400).
Status add_demo_backend_routes(http::Router& r, std::string_view kind);

}  // namespace idara::exchange
