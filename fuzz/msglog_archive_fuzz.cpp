// Message-log archive files are read back by `idara exchange log verify`, possibly after someone
// edited them: any bytes give an ArchiveContent or exchange.bad_archive; a parsed archive written
// again parses to the same records, and its token (any bytes) is checked without crashing.
#include "exchange/msglog_record.hpp"

#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace idara::exchange::msglog;
    const std::string_view in(reinterpret_cast<const char*>(data), size);
    auto a = parse_archive(in);
    if (!a) {
        if (a.error().code != "exchange.bad_archive") __builtin_trap();
        return 0;
    }
    auto again = parse_archive(archive_json(a->seq, a->prev_sha256, a->batch, a->records));
    if (!again || again->records.size() != a->records.size()) __builtin_trap();
    for (std::size_t i = 0; i < a->records.size(); ++i)
        if (record_json(again->records[i]) != record_json(a->records[i]) || again->records[i].leaf != a->records[i].leaf)
            __builtin_trap();
    (void)check_token(a->batch.token, a->batch.root, {});
    return 0;
}
