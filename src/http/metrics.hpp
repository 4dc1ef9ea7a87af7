// HTTP metrics in the Prometheus text format (exposed at /metrics):
//   idara_http_requests_total{route,method,status}      counter
//   idara_http_request_duration_seconds{route}          histogram (buckets 0.001 … 10 s)
//   idara_http_in_flight_requests                       gauge
// plus the text of every registered source (e.g. the database pool).
// Routes are the matched patterns, or "unmatched": cardinality stays bounded.
//
// Thread-safety: every member may be called from any thread. The gauge is an
// atomic; observe() takes one mutex for a lookup that allocates only the first
// time a (route, method, status) is seen. Sources are called by render() with
// no lock held, so a source may itself read metrics.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace idara::http {

class Metrics {
public:
    // Counts one finished request. `route` is a pattern or "unmatched", never a raw path.
    void observe(std::string_view route, std::string_view method, int status, double seconds);
    void inc_in_flight() { in_flight_.fetch_add(1, std::memory_order_relaxed); }
    void dec_in_flight() { in_flight_.fetch_sub(1, std::memory_order_relaxed); }
    // Adds a source of extra exposition text (complete lines, each ending in '\n'),
    // appended on each render().
    void add_source(std::function<std::string()> source);
    std::string render() const;

    static constexpr std::array<double, 12> kBuckets = {0.001, 0.005, 0.01, 0.025, 0.05, 0.1,
                                                         0.25,  0.5,   1,    2.5,   5,    10};

private:
    struct RouteSeries {
        std::map<std::pair<std::string, int>, std::uint64_t, std::less<>> requests;  // (method, status) → count
        std::array<std::uint64_t, kBuckets.size()> buckets{};  // per bucket, not cumulative
        std::uint64_t count = 0;
        double sum = 0;
    };
    void render_routes(std::string& out) const;

    mutable std::mutex mu_;
    std::map<std::string, RouteSeries, std::less<>> routes_;  // guarded by mu_
    std::atomic<long> in_flight_{0};
    mutable std::mutex sources_mu_;
    std::vector<std::function<std::string()>> sources_;  // guarded by sources_mu_
};

}  // namespace idara::http
