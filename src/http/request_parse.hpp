// Turning bytes from the network into a Request, as pure functions: the
// server's session loop and the fuzz targets share them, so what is fuzzed is
// what is served. Beast's parser is used inside request_parse.cpp only; this
// header names no Beast or Asio type.
//
// Errors are the ones the server answers with, in the JSON error shape:
//   request.invalid (400)          unparsable request line or headers, bad path
//   request.too_large (413)        body over RequestLimits::max_body_bytes
//   request.header_too_large (431) request line + headers over max_header_bytes
//
// Thread-safety: all functions are reentrant.
#pragma once

#include "core/error.hpp"
#include "http/message.hpp"

#include <boost/system/error_code.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace idara::http {

struct RequestLimits {
    std::size_t max_header_bytes = 16 * 1024;
    std::size_t max_body_bytes = 1024 * 1024;
};

// Percent-decodes the path part of a request target (no '+' → space: that is a
// query convention). Returns nullopt when the result does not start with '/',
// contains a NUL byte, or has a ".." segment; the server answers 400 then.
std::optional<std::string> decode_request_path(std::string_view raw_path);

// True for a client X-Request-Id worth echoing: 1–64 characters of [A-Za-z0-9-_.].
bool valid_request_id(std::string_view id);

// Builds a Request from the parts of a parsed message: sets method, target,
// path (decoded, checked as above), query and body; takes the headers.
// remote_addr, request_id, params and route are left for the server and router.
// Fails with request.invalid (400) on a bad path.
Result<Request> make_request(std::string_view method, std::string_view target, Headers headers, std::string body);

// The error the server answers when reading a request failed with `ec`
// (an error code of Beast's HTTP parser), or nullopt when there is nothing to
// answer: the peer closed, reset or stalled the connection.
std::optional<Error> request_read_error(const boost::system::error_code& ec, const RequestLimits& limits);

// The outcome of parse_request_bytes.
struct ParsedRequest {
    enum class Status { complete, incomplete, failed };
    Status status = Status::incomplete;
    Request request;           // complete: see make_request
    bool keep_alive = false;   // complete: the client allows another request on the connection
    std::size_t consumed = 0;  // complete: how many leading bytes made up this request
    Error error;               // failed: the error to answer with (400, 413 or 431)
};

// Parses the first HTTP/1.x request in `bytes` with the server's parser and
// limits. `incomplete` means the bytes end before the request does. Never
// throws on any input.
ParsedRequest parse_request_bytes(std::string_view bytes, const RequestLimits& limits);

}  // namespace idara::http
