#include "core/error_json.hpp"
#include "core/i18n.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

using namespace idara;

TEST(ErrorJson, HasTheOneShapeWithBothLanguages) {
    auto v = boost::json::parse(error_json(errors::too_large("secret detail")));
    const auto& e = v.at("error");
    EXPECT_EQ(e.at("code").as_string(), "request.too_large");
    const auto& m = e.at("message");
    EXPECT_EQ(m.at("ar").as_string(), i18n::catalogue().get(i18n::Lang::ar, "error.request.too_large"));
    EXPECT_EQ(m.at("fr").as_string(), i18n::catalogue().get(i18n::Lang::fr, "error.request.too_large"));
    // Technical detail never leaks.
    EXPECT_EQ(error_json(errors::too_large("secret detail")).find("secret"), std::string::npos);
}

TEST(ErrorJson, UnknownCodeFallsBackToGenericMessage) {
    auto v = boost::json::parse(error_json(Error{"no.such.code", 500}));
    EXPECT_EQ(v.at("error").at("code").as_string(), "no.such.code");
    EXPECT_EQ(v.at("error").at("message").at("fr").as_string(),
              i18n::catalogue().get(i18n::Lang::fr, "error.internal"));
}

TEST(ErrorJson, EveryCommonErrorHasMessages) {
    for (const Error& e : {errors::bad_request(), errors::malformed_json(), errors::too_large(), errors::unsupported_media(),
                           errors::unauthenticated(), errors::forbidden(), errors::not_found(), errors::method_not_allowed(),
                           errors::conflict(), errors::csrf(), errors::rate_limited(), errors::unavailable(), errors::internal()}) {
        for (auto l : i18n::kAllLangs) EXPECT_TRUE(i18n::catalogue().has(l, "error." + e.code)) << e.code;
    }
}

TEST(Result, CarriesValueOrError) {
    Result<int> ok = 3;
    Result<int> bad = errors::not_found("x");
    ASSERT_TRUE(ok);
    EXPECT_EQ(*ok, 3);
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().status, 404);
    EXPECT_THROW(bad.value(), ErrorException);
}
