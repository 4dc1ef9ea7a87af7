// The gateway's life cycle (gateway.hpp): configuration from the central or the cache, the three
// listeners, the background refresher, signals and drain. The sessions are in gateway_client.cpp
// and gateway_peer.cpp, outgoing HTTP in gateway_http.cpp.
#include "exchange/gateway.hpp"
#include "exchange/files.hpp"

#include "core/log.hpp"
#include "exchange/gateway_meta.hpp"
#include "exchange/gateway_net.hpp"
#include "http/router.hpp"
#include "http/server.hpp"
#include "trust/tsa.hpp"

#include <fstream>
#include <sstream>
#include <thread>

namespace idara::exchange {

namespace gw {

Engine::Engine(GatewayConfig c, SigningKey key, TlsFiles t, const Clock& clk)
    : cfg(std::move(c)), member(cfg.member()), sign_key(std::move(key)), tls(std::move(t)), clock(clk),
      cat(i18n::catalogue()), ioc(std::max(1, cfg.io_threads)), blocking(32) {}

awaitable<bool> Engine::record(const LogRecord& rec, const OpRecord& op, bool with_record) {
    metrics.record(op);
    Status st = co_await asio::co_spawn(
        blocking,
        [this, &rec, &op, with_record]() -> awaitable<Status> {
            co_return with_record ? log->append(rec, op) : log->append_op(op);
        },
        asio::use_awaitable);
    if (!st) {
        log::error("exchange.log_failed", {{"code", st.error().code}, {"reason", st.error().detail},
                                           {"query_id", op.query_id}});
        co_return false;
    }
    co_return true;
}

Result<TlsFiles> load_tls_files(const GatewayConfig& cfg) {
    TlsFiles f;
    auto crt = files::read(cfg.path("tls.crt"));
    auto key = files::read(cfg.path("tls.key"));
    if (!crt || crt->empty()) return Error{"exchange.key_file", 500, cfg.path("tls.crt") + ": missing or unreadable"};
    if (!key || key->empty()) return Error{"exchange.key_file", 500, cfg.path("tls.key") + ": missing or unreadable"};
    f.cert_pem = std::move(*crt);
    f.key_pem = std::move(*key);
    return f;
}

Result<std::shared_ptr<const ConfState>> make_conf_state(const TlsFiles& tls, GlobalConf conf, std::string envelope) {
    auto st = std::make_shared<ConfState>();
    auto build = [&](ssl::context::method m, ssl::verify_mode mode) -> Result<std::unique_ptr<ssl::context>> {
        auto ctx = std::make_unique<ssl::context>(m);
        beast::error_code ec;
        ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                             ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::no_tlsv1_2,
                         ec);
        ctx->use_certificate_chain(asio::buffer(tls.cert_pem), ec);
        if (ec) return Error{"exchange.key_file", 500, "tls.crt: " + ec.message()};
        ctx->use_private_key(asio::buffer(tls.key_pem), ssl::context::pem, ec);
        if (ec) return Error{"exchange.key_file", 500, "tls.key: " + ec.message()};
        for (const auto& pem : conf.trust_anchors_pem) {
            ctx->add_certificate_authority(asio::buffer(pem), ec);
            if (ec) return Error{"exchange.bad_configuration", 400, "trust anchor: " + ec.message()};
        }
        ctx->set_verify_mode(mode);
        return ctx;
    };
    auto server = build(ssl::context::tlsv13_server, ssl::verify_peer | ssl::verify_fail_if_no_peer_cert);
    if (!server) return server.error();
    auto client = build(ssl::context::tlsv13_client, ssl::verify_peer);
    if (!client) return client.error();
    // Sessions of the server side are not resumed across gateways' restarts; a cache id keeps
    // OpenSSL from complaining when a client offers a ticket.
    SSL_CTX_set_session_id_context((*server)->native_handle(), reinterpret_cast<const unsigned char*>("idara-gw"), 8);
    st->server_tls = std::move(*server);
    st->client_tls = std::move(*client);
    st->conf = std::make_shared<const GlobalConf>(std::move(conf));
    st->envelope = std::move(envelope);
    return std::shared_ptr<const ConfState>(std::move(st));
}

StringResponse xerror_response(const Engine& e, const XError& x, std::string_view query_id) {
    const std::string detail = new_detail_id();
    log::warn("exchange.error", {{"type", x.type}, {"detail", detail}, {"reason", x.technical},
                                 {"query_id", std::string(query_id)}, {"gateway", e.cfg.gateway_id()}});
    StringResponse r{static_cast<bhttp::status>(x.status()), 11};
    r.set(bhttp::field::content_type, "application/json");
    r.set("X-Road-Error", x.type);
    r.body() = xerror_body(x, e.cat, detail);
    return r;
}

}  // namespace gw

