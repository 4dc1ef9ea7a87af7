// UTF-8 text checks for input from outside.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace idara::utf8 {

// Well-formed UTF-8: no overlong forms, surrogates, values past U+10FFFF, nor NUL
// (PostgreSQL refuses NUL in text).
bool valid(std::string_view s);
// The number of code points of valid UTF-8 text (nullopt when not valid).
std::optional<std::size_t> length(std::string_view s);
// Whether the text holds a control character (C0, DEL, C1) other than those allowed
// (`allow_newlines`: LF, CR and TAB are allowed).
bool has_controls(std::string_view s, bool allow_newlines);

}  // namespace idara::utf8
