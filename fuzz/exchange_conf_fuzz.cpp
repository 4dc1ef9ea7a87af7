// The global configuration arrives from the network: any bytes, as a signed envelope or as the
// configuration text itself, give a GlobalConf or exchange.bad_configuration /
// exchange.configuration_signature. An accepted configuration prints back to an equal one.
#include "exchange/conf.hpp"

#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace idara::exchange;
    static const SigningKey central = SigningKey::generate();
    const std::string_view in(reinterpret_cast<const char*>(data), size);

    auto env = verify_conf(in, central.public_key());
    if (!env && env.error().code != "exchange.bad_configuration" &&
        env.error().code != "exchange.configuration_signature")
        __builtin_trap();

    auto c = conf_from_json(in);
    if (!c) {
        if (c.error().code != "exchange.bad_configuration") __builtin_trap();
        return 0;
    }
    const std::string text = to_json(*c);
    auto again = conf_from_json(text);
    if (!again || to_json(*again) != text) __builtin_trap();
    // Signed by the pinned key, it verifies; signed by another, it does not.
    auto signed_back = verify_conf(sign_conf(*c, central), central.public_key());
    if (!signed_back || to_json(*signed_back) != text) __builtin_trap();
    return 0;
}