namespace {

using namespace gw;

constexpr std::int64_t kMaxConfBytes = 16 * 1024 * 1024;

// One GET <central>/conf, verified with the pinned key.
awaitable<Result<std::pair<GlobalConf, std::string>>> fetch_conf(Engine& e, const HttpUrl& u, std::int64_t timeout_ms) {
    StringRequest req{bhttp::verb::get, u.base + "/conf", 11};
    req.set(bhttp::field::accept, "application/json");
    RoundTrip rt = co_await plain_round_trip(e, u.host, u.port, req, timeout_ms, kMaxConfBytes, false);
    if (rt.outcome != Outcome::ok)
        co_return Error{"exchange.no_configuration", 503, "central " + u.host + ":" + std::to_string(u.port) + ": " + rt.reason};
    if (rt.response.result_int() != 200)
        co_return Error{"exchange.no_configuration", 503, "central answered " + std::to_string(rt.response.result_int())};
    std::string envelope = std::move(rt.response.body());
    auto conf = verify_conf(envelope, e.cfg.central_public_key);
    if (!conf) co_return conf.error();
    co_return std::make_pair(std::move(*conf), std::move(envelope));
}

// Verifies, caches and installs a fetched configuration.
Status install(Engine& e, GlobalConf conf, std::string envelope) {
    if (conf.instance != e.cfg.instance)
        return Error{"exchange.bad_configuration", 400, "configuration of instance " + conf.instance};
    auto st = make_conf_state(e.tls, std::move(conf), envelope);
    if (!st) return st.error();
    auto saved = save_conf_cache(e.cfg.path("conf-cache.json"), envelope);
    if (!saved) log::warn("exchange.conf_cache_write", {{"reason", saved.error().detail}});
    const auto& c = *(*st)->conf;
    log::info("exchange.conf_installed", {{"serial", std::to_string(c.serial)}, {"expires_at_ms", std::to_string(c.expires_at_ms)}});
    e.set_conf(std::move(*st));
    return {};
}

// At start: the central (retried up to 10 s; one attempt when an unexpired cache exists), else the cache.
awaitable<Status> initial_conf(Engine& e, HttpUrl u) {
    auto cache = load_conf_cache(e.cfg.path("conf-cache.json"), e.cfg.central_public_key);
    const bool cache_fresh = cache && !cache->expired(e.clock.now_ms());
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(cache_fresh ? 0 : 10);
    asio::steady_timer timer(co_await asio::this_coro::executor);
    std::string last_reason;
    for (;;) {
        auto got = co_await fetch_conf(e, u, 2000);
        if (got) {
            auto st = install(e, std::move(got->first), std::move(got->second));
            if (st) co_return st;
            last_reason = st.error().detail;
        } else {
            last_reason = got.error().detail;
        }
        if (std::chrono::steady_clock::now() >= deadline) break;
        timer.expires_after(std::chrono::milliseconds(250));
        co_await timer.async_wait(use_tuple);
    }
    if (cache) {
        log::warn("exchange.conf_from_cache", {{"reason", last_reason}, {"expired", cache_fresh ? "false" : "true"}});
        auto st = make_conf_state(e.tls, std::move(*cache), "");
        if (!st) co_return st.error();
        e.set_conf(std::move(*st));
        co_return Status{};
    }
    co_return Error{"exchange.no_configuration", 503, last_reason};
}

awaitable<void> refresher(Engine& e, HttpUrl u) {
    asio::steady_timer timer(co_await asio::this_coro::executor);
    while (!e.draining) {
        timer.expires_after(std::chrono::seconds(std::max<std::int64_t>(1, e.cfg.conf_refresh_seconds)));
        auto [ec] = co_await timer.async_wait(use_tuple);
        if (ec || e.draining) co_return;
        auto got = co_await fetch_conf(e, u, 5000);
        Status st = got ? install(e, std::move(got->first), std::move(got->second)) : Status(got.error());
        if (!st) {
            const auto cur = e.conf();
            const bool expired = !cur || cur->conf->expired(e.clock.now_ms());
            log::warn("exchange.conf_refresh_failed", {{"reason", st.error().detail}, {"expired", expired ? "true" : "false"}});
        }
    }
}

Result<tcp::endpoint> endpoint_of(const std::string& listen) {
    auto hp = parse_host_port(listen);
    if (!hp) return hp.error();
    beast::error_code ec;
    auto addr = asio::ip::make_address(hp->host, ec);
    if (ec) return Error{"exchange.bad_address", 400, "not an IP address: " + hp->host};
    return tcp::endpoint(addr, hp->port);
}

Status listen_on(tcp::acceptor& acc, const std::string& listen) {
    auto ep = endpoint_of(listen);
    if (!ep) return ep.error();
    beast::error_code ec;
    acc.open(ep->protocol(), ec);
    if (!ec) acc.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acc.bind(*ep, ec);
    if (!ec) acc.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return Error{"server.bind", 1, "cannot listen on " + listen + ": " + ec.message()};
    return {};
}

class GatewayImpl final : public Gateway {
public:
    explicit GatewayImpl(std::unique_ptr<Engine> e, std::string admin_token)
        : e_(std::move(e)), token_(std::move(admin_token)), client_acc_(e_->ioc), peer_acc_(e_->ioc) {}

