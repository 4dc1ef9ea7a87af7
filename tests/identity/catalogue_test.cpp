// Every error code the identity module returns has a message in Arabic and in French.
// The codes are read from the sources, so a new code without a message fails here.
#include "core/i18n.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

namespace {

// The first string literal after each occurrence of `marker` in `text`, within the same
// statement (std::regex is avoided: g++ 12 warns inside it at -O1).
void literals_after(const std::string& text, const std::string& marker, std::set<std::string>& out) {
    for (auto at = text.find(marker); at != std::string::npos; at = text.find(marker, at + 1)) {
        const auto start = at + marker.size();
        const auto open = text.find('"', start);
        const auto end = text.find_first_of(";{}", start);
        if (open == std::string::npos || (end != std::string::npos && end < open)) continue;
        const auto close = text.find('"', open + 1);
        if (close == std::string::npos) continue;
        out.insert(text.substr(open + 1, close - open - 1));
    }
}

std::set<std::string> codes_in_sources() {
    std::set<std::string> codes;
    for (const auto& f : std::filesystem::directory_iterator(std::string(IDARA_TEST_SOURCE_DIR) + "/src/identity")) {
        if (f.path().extension() != ".cpp") continue;
        std::ifstream in(f.path());
        std::stringstream text;
        text << in.rdbuf();
        literals_after(text.str(), "Error{", codes);
        literals_after(text.str(), "conflict_as(", codes);
    }
    return codes;
}

TEST(IdentityCatalogue, EveryErrorCodeHasBothMessages) {
    const auto codes = codes_in_sources();
    // The scan itself works: it finds codes returned directly and codes mapped from conflicts.
    EXPECT_TRUE(codes.count("auth.invalid_credentials"));
    EXPECT_TRUE(codes.count("account.login_taken"));
    EXPECT_GE(codes.size(), 10u);
    const auto& c = idara::i18n::catalogue();
    for (const auto& code : codes)
        for (auto l : idara::i18n::kAllLangs) EXPECT_TRUE(c.has(l, "error." + code)) << code << " " << idara::i18n::code(l);
}

}  // namespace
