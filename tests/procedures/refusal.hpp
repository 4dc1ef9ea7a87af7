// Checks of refused procedure files: the line of a piece of text, and whether parse_procedure
// refuses a text with procedure.invalid (400) whose detail names the file "bad.json", the line and
// the reason. Header-only.
#pragma once

#include "procedures/procedure.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <string>

namespace idara::testing {

// The 1-based line of the first `needle` at or after `from` in `text` (0, and a failure, when absent).
inline int line_of(const std::string& text, const std::string& needle, std::size_t from = 0) {
    const auto at = text.find(needle, from);
    if (at == std::string::npos) {
        ADD_FAILURE() << "not found: " << needle;
        return 0;
    }
    return 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(at), '\n'));
}

// procedure.invalid at `line` with `reason` (and the file name) in the detail.
inline ::testing::AssertionResult refused(const std::string& text, int line, const std::string& reason) {
    auto r = procedures::parse_procedure(text, "bad.json");
    if (r) return ::testing::AssertionFailure() << "parsed";
    const auto& e = r.error();
    if (e.code != "procedure.invalid" || e.status != 400)
        return ::testing::AssertionFailure() << e.code << " " << e.status << ": " << e.detail;
    const std::string at = "line " + std::to_string(line) + ",";
    if (e.detail.rfind("bad.json: ", 0) != 0 || e.detail.find(at) == std::string::npos ||
        e.detail.find(reason) == std::string::npos)
        return ::testing::AssertionFailure() << "detail \"" << e.detail << "\" should name " << at << " and \"" << reason
                                             << "\"";
    return ::testing::AssertionSuccess() << e.detail;
}

}  // namespace idara::testing