    ~GatewayImpl() override {
        if (admin_) admin_->stop();
        if (admin_thread_.joinable()) admin_thread_.join();
        e_->ioc.stop();
        e_->blocking.join();
        if (log_started_) e_->log->stop();
    }

    Result<GatewayPorts> start() override {
        auto u = parse_http_url(e_->cfg.central_url);
        if (!u) return u.error();
        central_ = *u;
        std::optional<Status> got;
        asio::co_spawn(e_->ioc, initial_conf(*e_, central_), [&](std::exception_ptr ep, Status st) {
            got = ep ? Status(Error{"internal", 500, "configuration loader threw"}) : st;
        });
        e_->ioc.run();
        e_->ioc.restart();
        if (!got || !*got) return got ? got->error() : Error{"exchange.no_configuration", 503, "no result"};

        if (auto st = listen_on(client_acc_, e_->cfg.client_listen); !st) return st.error();
        if (auto st = listen_on(peer_acc_, e_->cfg.peer_listen); !st) return st.error();
        GatewayPorts ports;
        ports.client = client_acc_.local_endpoint().port();
        ports.peer = peer_acc_.local_endpoint().port();

        auto admin_ep = parse_host_port(e_->cfg.admin_listen);
        if (!admin_ep) return admin_ep.error();
        add_admin_routes(router_, token_, *e_->log, e_->metrics);
        http::ServerOptions o;
        o.listen_address = admin_ep->host;
        o.port = admin_ep->port;
        o.io_threads = 1;
        o.worker_threads = 2;
        o.handle_signals = false;
        o.access_log = false;
        admin_ = http::make_server(o, router_);
        auto admin_port = admin_->start();
        if (!admin_port) return admin_port.error();
        ports.admin = *admin_port;
        admin_thread_ = std::thread([this] { admin_->run(); });

        e_->log->start();
        log_started_ = true;
        asio::co_spawn(e_->ioc, accept_loop(client_acc_, false), asio::detached);
        asio::co_spawn(e_->ioc, accept_loop(peer_acc_, true), asio::detached);
        asio::co_spawn(e_->ioc, refresher(*e_, central_), asio::detached);
        log::info("exchange.gateway_started", {{"gateway", e_->cfg.gateway_id()}, {"client", std::to_string(ports.client)},
                                               {"peer", std::to_string(ports.peer)}, {"admin", std::to_string(ports.admin)}});
        return ports;
    }

    void run() override {
        asio::signal_set signals(e_->ioc, SIGINT, SIGTERM);
        signals.async_wait([this](const beast::error_code& ec, int sig) {
            if (ec) return;
            log::info("exchange.gateway_signal", {{"signal", std::to_string(sig)}});
            begin_drain();
        });
        std::vector<std::thread> threads;
        for (int i = 1; i < std::max(1, e_->cfg.io_threads); ++i) threads.emplace_back([this] { e_->ioc.run(); });
        e_->ioc.run();
        for (auto& t : threads) t.join();
        if (admin_) admin_->stop();
        if (admin_thread_.joinable()) admin_thread_.join();
        log::info("exchange.gateway_stopped", {{"gateway", e_->cfg.gateway_id()}});
    }

