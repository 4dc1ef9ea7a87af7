// The HTTP/1.1 server: Boost.Beast + Asio with C++20 coroutines. This is the
// only translation unit with the Beast/Asio I/O machinery (they compile slowly);
// request_parse.cpp holds the pure parsing pieces shared with the fuzz targets.
//
// One strand per connection; a coroutine reads a request, dispatches it
// (inline on the I/O thread for cheap routes, else on the worker pool),
// writes the response, and loops while keep-alive holds. See server.hpp.
#include "http/server.hpp"

#include "core/error_json.hpp"
#include "core/log.hpp"
#include "core/random.hpp"
#include "http/metrics.hpp"
#include "http/request_parse.hpp"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include <atomic>
#include <cstdio>
#include <ctime>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>

namespace idara::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using asio::awaitable;
using asio::use_awaitable;
constexpr auto as_tuple = asio::as_tuple(use_awaitable);
using BeastRequest = bhttp::request<bhttp::string_body>;
using BeastResponse = bhttp::response<bhttp::string_body>;

namespace {

Response error_response(const Error& e) {
    auto r = Response::json(e.status, error_json(e));
    return r;
}


void add_default_headers(Response& r, const std::string& request_id) {
    auto def = [&](std::string_view name, std::string value) {
        if (!r.headers.get(name)) r.headers.set(name, std::move(value));
    };
    def("Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; "
        "base-uri 'self'; form-action 'self'; frame-ancestors 'none'");
    def("X-Content-Type-Options", "nosniff");
    def("X-Frame-Options", "DENY");
    def("Referrer-Policy", "same-origin");
    def("Permissions-Policy", "camera=(), microphone=(), geolocation=()");
    def("Cross-Origin-Opener-Policy", "same-origin");
    def("Server", "idara");
    r.headers.set("X-Request-Id", request_id);
}

// Per-connection state shared with the drain logic; touched only on the connection's strand.
struct ConnState {
    asio::any_io_executor executor;
    beast::tcp_stream* stream = nullptr;
    bool idle = true;
};

class ServerImpl final : public Server {
public:
    ServerImpl(ServerOptions o, const Router& r)
        : o_(std::move(o)), router_(r), ioc_(std::max(1, o_.io_threads)), acceptor_(ioc_),
          pool_(static_cast<std::size_t>(std::max(1, o_.worker_threads))) {}

    ~ServerImpl() override {
        pool_.join();
    }

    Result<std::uint16_t> start() override {
        beast::error_code ec;
        auto addr = asio::ip::make_address(o_.listen_address, ec);
        if (ec) return Error{"server.bind", 1, "invalid listen address " + o_.listen_address};
        tcp::endpoint ep(addr, o_.port);
        acceptor_.open(ep.protocol(), ec);
        if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
        if (!ec) acceptor_.bind(ep, ec);
        if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
        if (ec) return Error{"server.bind", 1, "cannot listen on " + o_.listen_address + ":" + std::to_string(o_.port) + ": " + ec.message()};
        port_ = acceptor_.local_endpoint().port();
        asio::co_spawn(ioc_, accept_loop(), asio::detached);
        return port_;
    }

    void run() override {
        std::optional<asio::signal_set> signals;
        if (o_.handle_signals) {
            signals.emplace(ioc_, SIGINT, SIGTERM);
            signals->async_wait([this](const beast::error_code& ec, int sig) {
                if (!ec) {
                    log::info("server.signal", {{"signal", std::to_string(sig)}});
                    stop();
                }
            });
        }
        std::vector<std::thread> threads;
        for (int i = 1; i < o_.io_threads; ++i) threads.emplace_back([this] { ioc_.run(); });
        ioc_.run();
        for (auto& t : threads) t.join();
        pool_.join();
        // Past the drain timeout: no I/O thread runs any more, so the connections still
        // open can be closed from here; their clients see the close at once.
        {
            std::lock_guard lk(conns_mu_);
            for (const auto& c : conns_) {
                beast::error_code ec;
                if (c->stream != nullptr) c->stream->socket().close(ec);
            }
        }
        log::info("server.stopped", {{"port", std::to_string(port_)}});
    }

    void stop() override {
        asio::post(ioc_, [this] { begin_drain(); });
    }

    Metrics& metrics() override { return metrics_; }

private:
    awaitable<void> accept_loop() {
        for (;;) {
            tcp::socket sock(asio::make_strand(ioc_));
            auto [ec] = co_await acceptor_.async_accept(sock, as_tuple);
            if (ec) {
                if (draining_ || !acceptor_.is_open()) co_return;
                // Out of descriptors and the like: back off briefly instead of spinning.
                log::warn("server.accept_error", {{"error", ec.message()}});
                asio::steady_timer backoff(ioc_, std::chrono::milliseconds(50));
                co_await backoff.async_wait(as_tuple);
                continue;
            }
            ++connections_;
            auto ex = sock.get_executor();
            asio::co_spawn(ex, session(std::move(sock)), [this](std::exception_ptr) { --connections_; });
        }
    }

