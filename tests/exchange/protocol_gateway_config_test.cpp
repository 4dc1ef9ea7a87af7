// gateway.toml (exchange/gateway_config.hpp): reading, errors with line numbers, round trip.
#include "exchange/gateway_config.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace {

using namespace idara::exchange;

std::string central_key_b64() {
    static const std::string k = SigningKey::generate().public_key_b64();
    return k;
}

std::string example() {
    return "instance = \"MA\"\n"                                          // 1
           "member_class = \"GOV\"\n"                                     // 2
           "member_code = \"MEN\"\n"                                      // 3
           "gateway_code = \"gw1\"\n"                                     // 4
           "central_url = \"http://127.0.0.1:8090\"\n"                    // 5
           "central_public_key = \"" + central_key_b64() + "\"\n"         // 6
           "client_listen = \"127.0.0.1:8091\"\n"                         // 7
           "peer_listen = \"127.0.0.1:8101\"\n"                           // 8
           "admin_listen = \"127.0.0.1:8111\"\n"                          // 9
           "conf_refresh_seconds = 30\n"                                  // 10
           "io_threads = 3\n"                                             // 11
           "[limits]\n"                                                   // 12
           "max_request_bytes = 1000\n"                                   // 13
           "max_response_bytes = 2000\n"                                  // 14
           "[log]\n"                                                      // 15
           "body_mode = \"omit\"\n"                                       // 16
           "timestamp_grace_seconds = 120\n"                              // 17
           "[[service]]\n"                                                // 18
           "subsystem = \"bac-results\"\n"                                // 19
           "code = \"bac-result\"\n"                                      // 20
           "backend_url = \"http://127.0.0.1:8121/api\"\n"                // 21
           "openapi_file = \"bac-result.openapi.json\"\n"                 // 22
           "timeout_ms = 5000\n"                                          // 23
           "[[access]]\n"                                                 // 24
           "subject = \"MA/GOV/UNIV/registration\"\n"                     // 25
           "service = \"bac-result\"\n"                                   // 26
           "methods = [\"GET\"]\n"                                        // 27
           "path = \"/results/*\"\n"                                      // 28
           "[[access]]\n"                                                 // 29
           "subject = \"group:universities\"\n"                           // 30
           "service = \"bac-result\"\n"                                   // 31
           "methods = [\"*\"]\n";                                         // 32
}

// Replaces the first occurrence of `from` in the example.
std::string with(const std::string& from, const std::string& to) {
    std::string s = example();
    const auto at = s.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos) s.replace(at, from.size(), to);
    return s;
}

void expect_error(const std::string& text, int line, const std::string& fragment) {
    auto r = parse_gateway_config(text, "/srv/gw");
    ASSERT_FALSE(r) << fragment;
    EXPECT_EQ(r.error().code, "exchange.bad_gateway_config");
    EXPECT_EQ(r.error().status, 400);
    EXPECT_EQ(r.error().detail.rfind("line " + std::to_string(line) + ": ", 0), 0u) << r.error().detail;
    EXPECT_NE(r.error().detail.find(fragment), std::string::npos) << r.error().detail;
}

TEST(ProtocolGatewayConfig, Example) {
    auto r = parse_gateway_config(example(), "/srv/gw/");
    ASSERT_TRUE(r) << r.error().detail;
    const auto& c = *r;
    EXPECT_EQ(c.dir, "/srv/gw");
    EXPECT_EQ(c.member().str(), "MA/GOV/MEN");
    EXPECT_EQ(c.gateway_id(), "MA/GOV/MEN/gw1");
    EXPECT_EQ(c.path("sign.key"), "/srv/gw/sign.key");
    EXPECT_EQ(b64(std::string(reinterpret_cast<const char*>(c.central_public_key.data()), 32)), central_key_b64());
    EXPECT_EQ(c.client_listen, "127.0.0.1:8091");
    EXPECT_EQ(c.conf_refresh_seconds, 30);
    EXPECT_EQ(c.io_threads, 3);
    EXPECT_EQ(c.limits.max_request_bytes, 1000);
    EXPECT_EQ(c.limits.max_response_bytes, 2000);
    EXPECT_EQ(c.limits.connect_timeout_ms, 5000);  // default kept
    EXPECT_EQ(c.log.body_mode, BodyMode::omit);
    EXPECT_EQ(c.log.timestamp_grace_seconds, 120);
    EXPECT_EQ(c.log.timestamp_interval_seconds, 1);
    ASSERT_EQ(c.services.size(), 1u);
    EXPECT_EQ(c.services[0].openapi_file, "/srv/gw/bac-result.openapi.json");
    EXPECT_EQ(c.services[0].backend_url, "http://127.0.0.1:8121/api");
    EXPECT_EQ(c.services[0].timeout_ms, 5000);
    ASSERT_NE(c.service("bac-results", "bac-result"), nullptr);
    EXPECT_EQ(c.service("bac-results", "other"), nullptr);
    EXPECT_EQ(c.service("other", "bac-result"), nullptr);
    ASSERT_EQ(c.access.size(), 2u);
    EXPECT_EQ(c.access[0].path, "/results/*");
    EXPECT_EQ(c.access[1].path, "/**");  // default
    EXPECT_EQ(c.access[1].methods, std::vector<std::string>{"*"});
}

