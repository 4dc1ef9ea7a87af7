// In-process environment for the gateway engine tests: a test CA, a central (signed configuration
// and a built-in TSA over HTTP), a back-end, and two gateways (UNIV: client, MEN: provider) on
// loopback, each on its own thread. Built once per test suite.
#pragma once

#include "core/clock.hpp"
#include "exchange/conf.hpp"
#include "exchange/gateway.hpp"
#include "exchange/gateway_config.hpp"
#include "http/router.hpp"
#include "http/server.hpp"
#include "trust/keys.hpp"
#include "trust/tsa.hpp"

#include <curl/curl.h>

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace idara::exchange::test {

struct Reply {
    long status = 0;
    std::string body;
    std::map<std::string, std::string> headers;  // lower-case names
    std::string header(const std::string& lower) const {
        auto it = headers.find(lower);
        return it == headers.end() ? "" : it->second;
    }
};

struct CallOptions {
    std::string method = "GET";
    std::vector<std::string> headers;
    std::string body;
    bool chunked = false;
    std::string bearer;
};

// One HTTP call with libcurl (a fresh handle each time). status -1 when the transfer failed.
Reply http_call(const std::string& url, const CallOptions& o = {});

// A free loopback TCP port (bound then released).
std::uint16_t free_port();

// An HTTP server on 127.0.0.1:0 served from a thread.
class TestServer {
public:
    explicit TestServer(http::Router& r);
    ~TestServer();
    std::uint16_t port() const { return port_; }

private:
    std::unique_ptr<http::Server> server_;
    std::thread thread_;
    std::uint16_t port_ = 0;
};

// A gateway running run() on a thread.
class RunningGateway {
public:
    explicit RunningGateway(const GatewayConfig& cfg);
    ~RunningGateway();
    const GatewayPorts& ports() const { return ports_; }
    std::string client_url() const { return "http://127.0.0.1:" + std::to_string(ports_.client); }

private:
    std::unique_ptr<Gateway> gw_;
    std::thread thread_;
    GatewayPorts ports_;
};

struct Env {
    std::string root;  // temporary directory
    trust::RootCa ca;
    std::string ca_pem;
    SigningKey central_key = SigningKey::generate();
    std::unique_ptr<trust::BuiltinTsa> tsa;
    http::Router central_router, backend_router;
    std::unique_ptr<TestServer> central, backend;
    std::mutex conf_mu;
    GlobalConf conf;  // served (signed) by the central
    GatewayConfig men, univ;
    std::unique_ptr<RunningGateway> men_gw, univ_gw;
    std::atomic<int> backend_hits{0};
    std::string rogue_cert_pem, rogue_key_pem;  // from the CA, not registered

    Env();
    ~Env();
    // PEM certificate for the PEM key, issued by the test CA (serverAuth + clientAuth).
    std::string issue_tls_cert(const std::string& key_pem, const std::string& cn);
};

}  // namespace idara::exchange::test
