// Process lifecycle: graceful shutdown on SIGTERM, data reuse across restarts.
#include "harness.hpp"

#include <gtest/gtest.h>

#include <chrono>

using namespace idara::itest;

TEST(Lifecycle, SigtermDrainsAndExitsCleanly) {
    Server s(false);
    Client c;
    ASSERT_EQ(c.get(s.url("/healthz")).status, 200);  // leaves an idle keep-alive connection open
    const auto t0 = std::chrono::steady_clock::now();
    EXPECT_EQ(s.terminate(), 0);
    EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(8)) << "idle connections must not delay exit";
    EXPECT_NE(s.log().find("server.stopped"), std::string::npos) << s.log();
}

TEST(Lifecycle, AccessLogIsJsonWithRequestIds) {
    Server s(false);
    Client c;
    auto r = c.get(s.url("/healthz"), {"X-Request-Id: itest-abc-123"});
    EXPECT_EQ(r.header("x-request-id").value_or(""), "itest-abc-123");
    s.terminate();
    const std::string log = s.log();
    EXPECT_NE(log.find("\"request_id\":\"itest-abc-123\""), std::string::npos) << log;
    EXPECT_NE(log.find("\"status\":200"), std::string::npos) << log;
}
