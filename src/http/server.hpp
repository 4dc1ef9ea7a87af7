// The HTTP/1.1 server (Boost.Beast + Asio, C++20 coroutines). Beast and Asio
// stay inside src/http/*.cpp; this header exposes none of them.
//
// What it does for every request, before and after the handler:
//  - limits: header bytes (431), body bytes (413), read and write timeouts;
//  - keep-alive; HEAD answered from GET routes;
//  - request id (X-Request-Id echoed or generated), JSON access log line;
//  - security headers on every response (CSP, X-Content-Type-Options,
//    X-Frame-Options/frame-ancestors, Referrer-Policy, Permissions-Policy);
//  - metrics: requests by route and status, latency histogram (see metrics.hpp);
//  - errors produced by the server itself use the JSON error shape.
//
// Lifecycle: start() binds and returns the bound port (port 0 → ephemeral);
// run() blocks until stop() or a SIGTERM/SIGINT, then drains: it stops
// accepting, lets in-flight requests finish (up to drain_timeout), closes idle
// keep-alive connections, and returns.
#pragma once

#include "core/error.hpp"
#include "http/router.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace idara::http {

class Metrics;

struct ServerOptions {
    std::string listen_address = "127.0.0.1";
    std::uint16_t port = 8080;
    int io_threads = 1;
    int worker_threads = 4;
    std::size_t max_header_bytes = 16 * 1024;
    std::size_t max_body_bytes = 1024 * 1024;
    std::chrono::milliseconds read_timeout{15000};
    std::chrono::milliseconds write_timeout{15000};
    std::chrono::milliseconds idle_timeout{30000};
    std::chrono::milliseconds drain_timeout{10000};
    bool access_log = true;
    bool handle_signals = true;   // install SIGTERM/SIGINT handlers in run()
};

class Server {
public:
    virtual ~Server() = default;
    // Binds the listening socket. Returns the bound port.
    virtual Result<std::uint16_t> start() = 0;
    // Serves until stop() or a signal; then drains and returns.
    virtual void run() = 0;
    // Asks run() to drain and return. Thread-safe, callable from a signal-free context.
    virtual void stop() = 0;
    virtual Metrics& metrics() = 0;
};

// The router must outlive the server.
std::unique_ptr<Server> make_server(ServerOptions o, const Router& router);

}  // namespace idara::http
