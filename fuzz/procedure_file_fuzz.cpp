// Procedure files come from administrations (`idara procedures load`, <data-dir>/procedures): any
// bytes give a Procedure or procedure.invalid whose detail names the file and a line and column
// (procedure.too_large over 1 MiB); locate() gives a position of at least {1,1} for any pointer;
// an accepted file parses again to the same procedure.
#include "procedures/procedure.hpp"

#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace idara::procedures;
    const std::string_view in(reinterpret_cast<const char*>(data), size);
    // One pointer per input (locate reads the whole text), chosen by the input's size.
    static const char* const pointers[] = {"", "/code", "/steps/0/fields/0", "/fields/a~1b/options/3", "/x/-/0"};
    const Position pos = locate(in, pointers[size % 5]);
    if (pos.line < 1 || pos.column < 1) __builtin_trap();
    auto r = parse_procedure(in, "fuzz.json");
    if (!r) {
        const auto& e = r.error();
        if (e.code == "procedure.too_large") return e.status == 413 ? 0 : (__builtin_trap(), 0);
        if (e.code != "procedure.invalid" || e.status != 400 || e.detail.rfind("fuzz.json: line ", 0) != 0 ||
            e.detail.find(", column ") == std::string::npos)
            __builtin_trap();
        return 0;
    }
    if (r->steps.empty() || r->fields.empty() || r->version < 1) __builtin_trap();
    for (const auto& s : r->steps)
        for (const auto& f : s.fields)
            if (!r->field(f)) __builtin_trap();
    auto again = parse_procedure(in, "again.json");
    if (!again || again->code != r->code || again->version != r->version || again->form_schema != r->form_schema)
        __builtin_trap();
    return 0;
}
