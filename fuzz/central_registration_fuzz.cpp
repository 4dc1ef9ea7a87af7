// Registration requests from outside (POST /registration/{members,subsystems,gateways} on the
// central): the first byte picks the kind, the rest is the JSON body. Property: a request the
// central accepts is listed as pending; anything else is refused with an error, never a crash.
#include "core/clock.hpp"
#include "exchange/central.hpp"

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

namespace {

struct FuzzCentral {
    std::string dir;
    std::unique_ptr<idara::exchange::Central> central;
    FuzzCentral() {
        char tmpl[] = "/tmp/idara-fuzz-central-XXXXXX";
        if (::mkdtemp(tmpl) == nullptr) __builtin_trap();
        dir = tmpl;
        if (!idara::exchange::init_central(dir, idara::exchange::CentralOptions{})) __builtin_trap();
        auto c = idara::exchange::open_central(dir, idara::system_clock());
        if (!c) __builtin_trap();
        central = std::move(*c);
    }
    ~FuzzCentral() {
        central.reset();
        std::error_code ec;
        std::filesystem::remove_all(dir, ec);
    }
};

FuzzCentral& fixture() {
    static FuzzCentral f;
    return f;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    static constexpr std::string_view kKinds[] = {"member", "subsystem", "gateway", "group"};
    const std::string_view kind = kKinds[data[0] % 4];
    const std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
    auto& f = fixture();
    auto id = f.central->request(kind, body);
    if (id) {
        auto pending = f.central->requests("pending");
        if (!pending) __builtin_trap();
        bool listed = false;
        for (const auto& r : *pending) listed = listed || r.id == *id;
        if (!listed) __builtin_trap();
    } else if (id.error().code.empty() || id.error().status < 400) {
        __builtin_trap();
    }
    return 0;
}
