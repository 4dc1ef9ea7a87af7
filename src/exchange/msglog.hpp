// The gateway's message log, operational records and metrics (docs/design/exchange.md,
// "Message log", "Operational records and metrics"). Storage: <dir>/gateway.db (SQLite through
// storage::open_sqlite, schema created by open()).
//
// Thread-safety: every member function may be called from any thread.
#pragma once

#include "core/clock.hpp"
#include "core/error.hpp"
#include "exchange/gateway_config.hpp"
#include "trust/tsa.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace idara::exchange {

enum class Direction { client, server };  // client: we sent the request; server: we answered it

// One exchange as the log keeps it.
struct LogRecord {
    Direction direction = Direction::client;
    std::string query_id, client, service;  // ids as text
    std::string request_canonical, request_signature;    // header values as sent/received
    std::string response_canonical, response_signature;  // empty when the exchange failed before
    std::string request_body, response_body;             // subject to body_mode
    std::int64_t at_ms = 0;
};

struct OpRecord {
    Direction direction = Direction::client;
    std::string query_id, client, service, user_id, peer_gateway;
    std::int64_t start_ms = 0, end_ms = 0;
    std::int64_t request_bytes = 0, response_bytes = 0;
    bool success = false;
    int status = 0;
    std::string error_type;  // X-Road error type when it failed
};

struct TimestampHealth {
    bool accepting = true;            // false once the grace period is exceeded
    std::int64_t oldest_unstamped_ms = 0;  // 0 when none
    std::int64_t last_stamp_ms = 0;
    std::string last_error;
    std::int64_t now_ms = 0;  // the log's clock when health() was taken (metrics compute ages from it)
};

struct VerifyReport {
    bool ok = true;
    std::int64_t records = 0, batches = 0, archives = 0;
    std::int64_t unstamped = 0;   // records not yet in a batch (not an error)
    bool chain_checked = false;   // false when no anchors were given (token signatures only)
    std::string first_problem;  // "record 42: leaf hash differs", ...
};

class MessageLog {
public:
    virtual ~MessageLog() = default;
    // Appends a record (and its operational record) and returns once both are durable
    // (group commit). Errors: storage.* or exchange.log_unavailable (503).
    virtual Status append(const LogRecord& r, const OpRecord& op) = 0;
    // Records only an operational row (exchanges refused before signing, e.g. access denied).
    virtual Status append_op(const OpRecord& op) = 0;
    // Runs one time-stamping round now (the background thread calls this every interval).
    virtual Status stamp_pending() = 0;
    virtual TimestampHealth health() const = 0;
    // Operational records with end_ms >= since_ms, oldest first, at most `limit` (<= 10000), as JSON array.
    virtual Result<std::string> opdata_json(std::int64_t since_ms, int limit) const = 0;
    // Stamped batches not yet archived go to <dir>/archive/NNNNNN.json (chained by SHA-256);
    // returns the number of archive files written.
    virtual Result<int> archive() = 0;
    // Starts / stops the time-stamper thread.
    virtual void start() = 0;
    virtual void stop() = 0;
};

// `tsa` gives the current time-stamper (it follows the configuration's TSA URL); may return nullptr
// when none is configured (then stamping fails and the grace period runs).
using TsaProvider = std::function<std::shared_ptr<trust::TimeStamper>()>;
Result<std::unique_ptr<MessageLog>> open_message_log(const GatewayConfig& cfg, TsaProvider tsa,
                                                     const Clock& clock);

// Offline verification of <dir>/gateway.db and <dir>/archive/ with the trust anchors (PEM) that
// the TSA certificates must chain to (empty = skip the chain check, report it).
VerifyReport verify_message_log(const std::string& dir, const std::vector<std::string>& anchors_pem);

// Prometheus counters and histograms of a gateway.
class ExchangeMetrics {
public:
    ExchangeMetrics();
    ~ExchangeMetrics();
    ExchangeMetrics(const ExchangeMetrics&) = delete;
    ExchangeMetrics& operator=(const ExchangeMetrics&) = delete;
    void record(const OpRecord& op);
    // Text exposition format 0.0.4; `health` adds the time-stamping gauges.
    std::string prometheus(const TimestampHealth& health) const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace idara::exchange