    void begin_drain() {
        if (draining_.exchange(true)) return;
        log::info("server.draining", {{"connections", std::to_string(connections_.load())}});
        beast::error_code ec;
        acceptor_.close(ec);
        std::lock_guard lk(conns_mu_);
        for (const auto& c : conns_) {
            asio::post(c->executor, [c] {
                if (c->idle && c->stream != nullptr) c->stream->socket().close();
            });
        }
        asio::co_spawn(ioc_, wait_drained(), asio::detached);
    }

    awaitable<void> wait_drained() {
        asio::steady_timer t(ioc_);
        const auto deadline = std::chrono::steady_clock::now() + o_.drain_timeout;
        while (connections_.load() > 0 && std::chrono::steady_clock::now() < deadline) {
            t.expires_after(std::chrono::milliseconds(10));
            co_await t.async_wait(as_tuple);
        }
        if (connections_.load() > 0) log::warn("server.drain_timeout", {{"connections", std::to_string(connections_.load())}});
        ioc_.stop();
    }

    awaitable<void> session(tcp::socket sock) {
        beast::tcp_stream stream(std::move(sock));
        auto state = std::make_shared<ConnState>();
        state->executor = stream.get_executor();
        state->stream = &stream;
        {
            std::lock_guard lk(conns_mu_);
            conns_.insert(state);
        }
        beast::error_code ec;
        auto remote = stream.socket().remote_endpoint(ec);
        const std::string remote_addr = ec ? "" : remote.address().to_string();
        beast::flat_buffer buffer;
        for (bool keep = true; keep && !draining_;) keep = co_await one_exchange(stream, buffer, *state, remote_addr);
        state->stream = nullptr;
        {
            std::lock_guard lk(conns_mu_);
            conns_.erase(state);
        }
        stream.socket().shutdown(tcp::socket::shutdown_send, ec);
        stream.socket().close(ec);
    }

    // Reads one request and writes its response. Returns whether to keep the connection.
    awaitable<bool> one_exchange(beast::tcp_stream& stream, beast::flat_buffer& buffer, ConnState& state,
                                 const std::string& remote_addr) {
        bhttp::request_parser<bhttp::string_body> parser;
        parser.header_limit(static_cast<std::uint32_t>(o_.max_header_bytes));
        parser.body_limit(o_.max_body_bytes);
        // Idle: wait for the first byte of the next request under the keep-alive idle timeout;
        // a drain closes the connection in this state. Then the request is in flight and
        // must arrive within the read timeout.
        state.idle = true;
        if (buffer.size() == 0) {
            stream.expires_after(o_.idle_timeout);
            auto [ec0, n0] = co_await stream.async_read_some(buffer.prepare(4096), as_tuple);
            if (ec0) co_return false;
            buffer.commit(n0);
        }
        state.idle = false;
        const auto t0 = std::chrono::steady_clock::now();
        stream.expires_after(o_.read_timeout);
        auto [ec, n] = co_await bhttp::async_read_header(stream, buffer, parser, as_tuple);
        if (!ec && !parser.is_done()) {
            std::tie(ec, n) = co_await bhttp::async_read(stream, buffer, parser, as_tuple);
        }
        if (ec) {
            const std::optional<Error> reply = request_read_error(ec, limits());
            if (reply) {
                // Named locals, not temporaries: GCC 12 mishandles temporaries with destructors in co_await.
                Response r = error_response(*reply);
                const std::string rid = random::hex_token(8);
                co_await write(stream, r, bhttp::verb::unknown, 11, false, rid, "", "unmatched", t0, remote_addr, "-");
                co_await linger(stream, buffer);
            }
            co_return false;
        }
        BeastRequest breq = parser.release();
        const bool keep = breq.keep_alive() && !draining_;
        const std::string_view method_s(breq.method_string().data(), breq.method_string().size());
        auto made = to_request(breq);
        Request req = made ? std::move(*made) : Request{};
        req.method = parse_method(method_s);
        req.remote_addr = remote_addr;
        req.request_id = request_id_of(breq);
        Response res;
        if (made) {
            metrics_.inc_in_flight();
            res = co_await dispatch(req);
            metrics_.dec_in_flight();
        } else {
            res = error_response(made.error());
        }
        const bool keep_after = keep && !draining_;
        const std::string_view route = req.route.empty() ? std::string_view("unmatched") : std::string_view(req.route);
        co_await write(stream, res, breq.method(), breq.version(), keep_after, req.request_id, req.path, route, t0,
                       remote_addr, method_name(req.method));
        co_return keep_after;
    }

    // After an error reply on a request whose bytes were not all read: half-close and
    // discard what the client still sends for a moment, so that closing does not reset
    // the connection before the client has read the reply.
    awaitable<void> linger(beast::tcp_stream& stream, beast::flat_buffer& buffer) {
        beast::error_code ec;
        stream.socket().shutdown(tcp::socket::shutdown_send, ec);
        if (ec) co_return;
        std::size_t discarded = 0;
        stream.expires_after(std::chrono::milliseconds(500));
        while (discarded < 4 * 1024 * 1024) {
            buffer.clear();
            auto [rec, n] = co_await stream.async_read_some(buffer.prepare(16 * 1024), as_tuple);
            if (rec) break;
            discarded += n;
        }
        buffer.clear();
    }

