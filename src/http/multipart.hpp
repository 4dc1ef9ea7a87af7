// multipart/form-data bodies (RFC 7578), as sent by HTML forms and API clients.
//
// parse_multipart() takes the request's Content-Type header value (which must
// be multipart/form-data with a boundary parameter) and the whole body, and
// returns the parts in order. It copies nothing but the part bodies, never
// throws, and refuses (never guesses) anything malformed:
//   - request.unsupported_media_type (415) when the Content-Type is not
//     multipart/form-data or has no usable boundary;
//   - request.invalid (400) for a missing closing delimiter, a part without a
//     Content-Disposition "form-data" header with a name, malformed or
//     oversized part headers, or more parts than limits.max_parts;
//   - request.too_large (413) when one part's body exceeds limits.max_part_bytes.
// Part header names are case-insensitive; a part's Content-Type defaults to
// "text/plain" (files: "application/octet-stream") — callers must not trust it
// for files anyway (sniff the content). filename is taken from the
// Content-Disposition `filename` parameter (quoted or token), with any path
// before the last '/' or '\' removed; `filename*` (RFC 5987, UTF-8'') wins
// when present. Names and file names must be valid UTF-8 without control
// characters (request.invalid otherwise).
//
// Thread-safety: a pure function.
#pragma once

#include "core/error.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace idara::http {

struct MultipartLimits {
    std::size_t max_parts = 32;
    std::size_t max_part_bytes = 10 * 1024 * 1024;
    std::size_t max_header_bytes = 4096;  // all headers of one part together
};

struct Part {
    std::string name;                     // form field name
    std::optional<std::string> filename;  // present for file parts
    std::string content_type;             // as declared (lower-cased media type, parameters dropped)
    std::string body;
};

Result<std::vector<Part>> parse_multipart(std::string_view content_type, std::string_view body,
                                          const MultipartLimits& limits = {});

// Builds a multipart/form-data body (for tests, benchmarks and the CLI):
// returns {content_type_header_value, body}.
struct MultipartBody {
    std::string content_type;
    std::string body;
};
MultipartBody build_multipart(const std::vector<Part>& parts);

}  // namespace idara::http
