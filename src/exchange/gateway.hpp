// The security gateway (docs/design/exchange.md): client port (plain HTTP, own information
// systems), peer port (mutual TLS, other gateways), admin port (operational data, metrics).
// Boost.Beast and Asio stay in gateway_*.cpp.
#pragma once

#include "core/error.hpp"
#include "exchange/gateway_config.hpp"

#include <cstdint>
#include <memory>

namespace idara::exchange {

struct GatewayPorts {
    std::uint16_t client = 0, peer = 0, admin = 0;
};

class Gateway {
public:
    virtual ~Gateway() = default;
    // Loads the configuration from the central (or the cache), binds the three ports.
    virtual Result<GatewayPorts> start() = 0;
    // Serves until stop() or SIGTERM/SIGINT; then drains and returns.
    virtual void run() = 0;
    virtual void stop() = 0;
};

Result<std::unique_ptr<Gateway>> open_gateway(const GatewayConfig& cfg);

// Creates sign.key, tls.key and admin-token in cfg.dir when missing (idempotent).
Status init_gateway_keys(const GatewayConfig& cfg);

}  // namespace idara::exchange
