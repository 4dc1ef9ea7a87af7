// Attachments come from anyone. The input is the file's bytes; its first line
// also serves as a file name for a second check. Checks the documented
// contract: errors use only the codes and statuses of attachments.hpp, and an
// accepted file is one of our types (as sniffed), within the limits, with the
// same bytes, a 64-hex SHA-256 and a clean name.
#include "registry/attachments.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace {

using namespace idara::registry;

void check_error(const idara::Error& e) {
    static const std::pair<std::string_view, int> kAllowed[] = {
        {"deposit.attachment_type", 415}, {"deposit.attachment_too_large", 413}, {"deposit.attachment_empty", 400},
        {"deposit.attachment_corrupt", 422}, {"deposit.attachment_name", 400}, {"deposit.too_many_files", 413},
        {"deposit.total_too_large", 413}};
    for (const auto& [code, status] : kAllowed)
        if (e.code == code && e.status == status) return;
    __builtin_trap();
}

void check_file(const CheckedFile& f, std::string_view bytes, const AttachmentLimits& limits) {
    if (f.bytes != bytes || f.bytes.empty() || f.bytes.size() > limits.max_bytes) __builtin_trap();
    if (sniff(bytes) != f.type) __builtin_trap();
    if (f.sha256.size() != 64 || f.sha256.find_first_not_of("0123456789abcdef") != std::string::npos) __builtin_trap();
    if (f.name.empty() || f.name.size() > 200 || f.name.find_first_of("/\\") != std::string::npos) __builtin_trap();
    if (f.name.front() == ' ' || f.name.back() == ' ') __builtin_trap();
    for (char c : f.name)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) __builtin_trap();
}

void run(std::string name, std::string_view bytes, const AttachmentLimits& limits) {
    const auto r = check_attachment({std::move(name), std::string(bytes)}, limits);
    if (!r) {
        check_error(r.error());
        return;
    }
    check_file(*r, bytes, limits);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    run("fuzz.bin", bytes, AttachmentLimits{});
    run(std::string(bytes.substr(0, bytes.find('\n'))), bytes, AttachmentLimits{});
    run("small.bin", bytes, AttachmentLimits{.max_count = 2, .max_bytes = 512, .max_total_bytes = 600});
    // Two copies are always over a total of 2*size-1 (or empty): check_all must refuse.
    const auto all = check_all({{"a", std::string(bytes)}, {"b", std::string(bytes)}},
                               AttachmentLimits{.max_count = 2, .max_bytes = 1 << 20,
                                                .max_total_bytes = size == 0 ? 0 : 2 * size - 1});
    if (all) __builtin_trap();
    check_error(all.error());
    return 0;
}
