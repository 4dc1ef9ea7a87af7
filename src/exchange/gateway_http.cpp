// Outgoing HTTP of the gateway: mutual-TLS round trips to provider gateways and plain HTTP/1.1
// round trips to back-ends and the central, both over keep-alive pools (gateway_net.hpp).
//
// A pooled connection runs its I/O on its own strand (co_spawn onto it), so a Beast stream and
// its timer are only ever touched from one strand. A reused connection that fails before any
// response byte arrived (the other side closed it while idle) is retried once on a new one.
#include "exchange/gateway_net.hpp"

#include "exchange/gateway_config.hpp"

#include <openssl/x509.h>

namespace idara::exchange::gw {

namespace {

using ms = std::chrono::milliseconds;

Outcome outcome_of(const beast::error_code& ec) {
    if (ec == beast::error::timeout) return Outcome::timeout;
    if (ec == bhttp::error::body_limit) return Outcome::too_large;
    // With TLS 1.3 the server's verdict on our certificate arrives as an alert after the
    // client's handshake completed: it surfaces here, on the first read.
    if (ec.category() == asio::error::get_ssl_category()) return Outcome::tls_failed;
    return Outcome::io_failed;
}

// Writes `req` and reads the response (at most `limit` body bytes) on an open stream, all within
// `timeout`.
template <class Stream>
awaitable<RoundTrip> exchange_on(Stream& s, beast::flat_buffer& buf, const StringRequest& req, ms timeout,
                                 std::int64_t limit) {
    RoundTrip rt;
    beast::get_lowest_layer(s).expires_after(timeout);
    auto [wec, wn] = co_await bhttp::async_write(s, req, use_tuple);
    (void)wn;
    if (wec) {
        rt.outcome = outcome_of(wec);
        rt.reason = "write: " + wec.message();
        co_return rt;
    }
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(static_cast<std::uint64_t>(limit));
    parser.header_limit(64 * 1024);
    auto [rec, rn] = co_await bhttp::async_read(s, buf, parser, use_tuple);
    (void)rn;
    if (rec) {
        rt.outcome = outcome_of(rec);
        rt.reason = "read: " + rec.message();
        co_return rt;
    }
    rt.response = parser.release();
    co_return rt;
}

bool retryable(const RoundTrip& rt) {
    return rt.outcome == Outcome::io_failed;
}

awaitable<RoundTrip> peer_once(Engine& e, PeerConn& c, const GatewayInfo& g, const StringRequest& req, bool fresh) {
    const ms connect_timeout(e.cfg.limits.connect_timeout_ms);
    const ms total(e.cfg.limits.backend_timeout_ms + e.cfg.limits.connect_timeout_ms);
    RoundTrip rt;
    if (fresh) {
        auto hp = parse_host_port(g.address);
        if (!hp) {
            rt.outcome = Outcome::connect_failed;
            rt.reason = "bad gateway address " + g.address;
            co_return rt;
        }
        auto& tcp_s = beast::get_lowest_layer(c.stream);
        tcp::resolver resolver(co_await asio::this_coro::executor);
        auto [rec, results] = co_await resolver.async_resolve(hp->host, std::to_string(hp->port), use_tuple);
        if (rec) {
            rt.outcome = Outcome::connect_failed;
            rt.reason = "resolve " + g.address + ": " + rec.message();
            co_return rt;
        }
        tcp_s.expires_after(connect_timeout);
        auto [cec, ep] = co_await tcp_s.async_connect(results, use_tuple);
        (void)ep;
        if (cec) {
            rt.outcome = Outcome::connect_failed;
            rt.reason = "connect " + g.address + ": " + cec.message();
            co_return rt;
        }
        tcp_s.socket().set_option(tcp::no_delay(true));
        // The provider must present the certificate registered for THIS gateway.
        std::string expected = g.tls_cert_sha256;
        c.stream.set_verify_mode(ssl::verify_peer);
        c.stream.set_verify_callback([expected](bool preverified, ssl::verify_context& vc) {
            X509_STORE_CTX* ctx = vc.native_handle();
            if (!preverified) return false;
            if (X509_STORE_CTX_get_error_depth(ctx) != 0) return true;
            return leaf_digest(X509_STORE_CTX_get_current_cert(ctx)) == expected;
        });
        tcp_s.expires_after(connect_timeout);
        auto [hec] = co_await c.stream.async_handshake(ssl::stream_base::client, use_tuple);
        if (hec) {
            rt.outcome = hec == beast::error::timeout ? Outcome::timeout : Outcome::tls_failed;
            rt.reason = "TLS handshake with " + g.id + ": " + hec.message();
            co_return rt;
        }
    }
    co_return co_await exchange_on(c.stream, c.buffer, req, total, e.cfg.limits.max_response_bytes);
}

}  // namespace

std::string leaf_digest(X509* cert) {
    if (cert == nullptr) return {};
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (X509_digest(cert, EVP_sha256(), md, &len) != 1) return {};
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(2 * len);
    for (unsigned i = 0; i < len; ++i) {
        out += kHex[md[i] >> 4];
        out += kHex[md[i] & 15];
    }
    return out;
}

awaitable<RoundTrip> peer_round_trip(Engine& e, const GatewayInfo& g, StringRequest& req) {
    const std::string key = g.id + "|" + g.address + "|" + g.tls_cert_sha256;
    req.set(bhttp::field::host, g.address);
    req.keep_alive(true);
    req.prepare_payload();
    for (int attempt = 0; attempt < 2; ++attempt) {
        auto conn = attempt == 0 ? e.peers.acquire(key) : nullptr;
        const bool fresh = conn == nullptr;
        if (fresh) conn = std::make_unique<PeerConn>(asio::make_strand(e.ioc), e.conf());
        auto ex = conn->stream.get_executor();
        RoundTrip rt = co_await asio::co_spawn(ex, peer_once(e, *conn, g, req, fresh), asio::use_awaitable);
        if (rt.outcome == Outcome::ok) {
            if (rt.response.keep_alive()) e.peers.release(key, std::move(conn));
            co_return rt;
        }
        if (fresh || !retryable(rt)) co_return rt;
    }
    co_return RoundTrip{Outcome::io_failed, {}, "unreachable"};
}

namespace {

awaitable<RoundTrip> plain_once(PlainConn& c, const std::string& host, std::uint16_t port, const StringRequest& req,
                                ms timeout, std::int64_t limit, bool fresh) {
    RoundTrip rt;
    if (fresh) {
        tcp::resolver resolver(co_await asio::this_coro::executor);
        auto [rec, results] = co_await resolver.async_resolve(host, std::to_string(port), use_tuple);
        if (rec) {
            rt.outcome = Outcome::connect_failed;
            rt.reason = "resolve " + host + ": " + rec.message();
            co_return rt;
        }
        c.stream.expires_after(timeout);
        auto [cec, ep] = co_await c.stream.async_connect(results, use_tuple);
        (void)ep;
        if (cec) {
            rt.outcome = cec == beast::error::timeout ? Outcome::timeout : Outcome::connect_failed;
            rt.reason = "connect " + host + ":" + std::to_string(port) + ": " + cec.message();
            co_return rt;
        }
        c.stream.socket().set_option(tcp::no_delay(true));
    }
    co_return co_await exchange_on(c.stream, c.buffer, req, timeout, limit);
}

}  // namespace

awaitable<RoundTrip> plain_round_trip(Engine& e, const std::string& host, std::uint16_t port, StringRequest& req,
                                      std::int64_t timeout_ms, std::int64_t limit, bool pooled) {
    const std::string key = host + ":" + std::to_string(port);
    req.set(bhttp::field::host, key);
    req.keep_alive(pooled);
    req.prepare_payload();
    for (int attempt = 0; attempt < 2; ++attempt) {
        auto conn = pooled && attempt == 0 ? e.backends.acquire(key) : nullptr;
        const bool fresh = conn == nullptr;
        if (fresh) conn = std::make_unique<PlainConn>(asio::make_strand(e.ioc));
        auto ex = conn->stream.get_executor();
        RoundTrip rt = co_await asio::co_spawn(ex, plain_once(*conn, host, port, req, ms(timeout_ms), limit, fresh),
                                               asio::use_awaitable);
        if (rt.outcome == Outcome::ok) {
            if (pooled && rt.response.keep_alive()) e.backends.release(key, std::move(conn));
            co_return rt;
        }
        if (fresh || !retryable(rt)) co_return rt;
    }
    co_return RoundTrip{Outcome::io_failed, {}, "unreachable"};
}

Result<HttpUrl> parse_http_url(std::string_view url) {
    constexpr std::string_view scheme = "http://";
    if (url.substr(0, scheme.size()) != scheme) return Error{"exchange.bad_address", 400, "not an http:// URL: " + std::string(url)};
    std::string_view rest = url.substr(scheme.size());
    const auto slash = rest.find('/');
    std::string_view authority = rest.substr(0, slash);
    std::string_view base = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash);
    while (!base.empty() && base.back() == '/') base.remove_suffix(1);
    HttpUrl u;
    u.base = std::string(base);
    if (authority.find(':') == std::string_view::npos) {
        if (authority.empty()) return Error{"exchange.bad_address", 400, "no host in " + std::string(url)};
        u.host = std::string(authority);
        return u;
    }
    auto hp = parse_host_port(authority);
    if (!hp) return hp.error();
    u.host = hp->host;
    u.port = hp->port;
    return u;
}

}  // namespace idara::exchange::gw
