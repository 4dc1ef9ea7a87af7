// A gateway's configuration: <dir>/gateway.toml (docs/design/exchange.md). Example:
//
//   instance = "MA"
//   member_class = "GOV"
//   member_code = "MEN"
//   gateway_code = "gw1"
//   central_url = "http://127.0.0.1:8090"
//   central_public_key = "<base64 Ed25519>"
//   client_listen = "127.0.0.1:8101"     # plain HTTP, for the member's own information systems
//   peer_listen = "127.0.0.1:8201"       # mutual TLS, for other gateways
//   admin_listen = "127.0.0.1:8301"      # operational data and metrics (bearer <dir>/admin-token)
//   conf_refresh_seconds = 60
//   io_threads = 2
//   [limits]
//   max_request_bytes = 10485760
//   max_response_bytes = 10485760
//   connect_timeout_ms = 5000
//   backend_timeout_ms = 30000
//   [log]
//   body_mode = "keep"                   # keep | omit | encrypt
//   log_public_key = ""                  # base64 X25519, required for encrypt
//   timestamp_interval_seconds = 1
//   timestamp_grace_seconds = 60
//   [[service]]
//   subsystem = "bac-results"
//   code = "bac-result"
//   backend_url = "http://127.0.0.1:8111"
//   openapi_file = "bac-result.openapi.json"   # relative to <dir>
//   timeout_ms = 10000
//   [[access]]
//   subject = "MA/GOV/UNIV/registration"
//   service = "bac-result"
//   methods = ["GET"]
//   path = "/results/*"
//
// Files of the directory: sign.key (Ed25519 seed), tls.key / tls.crt (PEM), conf-cache.json,
// gateway.db (message log and operational records), archive/, admin-token.
#pragma once

#include "core/error.hpp"
#include "exchange/access.hpp"
#include "exchange/ed25519.hpp"
#include "exchange/ids.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace idara::exchange {

struct ServiceDef {
    std::string subsystem;     // provider subsystem of this gateway's member
    std::string code;
    std::string backend_url;   // http://host:port[/base]
    std::string openapi_file;  // absolute after loading ("" = none)
    std::int64_t timeout_ms = 10000;
};

struct Limits {
    std::int64_t max_request_bytes = 10 * 1024 * 1024;
    std::int64_t max_response_bytes = 10 * 1024 * 1024;
    std::int64_t connect_timeout_ms = 5000;
    std::int64_t backend_timeout_ms = 30000;
    std::int64_t max_header_bytes = 16 * 1024;
};

enum class BodyMode { keep, omit, encrypt };

struct LogOptions {
    BodyMode body_mode = BodyMode::keep;
    std::string log_public_key_b64;  // X25519 for crypto_box_seal, when encrypt
    std::int64_t timestamp_interval_seconds = 1;
    std::int64_t timestamp_grace_seconds = 60;
};

struct GatewayConfig {
    std::string dir;  // absolute
    std::string instance, member_class, member_code, gateway_code;
    std::string central_url;
    PublicKey central_public_key{};
    std::string client_listen = "127.0.0.1:8101";
    std::string peer_listen = "127.0.0.1:8201";
    std::string admin_listen = "127.0.0.1:8301";
    std::int64_t conf_refresh_seconds = 60;
    int io_threads = 2;
    Limits limits;
    LogOptions log;
    std::vector<ServiceDef> services;
    std::vector<AccessRule> access;

    MemberId member() const;
    std::string gateway_id() const;  // member().str() + "/" + gateway_code
    std::string path(std::string_view file) const;  // dir + "/" + file
    const ServiceDef* service(std::string_view subsystem, std::string_view code) const;
};

// Reads <dir>/gateway.toml. Errors: exchange.bad_gateway_config (400) with "line N: reason" in detail.
Result<GatewayConfig> load_gateway_config(const std::string& dir);
Result<GatewayConfig> parse_gateway_config(std::string_view toml_text, const std::string& dir);
// Writes a gateway.toml for `c` (used by demo-setup and tests).
std::string to_toml(const GatewayConfig& c);

// "host:port" → parts. Errors: exchange.bad_address (400).
struct HostPort {
    std::string host;
    std::uint16_t port = 0;
};
Result<HostPort> parse_host_port(std::string_view s);

}  // namespace idara::exchange
