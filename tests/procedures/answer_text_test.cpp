// Answers as text (entry bodies, dossiers, the public directory): options by their label, numbers
// as written, decimals in plain notation with the French comma.
#include "portal_fixture.hpp"
#include "procedures/applications_impl.hpp"

#include <gtest/gtest.h>

namespace idara::testing {
namespace {

TEST(AnswerText, NumbersAreWrittenPlainly) {
    auto p = procedures::parse_procedure(reference_procedure());
    ASSERT_TRUE(p.has_value()) << p.error().detail;
    const procedures::Field& f = p->fields.front();
    using L = i18n::Lang;
    EXPECT_EQ(procedures::answer_text(*p, f, boost::json::value(16.42), L::ar), "16.42");
    EXPECT_EQ(procedures::answer_text(*p, f, boost::json::value(16.42), L::fr), "16,42");
    EXPECT_EQ(procedures::answer_text(*p, f, boost::json::value(1850000.5), L::fr), "1850000,5");
    EXPECT_EQ(procedures::answer_text(*p, f, boost::json::value(12.0), L::fr), "12");
    EXPECT_EQ(procedures::answer_text(*p, f, boost::json::value(std::int64_t{900000}), L::fr), "900000");
}

}  // namespace
}  // namespace idara::testing
