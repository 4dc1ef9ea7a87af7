// Multi-process system tests of the exchange layer (issue 6, "Done when"): a fixture that builds a
// demo setup with `idara exchange demo-setup` on a random free loopback base port, edits gateway.toml
// files, runs the central, the demo back-ends and the three gateways as separate `idara` processes,
// and talks to them with libcurl (client certificates for the peer ports). Also: request signing
// for direct peer calls and a rogue TLS provider for response-tampering tests.
//
// Every child process is stopped (SIGTERM, then SIGKILL after a bound) when its owner is destroyed,
// and each child gets PR_SET_PDEATHSIG so nothing survives a crashed test binary.
#pragma once

#include "exchange/gateway_config.hpp"

#include "../integration/harness.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace idara::systest {

std::string read_text(const std::string& path);
void write_text(const std::string& path, const std::string& content);
// A fresh X-Road-Id with a recognisable prefix.
std::string new_query_id(const std::string& prefix);
// First student number / national id of the demo data (demo/exchange/*.json).
std::string demo_student();
std::string demo_national_id();
// Polls `f` until it returns true or `bound` passes; returns the last value of `f`.
bool eventually(const std::function<bool()>& f, std::chrono::milliseconds bound,
                std::chrono::milliseconds every = std::chrono::milliseconds(100));

// ---- HTTP through libcurl -------------------------------------------------------------------------
struct Tls {
    std::string cert, key;  // client certificate and key (PEM files); empty = none
    std::string ca;         // CA file that the server certificate must chain to; empty = do not verify
};

struct HttpRequest {
    std::string method = "GET";
    std::string url;
    std::vector<std::string> headers;  // "Name: value"
    std::string body;
    bool chunked = false;  // send the body with Transfer-Encoding: chunked
    std::optional<Tls> tls;
    long timeout_ms = 30000;
};

struct HttpResult {
    int curl_code = 0;  // CURLE_OK when an HTTP response came back
    std::string curl_error;
    long status = 0;
    std::multimap<std::string, std::string> headers;  // lower-case names
    std::string body;

    std::optional<std::string> header(const std::string& lower_name) const;
    std::string xroad_error() const;  // X-Road-Error header or ""
    std::string body_type() const;    // "type" of an X-Road error body or ""
    std::string describe() const;     // for failure messages
};

HttpResult http(const HttpRequest& r);

// status, X-Road-Error header and body "type" all as expected.
::testing::AssertionResult is_xroad_error(const HttpResult& r, long status, const std::string& type);
::testing::AssertionResult is_ok(const HttpResult& r);

// ---- child processes ------------------------------------------------------------------------------
class Child {
public:
    Child(std::string name, const std::vector<std::string>& args, std::string log_path);
    ~Child();
    Child(const Child&) = delete;
    Child& operator=(const Child&) = delete;

    bool running();
    // SIGTERM, wait up to `grace`, then SIGKILL. Returns the wait status code (or -1).
    int stop(std::chrono::milliseconds grace = std::chrono::milliseconds(8000));
    const std::string& name() const { return name_; }
    const std::string& log_path() const { return log_path_; }

private:
    std::string name_, log_path_;
    int pid_ = -1;
};

// ---- the demo environment -------------------------------------------------------------------------
enum class Gw { men = 0, etatcivil = 1, univ = 2 };
std::string gw_dir_name(Gw g);  // "gw-men"
std::string member_of(Gw g);    // "MA/GOV/MEN"

inline constexpr const char* kUnivClient = "MA/GOV/UNIV/registration";
inline constexpr const char* kBacService = "MA/GOV/MEN/bac-results/bac-result";
inline constexpr const char* kBirthService = "MA/GOV/ETATCIVIL/records/birth-record";

struct EnvOptions {
    std::optional<int> conf_validity_seconds;
    // Applied to each gateway.toml (parsed and rewritten) before the processes start.
    std::function<void(exchange::GatewayConfig&, Gw)> edit;
    bool start = true;
};

class SystemEnv {
public:
    explicit SystemEnv(const EnvOptions& o = {});
    ~SystemEnv();
    SystemEnv(const SystemEnv&) = delete;
    SystemEnv& operator=(const SystemEnv&) = delete;

