// RFC 3161 messages from outside: DER TimeStampReq bodies answered by the built-in authority
// (trust/tsa.hpp respond(), for POST /tsa), and DER TimeStampResp answers of an external
// authority checked by the HTTP client (trust/tsa_protocol.hpp token_from_response).
#include "core/clock.hpp"
#include "trust/keys.hpp"
#include "trust/tsa.hpp"
#include "trust/tsa_protocol.hpp"

#include <openssl/ts.h>

#include <cstdint>
#include <memory>
#include <string_view>

namespace {

idara::trust::BuiltinTsa& authority() {
    static std::unique_ptr<idara::trust::BuiltinTsa> tsa = [] {
        auto root = idara::trust::make_dev_root("idara fuzz");
        if (!root) __builtin_trap();
        auto id = idara::trust::issue_identity(root->key.get(), root->cert.get(),
                                               {.common_name = "Fuzz TSA", .organisation = "idara fuzz",
                                                .ext_key_usage = "critical,timeStamping"});
        if (!id) __builtin_trap();
        return idara::trust::make_builtin_tsa(std::move(*id), idara::system_clock());
    }();
    return *tsa;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view s(reinterpret_cast<const char*>(data), size);
    auto resp = authority().respond(s);
    if (resp) {
        // Whatever was accepted gets a well-formed TimeStampResp back.
        const auto* p = reinterpret_cast<const unsigned char*>(resp->data());
        TS_RESP* r = d2i_TS_RESP(nullptr, &p, static_cast<long>(resp->size()));
        if (r == nullptr) __builtin_trap();
        TS_RESP_free(r);
    } else if (resp.error().code != "trust.tsa_request" && resp.error().code != "trust.tsa_unavailable") {
        __builtin_trap();
    }
    static const unsigned char zeros[32] = {};
    auto token = idara::trust::tsa_protocol::token_from_response(s, std::span<const unsigned char, 32>(zeros, 32),
                                                                 std::string("\x40\x01\x02\x03\x04\x05\x06\x07", 8));
    if (!token && token.error().code != "trust.tsa_unavailable") __builtin_trap();
    return 0;
}
