// ExchangeMetrics: counters per direction and result, byte totals, the duration histogram and
// the time-stamping gauges, in the Prometheus text format.
#include "log_fixture.hpp"

#include "exchange/msglog.hpp"

#include <thread>
#include <vector>

using namespace idara;
using namespace idara::exchange;
using namespace idara::test_log;

namespace {

bool has_line(const std::string& text, const std::string& line) {
    return text.find("\n" + line + "\n") != std::string::npos || text.rfind(line + "\n", 0) == 0;
}

OpRecord timed(Direction d, bool ok, std::string type, std::int64_t ms, std::int64_t req, std::int64_t resp) {
    OpRecord o;
    o.direction = d;
    o.success = ok;
    o.error_type = std::move(type);
    o.start_ms = 1000;
    o.end_ms = 1000 + ms;
    o.request_bytes = req;
    o.response_bytes = resp;
    return o;
}

TEST(ExchangeMetrics, CountersHistogramAndGauges) {
    ExchangeMetrics m;
    m.record(timed(Direction::client, true, "", 3, 10, 100));      // 0.003 s
    m.record(timed(Direction::client, true, "", 20, 5, 50));       // 0.02 s
    m.record(timed(Direction::client, false, "Server.ClientProxy.NetworkError", 2000, 7, 0));
    m.record(timed(Direction::server, false, "Server.ServerProxy.AccessDenied", 0, 1, 2));
    m.record(timed(Direction::server, false, "bad type\"}\n", 0, 0, 0));  // not a label value
    TimestampHealth h;
    h.now_ms = 100000;
    h.oldest_unstamped_ms = 97500;
    h.last_stamp_ms = 99000;
    h.accepting = true;
    const std::string t = m.prometheus(h);
    EXPECT_TRUE(has_line(t, "idara_exchange_requests_total{direction=\"client\",result=\"ok\"} 2")) << t;
    EXPECT_TRUE(has_line(t, "idara_exchange_requests_total{direction=\"client\",result=\"Server.ClientProxy.NetworkError\"} 1"));
    EXPECT_TRUE(has_line(t, "idara_exchange_requests_total{direction=\"server\",result=\"Server.ServerProxy.AccessDenied\"} 1"));
    EXPECT_TRUE(has_line(t, "idara_exchange_requests_total{direction=\"server\",result=\"other\"} 1"));
    EXPECT_EQ(t.find("bad type"), std::string::npos);
    EXPECT_TRUE(has_line(t, "idara_exchange_request_bytes_total{direction=\"client\"} 22"));
    EXPECT_TRUE(has_line(t, "idara_exchange_response_bytes_total{direction=\"client\"} 150"));
    EXPECT_TRUE(has_line(t, "idara_exchange_request_bytes_total{direction=\"server\"} 1"));
    EXPECT_TRUE(has_line(t, "idara_exchange_duration_seconds_bucket{direction=\"client\",le=\"0.001\"} 0"));
    EXPECT_TRUE(has_line(t, "idara_exchange_duration_seconds_bucket{direction=\"client\",le=\"0.005\"} 1"));
    EXPECT_TRUE(has_line(t, "idara_exchange_duration_seconds_bucket{direction=\"client\",le=\"0.025\"} 2"));
    EXPECT_TRUE(has_line(t, "idara_exchange_duration_seconds_bucket{direction=\"client\",le=\"2.5\"} 3"));
    EXPECT_TRUE(has_line(t, "idara_exchange_duration_seconds_bucket{direction=\"client\",le=\"+Inf\"} 3"));
    EXPECT_TRUE(has_line(t, "idara_exchange_duration_seconds_count{direction=\"client\"} 3"));
    EXPECT_TRUE(has_line(t, "idara_exchange_duration_seconds_sum{direction=\"client\"} 2.023"));
    EXPECT_TRUE(has_line(t, "idara_exchange_duration_seconds_bucket{direction=\"server\",le=\"0.001\"} 2"));
    EXPECT_TRUE(has_line(t, "# TYPE idara_exchange_duration_seconds histogram"));
    EXPECT_TRUE(has_line(t, "idara_exchange_log_unstamped_oldest_age_seconds 2.5"));
    EXPECT_TRUE(has_line(t, "idara_exchange_log_accepting 1"));
    EXPECT_TRUE(has_line(t, "idara_exchange_last_timestamp_age_seconds 1"));

    TimestampHealth none;
    none.now_ms = 5;
    none.accepting = false;
    const std::string u = m.prometheus(none);
    EXPECT_TRUE(has_line(u, "idara_exchange_log_unstamped_oldest_age_seconds 0"));
    EXPECT_TRUE(has_line(u, "idara_exchange_log_accepting 0"));
    EXPECT_TRUE(has_line(u, "idara_exchange_last_timestamp_age_seconds NaN"));
}

TEST(ExchangeMetrics, ConcurrentRecordsAreAllCounted) {
    ExchangeMetrics m;
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&m] {
            for (int i = 0; i < 1000; ++i) m.record(timed(Direction::server, true, "", 1, 1, 2));
        });
    for (auto& th : threads) th.join();
    const std::string t = m.prometheus(TimestampHealth{});
    EXPECT_TRUE(has_line(t, "idara_exchange_requests_total{direction=\"server\",result=\"ok\"} 4000"));
    EXPECT_TRUE(has_line(t, "idara_exchange_response_bytes_total{direction=\"server\"} 8000"));
}

TEST(ExchangeMetrics, GaugesFollowTheLogHealth) {
    ScratchDir dir;
    FakeClock clock;
    auto log = open_message_log(config(dir.str()), [] { return std::make_shared<FailingTsa>(); }, clock);
    ASSERT_TRUE(log);
    ASSERT_TRUE((*log)->append(record(1, clock.now_ms()), op(1, clock.now_ms())));
    clock.advance(std::chrono::seconds(61));
    ExchangeMetrics m;
    const std::string t = m.prometheus((*log)->health());
    EXPECT_TRUE(has_line(t, "idara_exchange_log_unstamped_oldest_age_seconds 61")) << t;
    EXPECT_TRUE(has_line(t, "idara_exchange_log_accepting 0"));
}

}  // namespace
