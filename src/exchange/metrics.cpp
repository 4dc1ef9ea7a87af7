// Prometheus metrics of a gateway (exchange/msglog.hpp, ExchangeMetrics):
//   idara_exchange_requests_total{direction,result}      counter; result "ok" or the X-Road error type
//   idara_exchange_request_bytes_total{direction}         counter
//   idara_exchange_response_bytes_total{direction}        counter
//   idara_exchange_duration_seconds{direction}            histogram (buckets 0.001 … 10 s)
//   idara_exchange_log_unstamped_oldest_age_seconds       gauge (0 when every record is stamped)
//   idara_exchange_log_accepting                          gauge 1/0
//   idara_exchange_last_timestamp_age_seconds             gauge (NaN before the first stamp)
// The result label is bounded: a type that is not a plausible X-Road error type becomes "other",
// and past kMaxResults distinct results new ones also become "other".
#include "exchange/msglog.hpp"

#include <array>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>

namespace idara::exchange {

namespace {

constexpr std::array<double, 12> kBuckets = {0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
constexpr std::size_t kMaxResults = 64;

struct DirSeries {
    std::map<std::string, std::uint64_t> results;
    std::uint64_t request_bytes = 0, response_bytes = 0;
    std::array<std::uint64_t, kBuckets.size()> buckets{};  // per bucket, not cumulative
    std::uint64_t count = 0;
    double sum = 0;
};

bool plausible_type(std::string_view t) {
    if (t.empty() || t.size() > 96) return false;
    for (char c : t)
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_'))
            return false;
    return true;
}

// The shortest of %.15g..%.17g that reads back as the same double ("2.023", not "2.0230000000000001").
std::string num(double v) {
    char buf[64];
    for (int prec = 15; prec <= 17; ++prec) {
        std::snprintf(buf, sizeof buf, "%.*g", prec, v);
        if (std::strtod(buf, nullptr) == v) break;
    }
    return buf;
}

}  // namespace

struct ExchangeMetrics::Impl {
    mutable std::mutex mu;
    std::array<DirSeries, 2> dirs;  // client, server; guarded by mu
    std::size_t distinct_results = 0;
};

ExchangeMetrics::ExchangeMetrics() : impl_(std::make_unique<Impl>()) {}
ExchangeMetrics::~ExchangeMetrics() = default;

void ExchangeMetrics::record(const OpRecord& op) {
    std::string result = op.success ? "ok" : (op.error_type.empty() ? "error" : op.error_type);
    if (!plausible_type(result)) result = "other";
    const double seconds = op.end_ms > op.start_ms ? static_cast<double>(op.end_ms - op.start_ms) / 1000.0 : 0.0;
    std::lock_guard lk(impl_->mu);
    DirSeries& d = impl_->dirs[op.direction == Direction::client ? 0 : 1];
    auto it = d.results.find(result);
    if (it == d.results.end()) {
        if (impl_->distinct_results >= kMaxResults) result = "other";
        else ++impl_->distinct_results;
        it = d.results.emplace(result, 0).first;
    }
    ++it->second;
    d.request_bytes += static_cast<std::uint64_t>(std::max<std::int64_t>(0, op.request_bytes));
    d.response_bytes += static_cast<std::uint64_t>(std::max<std::int64_t>(0, op.response_bytes));
    for (std::size_t i = 0; i < kBuckets.size(); ++i)
        if (seconds <= kBuckets[i]) {
            ++d.buckets[i];
            break;
        }
    ++d.count;
    d.sum += seconds;
}

std::string ExchangeMetrics::prometheus(const TimestampHealth& health) const {
    static constexpr const char* kDir[] = {"client", "server"};
    std::string out;
    std::lock_guard lk(impl_->mu);
    out += "# HELP idara_exchange_requests_total Exchanges handled, by direction and result (ok or X-Road error type).\n"
           "# TYPE idara_exchange_requests_total counter\n";
    for (int i = 0; i < 2; ++i)
        for (const auto& [result, n] : impl_->dirs[i].results)
            out += std::string("idara_exchange_requests_total{direction=\"") + kDir[i] + "\",result=\"" + result +
                   "\"} " + std::to_string(n) + "\n";
    out += "# HELP idara_exchange_request_bytes_total Request body bytes.\n"
           "# TYPE idara_exchange_request_bytes_total counter\n";
    for (int i = 0; i < 2; ++i)
        out += std::string("idara_exchange_request_bytes_total{direction=\"") + kDir[i] + "\"} " +
               std::to_string(impl_->dirs[i].request_bytes) + "\n";
    out += "# HELP idara_exchange_response_bytes_total Response body bytes.\n"
           "# TYPE idara_exchange_response_bytes_total counter\n";
    for (int i = 0; i < 2; ++i)
        out += std::string("idara_exchange_response_bytes_total{direction=\"") + kDir[i] + "\"} " +
               std::to_string(impl_->dirs[i].response_bytes) + "\n";
    out += "# HELP idara_exchange_duration_seconds Duration of an exchange, from request to response.\n"
           "# TYPE idara_exchange_duration_seconds histogram\n";
    for (int i = 0; i < 2; ++i) {
        const DirSeries& d = impl_->dirs[i];
        std::uint64_t cum = 0;
        const std::string lab = std::string("direction=\"") + kDir[i] + "\"";
        for (std::size_t b = 0; b < kBuckets.size(); ++b) {
            cum += d.buckets[b];
            out += "idara_exchange_duration_seconds_bucket{" + lab + ",le=\"" + num(kBuckets[b]) + "\"} " +
                   std::to_string(cum) + "\n";
        }
        out += "idara_exchange_duration_seconds_bucket{" + lab + ",le=\"+Inf\"} " + std::to_string(d.count) + "\n";
        out += "idara_exchange_duration_seconds_sum{" + lab + "} " + num(d.sum) + "\n";
        out += "idara_exchange_duration_seconds_count{" + lab + "} " + std::to_string(d.count) + "\n";
    }
    const std::int64_t now = health.now_ms != 0 ? health.now_ms : system_clock().now_ms();
    const double oldest_age =
        health.oldest_unstamped_ms != 0 ? static_cast<double>(std::max<std::int64_t>(0, now - health.oldest_unstamped_ms)) / 1000.0 : 0.0;
    out += "# HELP idara_exchange_log_unstamped_oldest_age_seconds Age of the oldest record not yet time-stamped (0: none).\n"
           "# TYPE idara_exchange_log_unstamped_oldest_age_seconds gauge\n"
           "idara_exchange_log_unstamped_oldest_age_seconds " + num(oldest_age) + "\n";
    out += "# HELP idara_exchange_log_accepting 1 while the log accepts exchanges, 0 past the time-stamping grace period.\n"
           "# TYPE idara_exchange_log_accepting gauge\n"
           "idara_exchange_log_accepting " + std::string(health.accepting ? "1" : "0") + "\n";
    out += "# HELP idara_exchange_last_timestamp_age_seconds Age of the last successful time-stamp (NaN: none yet).\n"
           "# TYPE idara_exchange_last_timestamp_age_seconds gauge\n"
           "idara_exchange_last_timestamp_age_seconds " +
           (health.last_stamp_ms != 0 ? num(static_cast<double>(std::max<std::int64_t>(0, now - health.last_stamp_ms)) / 1000.0)
                                      : std::string("NaN")) +
           "\n";
    return out;
}

}  // namespace idara::exchange
