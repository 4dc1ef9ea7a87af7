// Every error code the parapheur and its API return has a message in Arabic (with Arabic
// letters) and in French, and the stamp and name keys exist in both. The codes are read from
// the sources, so a new code without a message fails here.
#include "core/i18n.hpp"
#include "error_codes.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>
#include <string>

namespace {

using idara::testing::error_codes_in;

bool has_arabic(const std::string& s) {
    // U+0600..U+06FF is 0xD8 0x80 .. 0xDB 0xBF in UTF-8.
    for (std::size_t i = 0; i + 1 < s.size(); ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c >= 0xD8 && c <= 0xDB) return true;
    }
    return false;
}

TEST(ParapheurCatalogue, EveryErrorCodeHasBothMessages) {
    const auto codes = error_codes_in({"src/parapheur/templates.cpp", "src/parapheur/access.cpp", "src/parapheur/start.cpp",
                                 "src/parapheur/actions.cpp", "src/parapheur/queries.cpp",
                                 "src/parapheur/stamp_layout.cpp", "src/api/parapheur.cpp"});
    EXPECT_GE(codes.size(), 12u);
    const auto& c = idara::i18n::catalogue();
    for (const auto& code : codes) {
        for (auto l : idara::i18n::kAllLangs) EXPECT_TRUE(c.has(l, "error." + code)) << code;
        EXPECT_TRUE(has_arabic(c.get(idara::i18n::Lang::ar, "error." + code))) << code;
    }
    for (const char* key : {"parapheur.stamp.signed", "parapheur.stamp.sealed", "parapheur.stamp.role",
                            "parapheur.stamp.date", "parapheur.stamp.delegation", "parapheur.demo.outgoing_letter",
                            "parapheur.demo.step.unit_head_visa", "parapheur.demo.step.signer_signature"})
        for (auto l : idara::i18n::kAllLangs) EXPECT_TRUE(c.has(l, key)) << key;
}

}  // namespace
