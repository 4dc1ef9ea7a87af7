// The deadline module's user-facing text: every holiday and every error code has an Arabic and a French
// message, and web/i18n/{ar,fr}/deadline.json have the same keys. Codes are read from the sources, so a
// new code without a message fails here.
#include "core/i18n.hpp"
#include "deadline/calendar.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

namespace {

std::string read(const std::filesystem::path& p) {
    std::ifstream in(p);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

// The string literal right after each occurrence of `marker` (as in Error("holiday.shift", ...)).
std::set<std::string> error_codes_in_sources() {
    std::set<std::string> codes;
    for (const auto& f : std::filesystem::directory_iterator(std::string(IDARA_TEST_SOURCE_DIR) + "/src/deadline")) {
        if (f.path().extension() != ".cpp") continue;
        const std::string text = read(f.path());
        for (const std::string marker : {"Error(\"", "invalid(\""}) {
            for (auto at = text.find(marker); at != std::string::npos; at = text.find(marker, at + 1)) {
                const auto start = at + marker.size();
                codes.insert(text.substr(start, text.find('"', start) - start));
            }
        }
    }
    return codes;
}

std::set<std::string> keys_of(const std::string& lang) {
    const auto v = boost::json::parse(read(std::string(IDARA_TEST_SOURCE_DIR) + "/web/i18n/" + lang + "/deadline.json"));
    std::set<std::string> keys;
    for (const auto& kv : v.as_object()) keys.insert(std::string(kv.key()));
    return keys;
}

TEST(DeadlineCatalogue, BothLanguagesHaveTheSameKeys) {
    const auto ar = keys_of("ar"), fr = keys_of("fr");
    EXPECT_EQ(ar, fr);
    EXPECT_GE(ar.size(), 20u);
}

TEST(DeadlineCatalogue, EveryErrorCodeHasBothMessages) {
    const auto codes = error_codes_in_sources();
    EXPECT_TRUE(codes.count("holiday.shift"));
    EXPECT_TRUE(codes.count("holiday.year"));
    EXPECT_GE(codes.size(), 6u);
    const auto& c = idara::i18n::catalogue();
    for (const auto& code : codes)
        for (auto l : idara::i18n::kAllLangs)
            EXPECT_TRUE(c.has(l, "error." + code)) << code << " " << idara::i18n::code(l);
}

TEST(DeadlineCatalogue, EveryHolidayHasBothNames) {
    const auto& c = idara::i18n::catalogue();
    EXPECT_EQ(idara::deadline::holiday_codes().size(), 14u);
    for (auto code : idara::deadline::holiday_codes())
        for (auto l : idara::i18n::kAllLangs)
            EXPECT_TRUE(c.has(l, idara::deadline::holiday_name_key(code))) << code << " " << idara::i18n::code(l);
}

}  // namespace
