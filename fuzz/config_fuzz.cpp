// Configuration files are outside input: any bytes give a Config or a ConfigError, nothing else.
#include "config/config.hpp"

#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    try {
        idara::config::parse_toml(std::string_view(reinterpret_cast<const char*>(data), size));
    } catch (const idara::config::ConfigError&) {
    }
    return 0;
}
