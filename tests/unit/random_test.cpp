#include "core/random.hpp"

#include <gtest/gtest.h>

#include <set>

using namespace idara::random;

TEST(Random, TokensAreUniqueAndSized) {
    std::set<std::string> seen;
    for (int i = 0; i < 200; ++i) {
        auto t = url_token(32);
        EXPECT_EQ(t.size(), 43u);  // 32 bytes in unpadded base64
        EXPECT_TRUE(seen.insert(t).second);
    }
    EXPECT_EQ(hex_token(16).size(), 32u);
}

TEST(Random, ConstantTimeEquality) {
    EXPECT_TRUE(equal_ct("abc", "abc"));
    EXPECT_FALSE(equal_ct("abc", "abd"));
    EXPECT_FALSE(equal_ct("abc", "abcd"));
    EXPECT_TRUE(equal_ct("", ""));
}

TEST(Random, Sha256KnownVector) {
    EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}