    RequestLimits limits() const { return {o_.max_header_bytes, o_.max_body_bytes}; }

    // The client's X-Request-Id when it is sane, else a new one.
    static std::string request_id_of(const BeastRequest& breq) {
        const auto it = breq.find("X-Request-Id");
        const std::string_view client =
            it == breq.end() ? std::string_view{} : std::string_view(it->value().data(), it->value().size());
        return valid_request_id(client) ? std::string(client) : random::hex_token(8);
    }

    // The plain Request the handlers see (see make_request); 400 on a bad path.
    static Result<Request> to_request(BeastRequest& breq) {
        Headers headers;
        for (const auto& f : breq) headers.add(std::string(f.name_string()), std::string(f.value()));
        return make_request(std::string_view(breq.method_string().data(), breq.method_string().size()),
                            std::string_view(breq.target().data(), breq.target().size()), std::move(headers),
                            std::move(breq.body()));
    }

    awaitable<Response> dispatch(Request& req) {
        auto m = router_.match(req.method, req.path);
        const Handler* h = m.handler;
        if (h == nullptr) {
            if (!m.allowed.empty()) {
                std::string allow;
                for (auto a : m.allowed) allow += (allow.empty() ? "" : ", ") + std::string(method_name(a));
                if (std::find(m.allowed.begin(), m.allowed.end(), Method::get) != m.allowed.end()) allow += ", HEAD";
                Response r = error_response(errors::method_not_allowed());
                r.headers.set("Allow", allow);
                co_return r;
            }
            if (router_.fallback() == nullptr || req.path.rfind("/api/", 0) == 0) co_return error_response(errors::not_found());
            h = router_.fallback();
        } else {
            req.params = std::move(m.params);
            req.route = m.pattern;
        }
        if (m.handler != nullptr && m.options.inline_ok) co_return call(*h, req);
        co_return co_await asio::co_spawn(
            pool_.get_executor(), [this, h, &req]() -> awaitable<Response> { co_return call(*h, req); }, use_awaitable);
    }

    static Response call(const Handler& h, Request& req) {
        try {
            return h(req);
        } catch (const ErrorException& e) {
            log::error("http.handler_error", {{"code", e.error().code}, {"detail", e.error().detail}, {"request_id", req.request_id}});
            return error_response(e.error());
        } catch (const std::exception& e) {
            log::error("http.handler_exception", {{"what", e.what()}, {"request_id", req.request_id}});
            return error_response(errors::internal());
        } catch (...) {
            log::error("http.handler_exception", {{"what", "non-standard exception"}, {"request_id", req.request_id}});
            return error_response(errors::internal());
        }
    }

    awaitable<void> write(beast::tcp_stream& stream, Response& r, bhttp::verb method, unsigned version, bool keep,
                          const std::string& request_id, std::string_view path, std::string_view route,
                          std::chrono::steady_clock::time_point t0, const std::string& remote, std::string_view method_s) {
        add_default_headers(r, request_id);
        BeastResponse out{static_cast<bhttp::status>(r.status), version};
        for (const auto& [k, v] : r.headers.all()) out.insert(k, v);
        const std::size_t bytes = r.body.size();
        if (method == bhttp::verb::head) {
            out.content_length(bytes);
        } else {
            out.body() = std::move(r.body);
            out.prepare_payload();
        }
        out.keep_alive(keep);
        // Counted before the write, so a client that has its response also sees it counted.
        const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        metrics_.observe(route, method_s, r.status, secs);
        stream.expires_after(o_.write_timeout);
        auto [ec, n] = co_await bhttp::async_write(stream, out, as_tuple);
        (void)n;
        if (o_.access_log) {
            boost::json::object line{{"ts", log::now_iso()},
                                     {"event", "http.access"}, {"method", method_s}, {"path", path}, {"route", route},
                                     {"status", r.status}, {"bytes", bytes}, {"duration_ms", secs * 1000.0},
                                     {"request_id", request_id}, {"remote", remote}};
            if (ec) line["write_error"] = ec.message();
            log::write_raw_line(boost::json::serialize(line));
        }
    }

    ServerOptions o_;
    const Router& router_;
    asio::io_context ioc_;
    tcp::acceptor acceptor_;
    asio::thread_pool pool_;
    Metrics metrics_;
    std::uint16_t port_ = 0;
    std::atomic<bool> draining_{false};
    std::atomic<int> connections_{0};
    std::mutex conns_mu_;
    std::set<std::shared_ptr<ConnState>> conns_;
};

}  // namespace

std::unique_ptr<Server> make_server(ServerOptions o, const Router& router) {
    return std::make_unique<ServerImpl>(std::move(o), router);
}

}  // namespace idara::http
