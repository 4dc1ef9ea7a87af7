// JSON in and out for the /api/v1 endpoints.
//
// Requests: a body must be declared `application/json` (415 otherwise), be
// valid JSON (400 request.malformed_json) and be an object (400 request.invalid).
// Responses: compact JSON; errors always in the one error shape (error_json.hpp).
#pragma once

#include "core/error.hpp"
#include "http/message.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace idara::api {

Result<boost::json::object> parse_json_object(const http::Request& req);

http::Response json_response(int status, const boost::json::value& v);
// The same with Cache-Control: no-store (answers with personal or changing data).
http::Response json_no_store(int status, const boost::json::value& v);
// An instant (ms UTC) as ISO 8601 ("2026-05-14T09:30:00Z"), or null when absent.
boost::json::value iso_or_null(const std::optional<std::int64_t>& ms);
http::Response error_response(const Error& e);

// Field accessors that produce a request.invalid error naming the field.
Result<std::string> required_string(const boost::json::object& o, std::string_view field, std::size_t max_len);
Result<std::optional<std::string>> optional_string(const boost::json::object& o, std::string_view field,
                                                   std::size_t max_len);
Result<std::optional<std::int64_t>> optional_int(const boost::json::object& o, std::string_view field);

// A whole string of decimal digits (an optional '-' first) as a number: path segments and query
// parameters such as ids, years and limits; nullopt for anything else. Callers check the range.
std::optional<std::int64_t> parse_decimal(std::string_view s);
// A positive decimal id (path segments such as /letters/{id}), or nullopt.
std::optional<std::int64_t> parse_id(std::string_view s);

}  // namespace idara::api
