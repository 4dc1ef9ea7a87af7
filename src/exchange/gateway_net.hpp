// Private to src/exchange/gateway_*.cpp: the gateway's shared state and the Beast/Asio pieces
// its translation units share. Never include this from a public header (Beast compiles slowly).
//
// Threading: one io_context run by cfg.io_threads threads; every connection lives on its own
// strand. Blocking calls (MessageLog::append waits for its group commit) run on `blocking`, a
// thread pool, so the I/O threads never wait on the disk.
#pragma once

// GCC 12 reports a false -Wmismatched-new-delete on Asio's awaitable frames (its frame operator new
// and sized operator delete are a matching pair) in some coroutines; silence it for these files.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

#include "core/clock.hpp"
#include "core/error.hpp"
#include "core/i18n.hpp"
#include "exchange/conf.hpp"
#include "exchange/gateway_config.hpp"
#include "exchange/msglog.hpp"
#include "exchange/xerror.hpp"

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace idara::exchange::gw {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;
using asio::awaitable;
inline constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

using StringRequest = bhttp::request<bhttp::string_body>;
using StringResponse = bhttp::response<bhttp::string_body>;
using TlsStream = ssl::stream<beast::tcp_stream>;

// One configuration generation with the TLS contexts built for its trust anchors.
// Immutable once built; connections keep the generation they were made with alive.
struct ConfState {
    std::shared_ptr<const GlobalConf> conf;
    std::string envelope;  // the signed text it came from
    std::unique_ptr<ssl::context> server_tls, client_tls;
};

// Our TLS identity (<dir>/tls.crt, <dir>/tls.key), read once.
struct TlsFiles {
    std::string cert_pem, key_pem;
};
Result<TlsFiles> load_tls_files(const GatewayConfig& cfg);
// Contexts for `conf`: TLS 1.3, our certificate, verify_peer (+ fail_if_no_peer_cert on the
// server side), the configuration's trust anchors as the only roots.
Result<std::shared_ptr<const ConfState>> make_conf_state(const TlsFiles& tls, GlobalConf conf, std::string envelope);

// Lower-case hex SHA-256 of the DER leaf certificate.
std::string leaf_digest(X509* cert);

// Keep-alive connection pools. acquire() gives an idle connection or null; release() gives
// one back (at most kMaxIdle per key). Each connection has its own strand: run its I/O on it.
template <class Conn>
class Pool {
public:
    static constexpr std::size_t kMaxIdle = 256;
    std::unique_ptr<Conn> acquire(const std::string& key) {
        std::lock_guard lk(mu_);
        auto it = idle_.find(key);
        if (it == idle_.end() || it->second.empty()) return nullptr;
        auto c = std::move(it->second.back());
        it->second.pop_back();
        return c;
    }
    void release(const std::string& key, std::unique_ptr<Conn> c) {
        std::lock_guard lk(mu_);
        auto& v = idle_[key];
        if (v.size() < kMaxIdle) v.push_back(std::move(c));
    }
    void clear() {
        std::lock_guard lk(mu_);
        idle_.clear();
    }

private:
    std::mutex mu_;
    std::map<std::string, std::vector<std::unique_ptr<Conn>>> idle_;
};

struct PeerConn {
    std::shared_ptr<const ConfState> state;  // keeps its SSL_CTX alive
    TlsStream stream;
    beast::flat_buffer buffer;
    PeerConn(asio::any_io_executor ex, std::shared_ptr<const ConfState> s)
        : state(std::move(s)), stream(ex, *state->client_tls) {}
};

struct PlainConn {
    beast::tcp_stream stream;
    beast::flat_buffer buffer;
    explicit PlainConn(asio::any_io_executor ex) : stream(ex) {}
};

// How a round trip to a peer or a back-end ended.
enum class Outcome { ok, connect_failed, tls_failed, io_failed, timeout, too_large };
struct RoundTrip {
    Outcome outcome = Outcome::ok;
    StringResponse response;
    std::string reason;  // technical, for the log
};

// The state every session of one gateway shares.
class Engine {
public:
    // `log` is set right after construction (its TSA provider reads this engine's configuration).
    Engine(GatewayConfig cfg, SigningKey key, TlsFiles tls, const Clock& clock);

    const GatewayConfig cfg;
    const MemberId member;
    const SigningKey sign_key;
    const TlsFiles tls;
    const Clock& clock;
    const i18n::Catalogue& cat;
    std::unique_ptr<MessageLog> log;
    ExchangeMetrics metrics;
    asio::io_context ioc;
    asio::thread_pool blocking;
    Pool<PeerConn> peers;
    Pool<PlainConn> backends;
    std::atomic<int> in_flight{0};
    std::atomic<bool> draining{false};

    std::shared_ptr<const ConfState> conf() const {
        std::lock_guard lk(conf_mu_);
        return conf_;
    }
    void set_conf(std::shared_ptr<const ConfState> c) {
        std::lock_guard lk(conf_mu_);
        conf_ = std::move(c);
    }

    // Runs MessageLog::append / append_op on the blocking pool; records metrics. False (and a
    // log line) when the record could not be made durable.
    awaitable<bool> record(const LogRecord& rec, const OpRecord& op, bool with_record);

private:
    mutable std::mutex conf_mu_;
    std::shared_ptr<const ConfState> conf_;
};

// --- gateway_http.cpp: HTTP round trips over pooled connections ---
// Sends `req` to gateway `g` over mutual TLS (the peer must present g's registered digest).
awaitable<RoundTrip> peer_round_trip(Engine& e, const GatewayInfo& g, StringRequest& req);
// Sends `req` to http://host:port (keep-alive pool), within `timeout_ms` and `limit` bytes.
awaitable<RoundTrip> plain_round_trip(Engine& e, const std::string& host, std::uint16_t port, StringRequest& req,
                                      std::int64_t timeout_ms, std::int64_t limit, bool pooled = true);

// "http://host:port/base" → parts. Errors: exchange.bad_address (400).
struct HttpUrl {
    std::string host;
    std::uint16_t port = 80;
    std::string base;  // "" or "/base" without a trailing '/'
};
Result<HttpUrl> parse_http_url(std::string_view url);

// --- gateway_errors.cpp ---
// An X-Road error as a response (status, X-Road-Error, JSON body); the log line carries the
// detail id and the technical reason.
StringResponse xerror_response(const Engine& e, const XError& x, std::string_view query_id);

// --- gateway_client.cpp / gateway_peer.cpp: one connection each ---
awaitable<void> client_session(Engine& e, tcp::socket sock);
awaitable<void> peer_session(Engine& e, tcp::socket sock);

// Reads one request (header limit, body limit; answers "Expect: 100-continue"). A Content-Length
// above the limit is refused before a byte of the body is read; a chunked body is cut at it.
enum class ReadResult { ok, closed, too_large, bad };
template <class Stream>
awaitable<ReadResult> read_request(Stream& s, beast::flat_buffer& buf, StringRequest& out, std::size_t header_limit,
                                   std::int64_t body_limit, std::chrono::milliseconds idle,
                                   std::chrono::milliseconds read_timeout) {
    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(header_limit));
    parser.body_limit(static_cast<std::uint64_t>(body_limit));
    if (buf.size() == 0) {
        beast::get_lowest_layer(s).expires_after(idle);
        auto [ec0, n0] = co_await s.async_read_some(buf.prepare(16 * 1024), use_tuple);
        if (ec0) co_return ReadResult::closed;
        buf.commit(n0);
    }
    beast::get_lowest_layer(s).expires_after(read_timeout);
    auto [ec, n] = co_await bhttp::async_read_header(s, buf, parser, use_tuple);
    if (!ec && !parser.is_done()) {
        const auto expect = parser.get().find(bhttp::field::expect);
        if (expect != parser.get().end() && beast::iequals(expect->value(), "100-continue")) {
            static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
            auto [wec, wn] = co_await asio::async_write(s, asio::buffer(kContinue.data(), kContinue.size()), use_tuple);
            (void)wn;
            if (wec) co_return ReadResult::closed;
        }
        std::tie(ec, n) = co_await bhttp::async_read(s, buf, parser, use_tuple);
    }
    (void)n;
    if (ec == bhttp::error::body_limit) co_return ReadResult::too_large;
    if (ec == bhttp::error::end_of_stream || ec == asio::error::eof) co_return ReadResult::closed;
    if (ec) co_return ReadResult::bad;
    out = parser.release();
    co_return ReadResult::ok;
}

// After an error reply to a request whose body was not read: half-close and discard what the
// other side still sends for a moment, so that it reads the reply before the connection closes.
awaitable<void> linger(beast::tcp_stream& s, beast::flat_buffer& buf);

// The value of a header, "" when absent.
inline std::string header_of(const bhttp::fields& f, std::string_view name) {
    const auto it = f.find(name);
    return it == f.end() ? std::string() : std::string(it->value());
}

}  // namespace idara::exchange::gw
