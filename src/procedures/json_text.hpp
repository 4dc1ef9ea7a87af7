// Internal to procedures/: JSON texts with positions for messages.
#pragma once

#include "core/error.hpp"
#include "procedures/procedure.hpp"

#include <boost/json/value.hpp>

#include <string_view>

namespace idara::procedures {

// Line and column of byte `offset` of `text`.
Position position_of(std::string_view text, std::size_t offset);
// One reference token of an RFC 6901 pointer: "~" as "~0" and "/" as "~1".
std::string pointer_segment(std::string_view s);
// Parses JSON; on a syntax error, procedure.invalid (400) whose detail is
// "<file_name>: line L, column C: not valid JSON (<reason>)".
Result<boost::json::value> parse_json_located(std::string_view text, std::string_view file_name);

}  // namespace idara::procedures
