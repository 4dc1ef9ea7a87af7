// HTTP metrics in the Prometheus text format (exposed at /metrics):
//   idara_http_requests_total{route,method,status}      counter
//   idara_http_request_duration_seconds{route}          histogram
//   idara_http_in_flight_requests                       gauge
// plus the text of every registered source (e.g. the database pool).
// Routes are the matched patterns, or "unmatched": cardinality stays bounded.
// Thread-safe.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace idara::http {

class Metrics {
public:
    void observe(std::string_view route, std::string_view method, int status, double seconds);
    void inc_in_flight();
    void dec_in_flight();
    // Adds a source of extra exposition text, called on each render(). Add sources before serving.
    void add_source(std::function<std::string()> source);
    std::string render() const;

private:
    static constexpr double kBuckets[] = {0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
    struct Histogram {
        std::vector<long> counts = std::vector<long>(std::size(kBuckets), 0);
        long count = 0;
        double sum = 0;
    };
    mutable std::mutex mu_;
    std::map<std::tuple<std::string, std::string, int>, long> requests_;
    std::map<std::string, Histogram> latency_;
    long in_flight_ = 0;
    std::vector<std::function<std::string()>> sources_;
};

}  // namespace idara::http
