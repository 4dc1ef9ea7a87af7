// The error codes a module returns, read from its sources (every `Error{"code"` literal), so that
// a catalogue test fails when a new code has no message. Paths are relative to the source tree.
// Header-only; a file that cannot be read fails the calling test.
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace idara::testing {

inline std::set<std::string> error_codes_in(const std::vector<std::string>& files) {
    std::set<std::string> codes;
    for (const auto& name : files) {
        std::ifstream in(std::string(IDARA_TEST_SOURCE_DIR) + "/" + name);
        EXPECT_TRUE(in) << name;
        std::stringstream text;
        text << in.rdbuf();
        const std::string s = text.str();
        const std::string marker = "Error{\"";
        for (auto at = s.find(marker); at != std::string::npos; at = s.find(marker, at + 1)) {
            const auto open = at + marker.size();
            codes.insert(s.substr(open, s.find('"', open) - open));
        }
    }
    return codes;
}

}  // namespace idara::testing
