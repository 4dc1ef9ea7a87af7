// The published keys document as the offline verifier reads it (`idara verify --keys FILE`):
// a file from anywhere (trust/key_store.hpp, parse_keys_document).
#include "trust/key_store.hpp"

#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view s(reinterpret_cast<const char*>(data), size);
    auto doc = idara::trust::parse_keys_document(s);
    if (!doc) {
        if (doc.error().code != "trust.keys_document") __builtin_trap();  // the one documented error
        return 0;
    }
    // What parses writes back and parses again to the same keys.
    auto again = idara::trust::parse_keys_document(idara::trust::keys_document(doc->keys, doc->anchors_pem));
    if (!again || again->keys.size() != doc->keys.size() || again->anchors_pem != doc->anchors_pem) __builtin_trap();
    for (std::size_t i = 0; i < doc->keys.size(); ++i)
        if (again->keys[i].kid != doc->keys[i].kid || again->keys[i].ed25519_pk != doc->keys[i].ed25519_pk) __builtin_trap();
    return 0;
}
