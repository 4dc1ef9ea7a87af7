#include "fake_clock.hpp"
#include "identity/password.hpp"
#include "identity/throttle.hpp"

#include <gtest/gtest.h>

using namespace idara;
using namespace idara::identity;
using namespace std::chrono_literals;

TEST(Password, HashesAreArgon2idSaltedAndVerify) {
    auto h1 = hash_password("correct horse battery", HashLimits::minimum());
    auto h2 = hash_password("correct horse battery", HashLimits::minimum());
    ASSERT_TRUE(h1 && h2);
    EXPECT_EQ(h1->rfind("$argon2id$", 0), 0u);
    EXPECT_NE(*h1, *h2) << "each hash has its own salt";
    EXPECT_TRUE(verify_password("correct horse battery", *h1));
    EXPECT_FALSE(verify_password("correct horse batterY", *h1));
    EXPECT_FALSE(verify_password("x", "not a hash"));
    EXPECT_TRUE(needs_rehash(*h1, HashLimits::interactive()));
    EXPECT_FALSE(needs_rehash(*h1, HashLimits::minimum()));
}

TEST(Password, Policy) {
    EXPECT_TRUE(check_policy("a-long-enough-passphrase", "user@example.ma"));
    EXPECT_EQ(check_policy("short", "u").error().code, "password.too_short");
    // Ten Arabic letters are ten characters, not twenty bytes' worth of "length".
    EXPECT_TRUE(check_policy("كلمةسرطويلة", "u"));
    EXPECT_EQ(check_policy("كلمةسر", "u").error().code, "password.too_short");
    EXPECT_EQ(check_policy("User@Example.ma", "user@example.ma").error().code, "password.same_as_login");
    EXPECT_EQ(check_policy("AZERTYUIOP", "u").error().code, "password.too_common");
    EXPECT_EQ(check_policy(std::string(300, 'x'), "u").error().code, "password.too_long");
    EXPECT_EQ(check_policy("short", "u").error().status, 400);
}

TEST(Throttle, BlocksAfterTooManyFailuresAndForgetsAfterTheWindow) {
    idara::testing::FakeClock clock;
    LoginThrottle t({.max_failures_per_login = 3, .max_failures_per_ip = 100, .window = 10min}, clock);
    for (int i = 0; i < 3; ++i) {
        EXPECT_TRUE(t.check("a", "1.1.1.1"));
        t.record_failure("a", "1.1.1.1");
    }
    auto blocked = t.check("a", "2.2.2.2");
    ASSERT_FALSE(blocked);
    EXPECT_EQ(blocked.error().code, "auth.rate_limited");
    EXPECT_EQ(blocked.error().status, 429);
    EXPECT_TRUE(t.check("b", "1.1.1.1")) << "other logins are not affected";
    clock.advance(11min);
    EXPECT_TRUE(t.check("a", "1.1.1.1")) << "failures leave the window";
}

TEST(Throttle, PerAddressLimitAndSuccessReset) {
    idara::testing::FakeClock clock;
    LoginThrottle t({.max_failures_per_login = 3, .max_failures_per_ip = 4, .window = 10min}, clock);
    for (int i = 0; i < 4; ++i) t.record_failure("user" + std::to_string(i), "9.9.9.9");
    EXPECT_FALSE(t.check("fresh", "9.9.9.9")) << "one address spraying many logins is stopped";
    EXPECT_TRUE(t.check("fresh", "8.8.8.8"));
    t.record_failure("c", "");
    t.record_failure("c", "");
    t.record_success("c");
    t.record_failure("c", "");
    t.record_failure("c", "");
    EXPECT_TRUE(t.check("c", "")) << "success clears the login's failures";
}

TEST(Throttle, MemoryIsBounded) {
    idara::testing::FakeClock clock;
    LoginThrottle t({.max_failures_per_login = 3, .max_failures_per_ip = 1000000, .window = 10min, .max_keys = 100},
                    clock);
    t.record_failure("a-victim", "");
    t.record_failure("a-victim", "");
    for (int i = 0; i < 1000; ++i) {
        clock.advance(1ms);
        t.record_failure("u" + std::to_string(i), "");
        if (i % 50 == 0) t.record_failure("a-victim", "");  // the attack on the victim goes on
    }
    // A flood of other keys evicts the stalest entries, not the login under attack.
    EXPECT_FALSE(t.check("a-victim", ""));
    EXPECT_TRUE(t.check("u0", "")) << "stale keys were evicted (u0 had one failure anyway)";
}
