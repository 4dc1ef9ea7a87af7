// Raw bytes from the network through the server's own request parsing
// (parse_request_bytes: the Beast parser, limits and path checks the session
// loop uses), pipelined: every complete request is cut off and the rest parsed
// again. Checks that a parsed request has a safe path and that failures are
// 400, 413 or 431.
#include "http/request_parse.hpp"

#include <cstdint>
#include <cstdlib>
#include <string_view>

namespace {

using namespace idara::http;

void check_request(const ParsedRequest& p, std::size_t available) {
    const Request& r = p.request;
    if (p.consumed == 0 || p.consumed > available) std::abort();
    if (r.path.empty() || r.path.front() != '/' || r.path.find('\0') != std::string::npos) std::abort();
    if (r.path == "/.." || r.path.find("/../") != std::string::npos) std::abort();
    if (r.path.size() >= 3 && r.path.compare(r.path.size() - 3, 3, "/..") == 0) std::abort();
    (void)r.query_param("next");
    (void)r.cookie("idara_session");
    (void)r.form("_csrf");
    (void)valid_request_id(r.header("X-Request-Id").value_or(""));
}

void parse_all(std::string_view bytes, const RequestLimits& limits) {
    for (int i = 0; i < 16 && !bytes.empty(); ++i) {
        const ParsedRequest p = parse_request_bytes(bytes, limits);
        if (p.status == ParsedRequest::Status::incomplete) return;
        if (p.status == ParsedRequest::Status::failed) {
            const int s = p.error.status;
            if (s != 400 && s != 413 && s != 431) std::abort();
            return;
        }
        check_request(p, bytes.size());
        bytes.remove_prefix(p.consumed);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    parse_all(bytes, RequestLimits{});
    parse_all(bytes, RequestLimits{.max_header_bytes = 256, .max_body_bytes = 64});
    return 0;
}
