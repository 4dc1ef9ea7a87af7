#include "http/metrics.hpp"

#include <cstdio>

namespace idara::http {

namespace {
std::string escape_label(std::string_view s) {
    std::string out;
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        if (c == '\n') { out += "\\n"; continue; }
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
    std::lock_guard lk(mu_);
    ++requests_[{std::string(route), std::string(method), status}];
    auto& h = latency_[std::string(route)];
    for (std::size_t i = 0; i < std::size(kBuckets); ++i)
        if (seconds <= kBuckets[i]) ++h.counts[i];
    ++h.count;
    h.sum += seconds;
}

void Metrics::inc_in_flight() {
    std::lock_guard lk(mu_);
    ++in_flight_;
}

void Metrics::dec_in_flight() {
    std::lock_guard lk(mu_);
    --in_flight_;
}

void Metrics::add_source(std::function<std::string()> source) {
    std::lock_guard lk(mu_);
    sources_.push_back(std::move(source));
}

std::string Metrics::render() const {
    std::string out;
    std::vector<std::function<std::string()>> sources;
    {
        std::lock_guard lk(mu_);
        out += "# HELP idara_http_requests_total HTTP requests by route pattern, method and status.\n";
        out += "# TYPE idara_http_requests_total counter\n";
        for (const auto& [key, n] : requests_) {
            const auto& [route, method, status] = key;
            out += "idara_http_requests_total{route=\"" + escape_label(route) + "\",method=\"" + escape_label(method) +
                   "\",status=\"" + std::to_string(status) + "\"} " + std::to_string(n) + "\n";
        }
        out += "# HELP idara_http_request_duration_seconds Time from request read to response written.\n";
        out += "# TYPE idara_http_request_duration_seconds histogram\n";
        for (const auto& [route, h] : latency_) {
            const std::string label = "route=\"" + escape_label(route) + "\"";
            for (std::size_t i = 0; i < std::size(kBuckets); ++i)
                out += "idara_http_request_duration_seconds_bucket{" + label + ",le=\"" + number(kBuckets[i]) + "\"} " +
                       std::to_string(h.counts[i]) + "\n";
            out += "idara_http_request_duration_seconds_bucket{" + label + ",le=\"+Inf\"} " + std::to_string(h.count) + "\n";
            out += "idara_http_request_duration_seconds_sum{" + label + "} " + number(h.sum) + "\n";
            out += "idara_http_request_duration_seconds_count{" + label + "} " + std::to_string(h.count) + "\n";
        }
        out += "# HELP idara_http_in_flight_requests Requests being handled now.\n";
        out += "# TYPE idara_http_in_flight_requests gauge\n";
        out += "idara_http_in_flight_requests " + std::to_string(in_flight_) + "\n";
        sources = sources_;
    }
    for (const auto& s : sources) out += s();
    return out;
}

}  // namespace idara::http
