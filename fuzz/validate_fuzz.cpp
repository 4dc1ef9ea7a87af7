// Files and detached signatures given to the validator (trust/validate.hpp: POST /api/v1/verify,
// `idara verify`): PDF signatures found by qpdf or the raw scan, CMS and time-stamp token parsing.
// Input: a PDF, or "content\n--p7s--\nsignature" for a detached CAdES signature.
#include "trust/validate.hpp"

#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view s(reinterpret_cast<const char*>(data), size);
    idara::trust::ValidationOptions o;  // no anchor: nothing may pass
    o.now_ms = 1'790'000'000'000;
    constexpr std::string_view sep = "\n--p7s--\n";
    const auto at = s.find(sep);
    auto r = at == std::string_view::npos ? idara::trust::validate_pdf(s, o)
                                          : idara::trust::validate_detached(s.substr(0, at), s.substr(at + sep.size()), o);
    if (!r) __builtin_trap();  // malformed input is reported, never an error
    if (r->indication == idara::trust::Indication::total_passed) __builtin_trap();
    for (const auto& sig : r->signatures)
        if (sig.chain_trusted || sig.indication == idara::trust::Indication::total_passed) __builtin_trap();
    if (at != std::string_view::npos && r->signatures.size() != 1) __builtin_trap();
    return 0;
}