    void stop() override {
        asio::post(e_->ioc, [this] { begin_drain(); });
    }

private:
    awaitable<void> accept_loop(tcp::acceptor& acc, bool peer) {
        for (;;) {
            tcp::socket sock(asio::make_strand(e_->ioc));
            auto [ec] = co_await acc.async_accept(sock, use_tuple);
            if (ec) {
                if (e_->draining || !acc.is_open()) co_return;
                log::warn("exchange.accept_error", {{"error", ec.message()}});
                asio::steady_timer backoff(e_->ioc, std::chrono::milliseconds(50));
                co_await backoff.async_wait(use_tuple);
                continue;
            }
            beast::error_code ignored;
            sock.set_option(tcp::no_delay(true), ignored);
            auto ex = sock.get_executor();
            auto done = [](std::exception_ptr ep) {
                if (!ep) return;
                try {
                    std::rethrow_exception(ep);
                } catch (const std::exception& x) {
                    log::error("exchange.session_exception", {{"what", x.what()}});
                }
            };
            if (peer) asio::co_spawn(ex, peer_session(*e_, std::move(sock)), done);
            else asio::co_spawn(ex, client_session(*e_, std::move(sock)), done);
        }
    }

    void begin_drain() {
        if (e_->draining.exchange(true)) return;
        beast::error_code ec;
        client_acc_.close(ec);
        peer_acc_.close(ec);
        asio::co_spawn(e_->ioc, wait_drained(), asio::detached);
    }

    awaitable<void> wait_drained() {
        asio::steady_timer t(e_->ioc);
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (e_->in_flight.load() > 0 && std::chrono::steady_clock::now() < deadline) {
            t.expires_after(std::chrono::milliseconds(10));
            co_await t.async_wait(use_tuple);
        }
        e_->peers.clear();
        e_->backends.clear();
        e_->ioc.stop();
    }

    std::unique_ptr<Engine> e_;
    std::string token_;
    tcp::acceptor client_acc_, peer_acc_;
    HttpUrl central_;
    http::Router router_;
    std::unique_ptr<http::Server> admin_;
    std::thread admin_thread_;
    bool log_started_ = false;
};

// The message log's time-stamper follows the configuration's TSA URL (one client per URL).
TsaProvider tsa_provider(Engine* e) {
    struct Cache {
        std::mutex mu;
        std::map<std::string, std::shared_ptr<trust::TimeStamper>> by_url;
    };
    auto cache = std::make_shared<Cache>();
    return [e, cache]() -> std::shared_ptr<trust::TimeStamper> {
        const auto st = e->conf();
        if (!st || st->conf->tsa_url.empty()) return nullptr;
        std::lock_guard lk(cache->mu);
        auto& slot = cache->by_url[st->conf->tsa_url];
        if (!slot) slot = trust::make_http_tsa({st->conf->tsa_url});
        return slot;
    };
}

}  // namespace

Result<std::unique_ptr<Gateway>> open_gateway(const GatewayConfig& cfg) {
    auto key = SigningKey::load(cfg.path("sign.key"));
    if (!key) return key.error();
    auto tls = load_tls_files(cfg);
    if (!tls) return tls.error();
    auto token = files::read(cfg.path("admin-token"));
    if (!token) return Error{"exchange.key_file", 500, cfg.path("admin-token") + ": missing or unreadable"};
    while (!token->empty() && (token->back() == '\n' || token->back() == '\r' || token->back() == ' ')) token->pop_back();
    if (token->size() < 16) return Error{"exchange.key_file", 500, cfg.path("admin-token") + ": too short"};
    auto e = std::make_unique<Engine>(cfg, std::move(*key), std::move(*tls), system_clock());
    auto log = open_message_log(cfg, tsa_provider(e.get()), system_clock());
    if (!log) return log.error();
    e->log = std::move(*log);
    return std::unique_ptr<Gateway>(std::make_unique<GatewayImpl>(std::move(e), std::move(*token)));
}

}  // namespace idara::exchange