    const std::string& dir() const { return dir_; }
    int base() const { return base_; }
    int central_port() const { return base_; }
    int client_port(Gw g) const { return base_ + 1 + static_cast<int>(g); }
    int peer_port(Gw g) const { return base_ + 11 + static_cast<int>(g); }
    int admin_port(Gw g) const { return base_ + 21 + static_cast<int>(g); }
    int backend_port(const std::string& kind) const { return base_ + (kind == "bac" ? 31 : 32); }
    std::string central_dir() const { return dir_ + "/central"; }
    std::string gw_dir(Gw g) const { return dir_ + "/" + gw_dir_name(g); }
    std::string ca_file() const { return central_dir() + "/ca/ca.crt"; }
    Tls gateway_tls(Gw g) const;
    std::string admin_token(Gw g) const;

    void start_all();
    void start_central();
    void stop_central();
    void start_backends();
    void start_gateway(Gw g);
    void stop_gateway(Gw g);
    void stop_all();
    // Parses <gw>/gateway.toml, applies `f`, writes it back (takes effect at the next start).
    void edit_gateway(Gw g, const std::function<void(exchange::GatewayConfig&)>& f);

    // An exchange through the client port of `from`. `path` is what follows "/r1/".
    HttpResult call(Gw from, const std::string& method, const std::string& path,
                    std::vector<std::string> headers = {}, const std::string& body = "",
                    const std::string& client = kUnivClient, bool chunked = false);
    HttpResult bac(const std::string& student, const std::string& query_id = "");
    HttpResult birth(const std::string& national_id, const std::string& query_id = "");
    // GET on the admin port of `g` (bearer admin-token unless `with_token` is false).
    HttpResult admin_get(Gw g, const std::string& path_and_query, bool with_token = true);
    // The gateway's operational records (GET /opdata?since=0&limit=10000) parsed; empty on error.
    std::vector<std::map<std::string, std::string>> opdata(Gw g);
    // Waits until the gateway's message log has no un-stamped record (metrics gauge).
    bool wait_all_stamped(Gw g, std::chrono::milliseconds bound);

    // The tail of every log, for failure messages.
    std::string logs() const;

private:
    void wait_ready(Child& c, const std::string& port_file, const std::function<bool()>& healthy);

    itest::TempDir tmp_;
    std::string dir_;
    int base_ = 0;
    std::unique_ptr<Child> central_;
    std::unique_ptr<Child> backends_[2];
    std::unique_ptr<Child> gateways_[3];
    std::vector<std::string> all_logs_;
    int starts_ = 0;
};

// ---- signing for direct calls to a peer port ------------------------------------------------------
struct SignedHeaders {
    std::string canonical;
    std::vector<std::string> headers;  // X-Road-Client, X-Road-Id, X-Road-Signature (+ Content-Type)
};
// Signs a request as `signer` (member id) with the key in `sign_key_file`; `signed_body` is the body
// the signature covers (tests pass another body than the one they send to tamper).
SignedHeaders sign_request(const std::string& sign_key_file, const std::string& signer, const std::string& method,
                           const std::string& target, const std::string& client, const std::string& query_id,
                           const std::string& content_type, const std::string& signed_body);

// ---- a rogue provider gateway: TLS server with a given certificate on a thread --------------------
struct RawRequest {
    std::string method, target;
    std::map<std::string, std::string> headers;  // lower-case names
    std::string body;
    std::string header(const std::string& lower_name) const;
};

class RogueServer {
public:
    using Handler = std::function<std::string(const RawRequest&)>;  // returns raw HTTP response bytes
    // Binds 127.0.0.1:port (SO_REUSEADDR); throws std::runtime_error on failure.
    RogueServer(int port, const std::string& cert_file, const std::string& key_file, Handler h);
    ~RogueServer();
    RogueServer(const RogueServer&) = delete;
    RogueServer& operator=(const RogueServer&) = delete;
    int requests() const { return requests_.load(); }

private:
    void accept_loop();
    void serve(int fd);

    void* ctx_ = nullptr;  // SSL_CTX*
    int listen_fd_ = -1;
    Handler handler_;
    std::atomic<bool> stop_{false};
    std::atomic<int> requests_{0};
    std::thread thread_;
    std::vector<std::thread> conns_;
};

// Raw HTTP/1.1 response bytes (Connection: close).
std::string raw_response(int status, const std::vector<std::pair<std::string, std::string>>& headers,
                         const std::string& body, bool chunked = false);

}  // namespace idara::systest
