// gateway.toml is read at start-up: any bytes give a GatewayConfig or exchange.bad_gateway_config
// naming a line; an accepted configuration written back with to_toml reads back the same.
#include "exchange/gateway_config.hpp"

#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace idara::exchange;
    const std::string_view in(reinterpret_cast<const char*>(data), size);
    auto c = parse_gateway_config(in, "/srv/gw");
    if (!c) {
        if (c.error().code != "exchange.bad_gateway_config" || c.error().detail.rfind("line ", 0) != 0) __builtin_trap();
        return 0;
    }
    const std::string text = to_toml(*c);
    auto again = parse_gateway_config(text, "/srv/gw");
    if (!again || to_toml(*again) != text) __builtin_trap();
    return 0;
}
