// multipart/form-data bodies come from anyone. The first line of the input is
// the Content-Type header value, the rest the body. Checks the documented
// contract: failures are request.invalid/400, request.too_large/413 or
// request.unsupported_media_type/415; parsed parts respect the limits, have a
// UTF-8 name, a path-free file name and a lower-cased media type; and
// build_multipart -> parse_multipart gives the same parts back.
#include "http/multipart.hpp"

#include <cstdint>
#include <string_view>

namespace {

using namespace idara::http;

void check_error(const idara::Error& e) {
    const bool ok = (e.code == "request.invalid" && e.status == 400) || (e.code == "request.too_large" && e.status == 413) ||
                    (e.code == "request.unsupported_media_type" && e.status == 415);
    if (!ok) __builtin_trap();
}

void check_parts(const std::vector<Part>& parts, const MultipartLimits& limits) {
    if (parts.empty() || parts.size() > limits.max_parts) __builtin_trap();
    for (const auto& p : parts) {
        if (p.name.empty() || p.body.size() > limits.max_part_bytes) __builtin_trap();
        for (char c : p.name)
            if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) __builtin_trap();
        if (p.filename && p.filename->find_first_of("/\\") != std::string::npos) __builtin_trap();
        if (p.content_type.empty() || p.content_type.find('/') == std::string::npos) __builtin_trap();
        for (char c : p.content_type)
            if (c >= 'A' && c <= 'Z') __builtin_trap();
    }
}

void round_trip(const std::vector<Part>& parts) {
    const auto built = build_multipart(parts);
    const auto again = parse_multipart(built.content_type, built.body);
    if (!again || again->size() != parts.size()) __builtin_trap();
    for (std::size_t i = 0; i < parts.size(); ++i) {
        const Part& a = parts[i];
        const Part& b = (*again)[i];
        if (a.name != b.name || a.filename != b.filename || a.content_type != b.content_type || a.body != b.body)
            __builtin_trap();
    }
}

void run(std::string_view ct, std::string_view body, const MultipartLimits& limits) {
    const auto r = parse_multipart(ct, body, limits);
    if (!r) {
        check_error(r.error());
        return;
    }
    check_parts(*r, limits);
    round_trip(*r);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const auto eol = input.find('\n');
    const std::string_view ct = eol == std::string_view::npos ? input : input.substr(0, eol);
    const std::string_view body = eol == std::string_view::npos ? std::string_view() : input.substr(eol + 1);
    run(ct, body, MultipartLimits{});
    run(ct, body, MultipartLimits{.max_parts = 2, .max_part_bytes = 16, .max_header_bytes = 64});
    // The same body under a fixed, valid Content-Type (boundary "B").
    run("multipart/form-data; boundary=B", input, MultipartLimits{});
    return 0;
}
