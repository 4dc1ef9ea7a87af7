// The central registry (docs/design/exchange.md): members, subsystems, gateways, groups,
// pending registration requests, the signed global configuration and a time-stamping authority.
// State: <dir>/central.db (SQLite), <dir>/central-sign.key, <dir>/central.toml, <dir>/ca/ (development CA),
// <dir>/tsa/ (TSA key and certificate issued by the CA).
#pragma once

#include "core/clock.hpp"
#include "core/error.hpp"
#include "exchange/conf.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace idara::http { class Router; }

namespace idara::exchange {

struct CentralOptions {
    std::string instance = "MA";
    std::string listen = "127.0.0.1:8090";
    std::int64_t conf_validity_seconds = 600;
    std::string tsa_url;  // "" = this central's own POST /tsa at http://<listen>/tsa
};

struct RegistrationRequest {
    std::int64_t id = 0;
    std::string kind;     // member | subsystem | gateway
    std::string subject;  // "MA/GOV/MEN", "MA/GOV/MEN/bac-results", "MA/GOV/MEN/gw1"
    std::string payload;  // the request JSON
    std::string state;    // pending | approved | rejected
    std::int64_t at_ms = 0;
};

class Central {
public:
    virtual ~Central() = default;
    // The configuration as it stands (issued now, expiring after the validity).
    virtual Result<GlobalConf> current(std::int64_t now_ms) = 0;
    // The signed envelope of current().
    virtual Result<std::string> signed_conf(std::int64_t now_ms) = 0;
    virtual const PublicKey& public_key() const = 0;

    // Registration requests (validated; stored pending). Errors: exchange.bad_registration (400),
    // exchange.duplicate (409). Return the request id.
    virtual Result<std::int64_t> request(std::string_view kind, std::string_view json) = 0;
    virtual Result<std::vector<RegistrationRequest>> requests(std::string_view state) = 0;
    virtual Status approve(std::int64_t id) = 0;
    virtual Status reject(std::int64_t id) = 0;
    virtual Status add_group_member(std::string_view group, const ClientId& c) = 0;

    // Routes: GET /conf, GET /conf/public-key, POST /tsa, POST /registration/{members,subsystems,gateways}.
    virtual void add_routes(http::Router& r) = 0;
};

// Creates the directory's keys, development CA and TSA identity when missing (idempotent).
Status init_central(const std::string& dir, const CentralOptions& o);
Result<std::unique_ptr<Central>> open_central(const std::string& dir, const Clock& clock);
// Reads <dir>/central.toml written by init_central.
Result<CentralOptions> load_central_options(const std::string& dir);

// Development CA of the central (<dir>/ca): issues a gateway TLS certificate (serverAuth+clientAuth,
// SAN IP/DNS of `host`) for the key in `key_pem`. Returns the certificate PEM.
Result<std::string> issue_dev_gateway_cert(const std::string& central_dir, const std::string& key_pem,
                                           const std::string& common_name, const std::string& host);

}  // namespace idara::exchange