TEST(ProtocolGatewayConfig, RelativeDirBecomesAbsolute) {
    auto r = parse_gateway_config(example(), "some/dir");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->dir.front(), '/');
    EXPECT_EQ(r->dir, (std::filesystem::current_path() / "some/dir").string());
}

TEST(ProtocolGatewayConfig, ErrorsNameTheLine) {
    expect_error(with("io_threads = 3", "io_thread = 3"), 11, "unknown key 'io_thread'");
    expect_error(with("max_response_bytes", "max_respons_bytes"), 14, "unknown key 'limits.max_respons_bytes'");
    expect_error(with("timeout_ms = 5000", "timeout = 5000"), 23, "unknown key 'service.timeout'");
    expect_error(with("path = \"/results/*\"", "paths = \"/results/*\""), 28, "unknown key 'access.paths'");
    expect_error(with("member_code = \"MEN\"", "member_code = \"M EN\""), 3, "member_code");
    expect_error(with("io_threads = 3", "io_threads = 0"), 11, "io_threads");
    expect_error(with("io_threads = 3", "io_threads = \"3\""), 11, "must be an integer");
    expect_error(with("max_request_bytes = 1000", "max_request_bytes = -1"), 13, "max_request_bytes");
    expect_error(with("client_listen = \"127.0.0.1:8091\"", "client_listen = \"127.0.0.1\""), 7, "client_listen");
    expect_error(with("peer_listen = \"127.0.0.1:8101\"", "peer_listen = \"127.0.0.1:70000\""), 8, "peer_listen");
    expect_error(with("http://127.0.0.1:8090", "ftp://127.0.0.1:8090"), 5, "central_url");
    expect_error(with(central_key_b64(), "AAAA"), 6, "central_public_key");
    expect_error(with("body_mode = \"omit\"", "body_mode = \"encrypt\""), 16, "log_public_key");
    expect_error(with("body_mode = \"omit\"", "body_mode = \"zip\""), 16, "body_mode");
    expect_error(with("http://127.0.0.1:8121/api", "127.0.0.1:8121"), 21, "backend_url");
    expect_error(with("http://127.0.0.1:8121/api", "https://127.0.0.1:8121"), 21, "backend_url");
    expect_error(with("http://127.0.0.1:8121/api", "http://127.0.0.1:8121/a?b"), 21, "backend_url");
    expect_error(with("subsystem = \"bac-results\"", "subsystem = \"..\""), 19, "subsystem");
    expect_error(with("code = \"bac-result\"", "code = \"listMethods\""), 18, "metaservice");
    expect_error(with("methods = [\"GET\"]", "methods = [\"get\"]"), 24, "methods");
    expect_error(with("methods = [\"GET\"]", "methods = \"GET\""), 27, "methods");
    expect_error(with("path = \"/results/*\"", "path = \"/**/x\""), 24, "path");
    expect_error(with("subject = \"MA/GOV/UNIV/registration\"", "subject = \"MA/GOV\""), 24, "subject");
    expect_error(with("service = \"bac-result\"", "service = \"birth-record\""), 24, "unknown service 'birth-record'");
    expect_error(with("[[access]]\nsubject", "[[access]]\nsubjec"), 25, "unknown key");
    expect_error(with("instance = \"MA\"\n", ""), 1, "missing key 'instance'");
    expect_error(with("[limits]", "limits = 3\n[limitz]"), 12, "");  // a scalar where a table is needed
    expect_error(with("[[service]]", "[service]"), 18, "[[service]]");
    expect_error(with("timeout_ms = 5000", "timeout_ms = 5000\ntimeout_ms = 6000"), 24, "");  // TOML syntax
    expect_error(example() + "[[service]]\nsubsystem = \"x\"\ncode = \"bac-result\"\nbackend_url = \"http://h:1\"\n", 33,
                 "defined twice");
    expect_error(example() + "[[service]]\nsubsystem = \"x\"\n", 33, "needs");
    // Keys are visited in name order; the first error of the file is still the one reported.
    expect_error("zz_typo = 1\n" + with("io_threads = 3", "io_threads = 0"), 1, "unknown key 'zz_typo'");
    expect_error(with("max_response_bytes = 2000", "max_response_bytes = -5\nbackend_timeout_ms = 0"), 14,
                 "max_response_bytes");
    expect_error("instance = \"MA\"\nx = [\n", 2, "end-of-file");  // TOML syntax: where the array opens
}

