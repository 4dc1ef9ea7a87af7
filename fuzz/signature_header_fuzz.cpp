// X-Road-Signature comes from a peer: any bytes give a signer and a 64-byte signature in exactly
// the printed form, or exchange.bad_signature_header.
#include "exchange/message.hpp"

#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace idara::exchange;
    const std::string_view in(reinterpret_cast<const char*>(data), size);
    auto p = parse_signature_header(in);
    if (!p) {
        if (p.error().code != "exchange.bad_signature_header") __builtin_trap();
        return 0;
    }
    if (p->sig.size() != 64) __builtin_trap();
    if ("v1;member=" + p->signer.str() + ";sig=" + b64(p->sig) != in) __builtin_trap();
    // Verifying an arbitrary signature never succeeds by accident and never crashes.
    static const SigningKey key = SigningKey::generate();
    if (verify_canonical(key.public_key(), in, p->sig)) __builtin_trap();
    return 0;
}
