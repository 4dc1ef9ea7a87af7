// Access rights: deny by default, subjects, methods and path patterns (exchange/access.hpp).
#include "exchange/access.hpp"

#include <gtest/gtest.h>

namespace {

using namespace idara::exchange;

GlobalConf conf_with_groups() {
    GlobalConf c;
    c.instance = "MA";
    c.groups.push_back(GroupInfo{"universities", {ClientId{"MA", "GOV", "UNIV", "registration"}}});
    c.groups.push_back(GroupInfo{"ministries", {ClientId{"MA", "GOV", "MEN", ""}}});
    return c;
}

const ClientId kUnivReg{"MA", "GOV", "UNIV", "registration"};
const ClientId kUnivLib{"MA", "GOV", "UNIV", "library"};
const ClientId kUniv{"MA", "GOV", "UNIV", ""};
const ClientId kMenSub{"MA", "GOV", "MEN", "stats"};
const ClientId kOther{"MA", "GOV", "OTHER", "registration"};

TEST(ProtocolAccess, PathPatterns) {
    EXPECT_TRUE(path_matches("/results/*", "/results/123"));
    EXPECT_FALSE(path_matches("/results/*", "/results/123/x"));
    EXPECT_FALSE(path_matches("/results/*", "/results/"));
    EXPECT_FALSE(path_matches("/results/*", "/results"));
    EXPECT_FALSE(path_matches("/results/*", "/other/123"));
    EXPECT_FALSE(path_matches("/results/*", "/results/a%2Fb"));  // an encoded slash is not one segment
    EXPECT_TRUE(path_matches("/results/*", "/results/a%20b"));
    EXPECT_TRUE(path_matches("/**", "/"));
    EXPECT_TRUE(path_matches("/**", ""));
    EXPECT_TRUE(path_matches("/**", "/a/b/c"));
    EXPECT_TRUE(path_matches("/a/**", "/a/b/c"));
    EXPECT_TRUE(path_matches("/a/**", "/a"));
    EXPECT_FALSE(path_matches("/a/**", "/b/c"));
    EXPECT_TRUE(path_matches("/", ""));
    EXPECT_TRUE(path_matches("/", "/"));
    EXPECT_FALSE(path_matches("/", "/x"));
    EXPECT_TRUE(path_matches("/births/*/copy", "/births/42/copy"));
    EXPECT_FALSE(path_matches("/births/*/copy", "/births/42/full"));
    EXPECT_FALSE(path_matches("/Results/*", "/results/1"));  // literal, case-sensitive
    EXPECT_FALSE(path_matches("/results/*", "results/1"));
    EXPECT_FALSE(path_matches("", "/"));
}

TEST(ProtocolAccess, Validate) {
    EXPECT_TRUE(validate(AccessRule{"MA/GOV/UNIV/registration", "bac-result", {"GET"}, "/results/*"}));
    EXPECT_TRUE(validate(AccessRule{"MA/GOV/UNIV", "bac-result", {"*"}, "/**"}));
    EXPECT_TRUE(validate(AccessRule{"group:universities", "bac-result", {"GET", "POST"}, "/"}));
    const std::vector<AccessRule> bad = {
        {"", "s", {"GET"}, "/**"},
        {"MA/GOV", "s", {"GET"}, "/**"},
        {"group:", "s", {"GET"}, "/**"},
        {"group:a b", "s", {"GET"}, "/**"},
        {"MA/GOV/UNIV", "", {"GET"}, "/**"},
        {"MA/GOV/UNIV", "s/x", {"GET"}, "/**"},
        {"MA/GOV/UNIV", "s", {}, "/**"},
        {"MA/GOV/UNIV", "s", {"get"}, "/**"},
        {"MA/GOV/UNIV", "s", {"GET "}, "/**"},
        {"MA/GOV/UNIV", "s", {""}, "/**"},
        {"MA/GOV/UNIV", "s", {"GET"}, ""},
        {"MA/GOV/UNIV", "s", {"GET"}, "results"},
        {"MA/GOV/UNIV", "s", {"GET"}, "/**/x"},
        {"MA/GOV/UNIV", "s", {"GET"}, "/a*"},
        {"MA/GOV/UNIV", "s", {"GET"}, "/a//b"},
        {"MA/GOV/UNIV", "s", {"GET"}, "/a/../b"},
        {"MA/GOV/UNIV", "s", {"GET"}, "/a?b"},
        {"MA/GOV/UNIV", "s", {"GET"}, "/a b"},
    };
    for (const auto& r : bad) {
        auto s = validate(r);
        ASSERT_FALSE(s) << r.subject << " " << r.service_code << " " << r.path;
        EXPECT_EQ(s.error().code, "exchange.bad_access_rule");
        EXPECT_EQ(s.error().status, 400);
    }
}

TEST(ProtocolAccess, DenyByDefault) {
    const auto conf = conf_with_groups();
    EXPECT_FALSE(allowed({}, conf, kUnivReg, "bac-result", "GET", "/results/1"));
}

TEST(ProtocolAccess, SubsystemSubject) {
    const auto conf = conf_with_groups();
    const std::vector<AccessRule> rules = {{"MA/GOV/UNIV/registration", "bac-result", {"GET"}, "/results/*"}};
    EXPECT_TRUE(allowed(rules, conf, kUnivReg, "bac-result", "GET", "/results/1"));
    EXPECT_FALSE(allowed(rules, conf, kUnivLib, "bac-result", "GET", "/results/1"));   // other subsystem
    EXPECT_FALSE(allowed(rules, conf, kUniv, "bac-result", "GET", "/results/1"));      // the member itself
    EXPECT_FALSE(allowed(rules, conf, kUnivReg, "bac-result", "POST", "/results/1"));  // method
    EXPECT_FALSE(allowed(rules, conf, kUnivReg, "bac-result", "get", "/results/1"));   // case-sensitive
    EXPECT_FALSE(allowed(rules, conf, kUnivReg, "birth-record", "GET", "/results/1")); // service
    EXPECT_FALSE(allowed(rules, conf, kUnivReg, "bac-result", "GET", "/results/1/2")); // path
    EXPECT_FALSE(allowed(rules, conf, kOther, "bac-result", "GET", "/results/1"));     // other member
}

TEST(ProtocolAccess, MemberSubjectCoversSubsystems) {
    const auto conf = conf_with_groups();
    const std::vector<AccessRule> rules = {{"MA/GOV/UNIV", "bac-result", {"*"}, "/**"}};
    EXPECT_TRUE(allowed(rules, conf, kUnivReg, "bac-result", "GET", "/results/1"));
    EXPECT_TRUE(allowed(rules, conf, kUnivLib, "bac-result", "DELETE", "/x"));
    EXPECT_TRUE(allowed(rules, conf, kUniv, "bac-result", "GET", ""));
    EXPECT_FALSE(allowed(rules, conf, kOther, "bac-result", "GET", "/results/1"));
}

TEST(ProtocolAccess, GroupSubject) {
    const auto conf = conf_with_groups();
    const std::vector<AccessRule> rules = {{"group:universities", "bac-result", {"GET"}, "/results/*"},
                                           {"group:ministries", "stats", {"POST"}, "/**"},
                                           {"group:nobody", "bac-result", {"*"}, "/**"}};
    EXPECT_TRUE(allowed(rules, conf, kUnivReg, "bac-result", "GET", "/results/9"));
    EXPECT_FALSE(allowed(rules, conf, kUnivLib, "bac-result", "GET", "/results/9"));
    EXPECT_TRUE(allowed(rules, conf, kMenSub, "stats", "POST", "/a"));  // member-level group entry
    EXPECT_FALSE(allowed(rules, conf, kMenSub, "bac-result", "GET", "/results/9"));
    EXPECT_FALSE(allowed(rules, conf, kOther, "bac-result", "GET", "/results/9"));
}

TEST(ProtocolAccess, RulesFor) {
    const auto conf = conf_with_groups();
    const std::vector<AccessRule> rules = {{"group:universities", "bac-result", {"GET"}, "/results/*"},
                                           {"MA/GOV/UNIV", "birth-record", {"GET"}, "/births/*"},
                                           {"MA/GOV/UNIV/library", "catalogue", {"GET"}, "/**"},
                                           {"MA/GOV/OTHER", "bac-result", {"GET"}, "/**"}};
    const auto mine = rules_for(rules, conf, kUnivReg);
    ASSERT_EQ(mine.size(), 2u);
    EXPECT_EQ(mine[0].service_code, "bac-result");
    EXPECT_EQ(mine[1].service_code, "birth-record");
    EXPECT_EQ(rules_for(rules, conf, kUnivLib).size(), 2u);
    EXPECT_TRUE(rules_for(rules, conf, kMenSub).empty());
}

}  // namespace
