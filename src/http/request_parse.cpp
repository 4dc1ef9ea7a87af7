// Request parsing shared by the server and the fuzz targets (see request_parse.hpp).
// Only Beast's HTTP parser is included here: no coroutines, no sockets, so the
// file also builds with clang's libFuzzer.
#include "http/request_parse.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include <algorithm>
#include <cstdint>

namespace idara::http {

namespace bhttp = boost::beast::http;

namespace {

int hex(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

bool has_dot_dot_segment(std::string_view p) {
    for (std::size_t pos = 0; (pos = p.find("..", pos)) != std::string_view::npos; pos += 2) {
        const bool starts = pos == 0 || p[pos - 1] == '/';
        const bool ends = pos + 2 == p.size() || p[pos + 2] == '/';
        if (starts && ends) return true;
    }
    return false;
}

// A malformed request, as opposed to a closed, reset or truncated one.
bool is_http_syntax_error(const boost::system::error_code& ec) {
    static const auto& http_category = bhttp::make_error_code(bhttp::error::bad_method).category();
    return ec.category() == http_category && ec != bhttp::error::end_of_stream &&
           ec != bhttp::error::partial_message && ec != bhttp::error::need_more;
}

}  // namespace

std::optional<std::string> decode_request_path(std::string_view raw_path) {
    std::string out;
    out.reserve(raw_path.size());
    for (std::size_t i = 0; i < raw_path.size(); ++i) {
        if (raw_path[i] == '%' && i + 2 < raw_path.size() && hex(raw_path[i + 1]) >= 0 && hex(raw_path[i + 2]) >= 0) {
            out += static_cast<char>(hex(raw_path[i + 1]) * 16 + hex(raw_path[i + 2]));
            i += 2;
        } else {
            out += raw_path[i];
        }
    }
    if (out.empty() || out.front() != '/' || out.find('\0') != std::string::npos) return std::nullopt;
    if (has_dot_dot_segment(out)) return std::nullopt;
    return out;
}

bool valid_request_id(std::string_view id) {
    if (id.empty() || id.size() > 64) return false;
    for (const char c : id) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                        c == '_' || c == '.';
        if (!ok) return false;
    }
    return true;
}

Result<Request> make_request(std::string_view method, std::string_view target, Headers headers, std::string body) {
    Request req;
    req.method = parse_method(method);
    req.target = std::string(target);
    const auto q = target.find('?');
    req.query = q == std::string_view::npos ? std::string() : std::string(target.substr(q + 1));
    auto path = decode_request_path(target.substr(0, q));
    if (!path) return errors::bad_request("bad request path");
    req.path = std::move(*path);
    req.headers = std::move(headers);
    req.body = std::move(body);
    return req;
}

std::optional<Error> request_read_error(const boost::system::error_code& ec, const RequestLimits& limits) {
    if (ec == bhttp::error::body_limit) return errors::too_large("body over " + std::to_string(limits.max_body_bytes));
    if (ec == bhttp::error::header_limit)
        return Error{"request.header_too_large", 431, "headers over " + std::to_string(limits.max_header_bytes)};
    if (is_http_syntax_error(ec)) return errors::bad_request(ec.message());
    return std::nullopt;
}

ParsedRequest parse_request_bytes(std::string_view bytes, const RequestLimits& limits) {
    ParsedRequest out;
    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(limits.max_header_bytes, UINT32_MAX)));
    parser.body_limit(limits.max_body_bytes);
    parser.eager(true);
    std::size_t used = 0;
    while (!parser.is_done()) {
        boost::system::error_code ec;
        const std::size_t n = parser.put(boost::asio::const_buffer(bytes.data() + used, bytes.size() - used), ec);
        used += n;
        if (ec == bhttp::error::need_more || (!ec && n == 0)) return out;  // incomplete
        if (ec) {
            out.status = ParsedRequest::Status::failed;
            out.error = request_read_error(ec, limits).value_or(errors::bad_request(ec.message()));
            return out;
        }
    }
    auto& msg = parser.get();
    Headers headers;
    for (const auto& f : msg) headers.add(std::string(f.name_string()), std::string(f.value()));
    const auto method = msg.method_string();
    const bool keep_alive = msg.keep_alive();
    auto req = make_request(std::string_view(method.data(), method.size()),
                            std::string_view(msg.target().data(), msg.target().size()), std::move(headers),
                            std::move(msg.body()));
    if (!req) {
        out.status = ParsedRequest::Status::failed;
        out.error = req.error();
        return out;
    }
    out.status = ParsedRequest::Status::complete;
    out.keep_alive = keep_alive;
    out.consumed = used;
    out.request = std::move(*req);
    return out;
}

}  // namespace idara::http
