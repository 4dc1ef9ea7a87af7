// QR payloads and verification URLs scanned by the public (trust/qr.hpp).
#include "trust/qr.hpp"

#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view s(reinterpret_cast<const char*>(data), size);
    // A fixed key under the kid most seeds use, so the signature check runs too.
    static const std::vector<idara::trust::PublicKey> keys = [] {
        idara::trust::PublicKey k;
        k.kid = "MEF-1";
        for (std::size_t i = 0; i < k.ed25519_pk.size(); ++i) k.ed25519_pk[i] = static_cast<unsigned char>(i);
        return std::vector<idara::trust::PublicKey>{k};
    }();
    auto payload = idara::trust::extract_payload(s);
    if (!payload) return 0;
    if (payload->size() > 512) __builtin_trap();
    if (auto c = idara::trust::parse_qr(*payload)) {
        // Whatever parses has the documented shape.
        if (c->registered_at_ms <= 0 || c->receipt_digest.size() != 64 || c->register_number.empty() ||
            c->register_number.size() > 40 || c->kid.empty())
            __builtin_trap();
    }
    (void)idara::trust::verify_qr(*payload, keys);
    return 0;
}
