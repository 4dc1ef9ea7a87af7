// Every error code the journal and its API return has a message in Arabic and in French,
// and the audit's summaries exist in both. The codes are read from the sources, so a new
// code without a message fails here.
#include "core/i18n.hpp"
#include "error_codes.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>
#include <string>

namespace {

using idara::testing::error_codes_in;

TEST(JournalCatalogue, EveryErrorCodeHasBothMessages) {
    const auto codes = error_codes_in({"src/journal/append.cpp", "src/journal/journal.cpp", "src/journal/sth.cpp",
                                 "src/journal/verify.cpp", "src/api/journal.cpp"});
    EXPECT_GE(codes.size(), 5u);
    for (const auto& code : codes)
        for (auto l : idara::i18n::kAllLangs)
            EXPECT_TRUE(idara::i18n::catalogue().has(l, "error." + code)) << code;
    for (const char* key : {"journal.audit.intact", "journal.audit.fault", "error.journal.bad_parameter",
                            "error.journal.bad_range", "error.journal.no_sth"})
        for (auto l : idara::i18n::kAllLangs) EXPECT_TRUE(idara::i18n::catalogue().has(l, key)) << key;
}

}  // namespace