TEST(ProtocolGatewayConfig, HostPort) {
    auto a = parse_host_port("127.0.0.1:8090");
    ASSERT_TRUE(a);
    EXPECT_EQ(a->host, "127.0.0.1");
    EXPECT_EQ(a->port, 8090);
    auto b = parse_host_port("[::1]:443");
    ASSERT_TRUE(b);
    EXPECT_EQ(b->host, "::1");
    EXPECT_EQ(b->port, 443);
    auto zero = parse_host_port("localhost:0");  // an ephemeral port to listen on
    ASSERT_TRUE(zero);
    EXPECT_EQ(zero->port, 0);
    for (const char* bad : {"", "host", ":80", "host:", "host:65536", "host:-1", "host:+80", "host:8a", "ho st:80",
                            "[::1]80", "[]:80", "[::1]:", "host:123456", "h/x:80"}) {
        auto r = parse_host_port(bad);
        ASSERT_FALSE(r) << bad;
        EXPECT_EQ(r.error().code, "exchange.bad_address") << bad;
    }
}

TEST(ProtocolGatewayConfig, TomlRoundTrip) {
    auto first = parse_gateway_config(example(), "/srv/gw");
    ASSERT_TRUE(first);
    auto c = *first;
    c.log.body_mode = BodyMode::encrypt;
    c.log.log_public_key_b64 = SigningKey::generate().public_key_b64();
    c.services.push_back(ServiceDef{"records", "birth-record", "http://localhost:9/b\"q", "", 7});
    c.access.push_back(AccessRule{"MA/GOV/UNIV", "birth-record", {"GET", "POST"}, "/births/**"});
    const auto text = to_toml(c);
    auto back = parse_gateway_config(text, "/srv/gw");
    ASSERT_TRUE(back) << back.error().detail << "\n" << text;
    EXPECT_EQ(to_toml(*back), text);
    EXPECT_EQ(back->log.body_mode, BodyMode::encrypt);
    ASSERT_EQ(back->services.size(), 2u);
    EXPECT_EQ(back->services[1].openapi_file, "");
    EXPECT_EQ(back->services[1].backend_url, "http://localhost:9/b\"q");  // escaped and read back
    EXPECT_EQ(back->services[0].openapi_file, "/srv/gw/bac-result.openapi.json");
    EXPECT_EQ(back->access[2].methods, (std::vector<std::string>{"GET", "POST"}));
    EXPECT_EQ(back->central_public_key, c.central_public_key);
    EXPECT_EQ(back->limits.max_header_bytes, c.limits.max_header_bytes);
}

TEST(ProtocolGatewayConfig, LoadFromDirectory) {
    const auto dir = std::filesystem::temp_directory_path() / ("idara-protocol-gw-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    auto missing = load_gateway_config(dir.string());
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, "exchange.bad_gateway_config");
    std::ofstream(dir / "gateway.toml") << example();
    auto r = load_gateway_config(dir.string());
    ASSERT_TRUE(r) << r.error().detail;
    EXPECT_EQ(r->dir, dir.string());
    EXPECT_EQ(r->services[0].openapi_file, (dir / "bac-result.openapi.json").string());
    std::filesystem::remove_all(dir);
}

}  // namespace
