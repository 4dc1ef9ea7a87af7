// Register numbers typed by the public on the tracking and verification pages.
#include "registry/numbering.hpp"

#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view s(reinterpret_cast<const char*>(data), size);
    if (auto n = idara::registry::parse_register_number(s)) {
        // Whatever parses prints back to a number that parses to the same value.
        auto again = idara::registry::parse_register_number(n->text());
        if (!again || !(*again == *n)) __builtin_trap();
    }
    return 0;
}
