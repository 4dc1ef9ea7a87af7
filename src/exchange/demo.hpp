// The exchange demo (docs/design/exchange.md, "Demo"): three administrations on loopback.
#pragma once

#include "core/error.hpp"

#include <cstdint>
#include <string>

namespace idara::http { class Router; }

namespace idara::exchange {

// All ports derive from one base B: central B, client ports B+1..B+3 (MEN, ETATCIVIL, UNIV),
// peer ports B+11..B+13, admin ports B+21..B+23, back-ends B+31 (bac) and B+32 (birth).
struct DemoPorts {
    std::uint16_t base = 8090;
    std::int64_t conf_validity_seconds = 600;   // the central's configuration lifetime
};

// Writes <dir>/central and <dir>/gw-men, <dir>/gw-etatcivil, <dir>/gw-univ: keys, certificates,
// gateway.toml files, OpenAPI files; registers and approves members, subsystems and gateways in the
// central. Idempotent: an existing setup is left as it is.
// A half-written directory (no <dir>/demo.json, or files missing) is refused with
// exchange.demo_incomplete (409), naming the directory to remove.
Status demo_setup(const std::string& dir, const DemoPorts& ports);

// The ports of the complete setup in `dir` (from <dir>/demo.json, written last by demo_setup).
// Errors: exchange.demo_incomplete (409).
Result<DemoPorts> demo_ports_of(const std::string& dir);

// The demo holder back-ends (data in demo/exchange/): kind "bac" serves
// GET /results/{student_number}; kind "birth" serves GET /births/{national_id}.
// Errors: exchange.bad_demo_kind (400).
Status add_demo_backend_routes(http::Router& r, std::string_view kind);

}  // namespace idara::exchange
