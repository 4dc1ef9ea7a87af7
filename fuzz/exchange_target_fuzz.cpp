// Request targets on the client and peer ports are outside input: any bytes give a Target whose parts
// are valid identifiers and whose rest holds no dot segment, or exchange.bad_identifier.
#include "exchange/ids.hpp"

#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace idara::exchange;
    const std::string_view in(reinterpret_cast<const char*>(data), size);
    auto t = parse_target(in);
    if (!t) {
        if (t.error().code != "exchange.bad_identifier") __builtin_trap();
        return 0;
    }
    if (in.size() > 4096) __builtin_trap();
    if (t->kind == Target::Kind::list_clients) {
        if (!valid_part(t->instance)) __builtin_trap();
        return 0;
    }
    const auto& p = t->service.provider;
    for (const auto& part : {p.instance, p.member_class, p.member_code, p.subsystem, t->service.service_code})
        if (!valid_part(part)) __builtin_trap();
    if (!t->rest.empty() && t->rest.front() != '/') __builtin_trap();
    if (t->rest.find("/../") != std::string::npos || t->rest.find("//") != std::string::npos) __builtin_trap();
    // The parts print back to the target they came from.
    const std::string again = "/r1/" + t->service.str() + t->rest + (t->query.empty() ? "" : "?" + t->query);
    if (in.find('?') == std::string_view::npos || !t->query.empty())
        if (again != in) __builtin_trap();
    return 0;
}
