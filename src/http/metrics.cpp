#include "http/metrics.hpp"

#include <algorithm>
#include <cstdio>

namespace idara::http {

namespace {

std::string escape_label(std::string_view s) {
    std::string out;
    for (const char c : s) {
        if (c == '\n') {
            out += "\\n";
            continue;
        }
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out;
}

std::string number(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6g", v);
    return buf;
}

}  // namespace

void Metrics::observe(std::string_view route, std::string_view method, int status, double seconds) {
    const auto bucket = static_cast<std::size_t>(
        std::lower_bound(kBuckets.begin(), kBuckets.end(), seconds) - kBuckets.begin());
    const std::pair<std::string, int> key{std::string(method), status};  // short: no allocation
    std::lock_guard lk(mu_);
    auto it = routes_.find(route);
    if (it == routes_.end()) it = routes_.emplace(std::string(route), RouteSeries{}).first;
    RouteSeries& s = it->second;
    ++s.requests[key];
    if (bucket < s.buckets.size()) ++s.buckets[bucket];
    ++s.count;
    s.sum += seconds;
}

void Metrics::add_source(std::function<std::string()> source) {
    std::lock_guard lk(sources_mu_);
    sources_.push_back(std::move(source));
}

void Metrics::render_routes(std::string& out) const {
    std::lock_guard lk(mu_);
    out += "# HELP idara_http_requests_total HTTP requests by route pattern, method and status.\n";
    out += "# TYPE idara_http_requests_total counter\n";
    for (const auto& [route, s] : routes_) {
        for (const auto& [key, n] : s.requests)
            out += "idara_http_requests_total{route=\"" + escape_label(route) + "\",method=\"" +
                   escape_label(key.first) + "\",status=\"" + std::to_string(key.second) + "\"} " +
                   std::to_string(n) + "\n";
    }
    out += "# HELP idara_http_request_duration_seconds Time from request read to response written.\n";
    out += "# TYPE idara_http_request_duration_seconds histogram\n";
    for (const auto& [route, s] : routes_) {
        const std::string label = "route=\"" + escape_label(route) + "\"";
        std::uint64_t cumulative = 0;
        for (std::size_t i = 0; i < kBuckets.size(); ++i) {
            cumulative += s.buckets[i];
            out += "idara_http_request_duration_seconds_bucket{" + label + ",le=\"" + number(kBuckets[i]) + "\"} " +
                   std::to_string(cumulative) + "\n";
        }
        out += "idara_http_request_duration_seconds_bucket{" + label + ",le=\"+Inf\"} " + std::to_string(s.count) +
               "\n";
        out += "idara_http_request_duration_seconds_sum{" + label + "} " + number(s.sum) + "\n";
        out += "idara_http_request_duration_seconds_count{" + label + "} " + std::to_string(s.count) + "\n";
    }
}

std::string Metrics::render() const {
    std::string out;
    render_routes(out);
    out += "# HELP idara_http_in_flight_requests Requests being handled now.\n";
    out += "# TYPE idara_http_in_flight_requests gauge\n";
    out += "idara_http_in_flight_requests " + std::to_string(in_flight_.load(std::memory_order_relaxed)) + "\n";
    std::vector<std::function<std::string()>> sources;
    {
        std::lock_guard lk(sources_mu_);
        sources = sources_;
    }
    for (const auto& s : sources) out += s();
    return out;
}

}  // namespace idara::http
