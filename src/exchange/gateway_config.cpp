#include "exchange/gateway_config.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>

namespace idara::exchange {

namespace {

constexpr std::size_t kMaxTomlBytes = 1024 * 1024;
constexpr std::int64_t kHour = 3600 * 1000;

// Thrown inside the parser only; turned into exchange.bad_gateway_config at its boundary.
struct Bad {
    std::int64_t line;
    std::string detail;
};

[[noreturn]] void fail(std::int64_t line, const std::string& why) {
    throw Bad{line, "line " + std::to_string(line) + ": " + why};
}

// toml++ visits keys in name order; an operator expects the first error of the file, so each key is
// read on its own and the error with the lowest line is the one reported.
template <class F>
void for_each_key(const toml::table& t, F f) {
    std::optional<Bad> first;
    for (const auto& [k, v] : t) {
        try {
            f(k.str(), v);
        } catch (Bad& b) {
            if (!first || b.line < first->line) first = std::move(b);
        }
    }
    if (first) throw *first;
}

std::int64_t line_of(const toml::node& n) { return static_cast<std::int64_t>(n.source().begin.line); }

std::string get_string(const toml::node& n, std::string_view key) {
    auto v = n.value_exact<std::string>();
    if (!v) fail(line_of(n), "'" + std::string(key) + "' must be a string");
    if (v->size() > 4096) fail(line_of(n), "'" + std::string(key) + "' is too long");
    return *v;
}

std::int64_t get_int(const toml::node& n, std::string_view key, std::int64_t lo, std::int64_t hi) {
    auto v = n.value_exact<std::int64_t>();
    if (!v) fail(line_of(n), "'" + std::string(key) + "' must be an integer");
    if (*v < lo || *v > hi)
        fail(line_of(n), "'" + std::string(key) + "' must be between " + std::to_string(lo) + " and " + std::to_string(hi));
    return *v;
}

std::string get_part(const toml::node& n, std::string_view key) {
    auto s = get_string(n, key);
    if (!valid_part(s)) fail(line_of(n), "'" + std::string(key) + "' must be 1-64 characters of [A-Za-z0-9._-]");
    return s;
}

std::string get_address(const toml::node& n, std::string_view key) {
    auto s = get_string(n, key);
    if (auto hp = parse_host_port(s); !hp) fail(line_of(n), "'" + std::string(key) + "': " + hp.error().detail);
    return s;
}

// "http://host:port[/path]" (and https when `https_ok`).
bool valid_http_url(std::string_view url, bool https_ok) {
    std::string_view rest;
    if (url.rfind("http://", 0) == 0) rest = url.substr(7);
    else if (https_ok && url.rfind("https://", 0) == 0) rest = url.substr(8);
    else return false;
    const auto slash = rest.find('/');
    auto hp = parse_host_port(rest.substr(0, slash));
    if (!hp || hp->port == 0) return false;
    if (slash == std::string_view::npos) return true;
    const auto path = rest.substr(slash);
    return std::all_of(path.begin(), path.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u > 0x20 && u < 0x7f && c != '?' && c != '#' && c != '\\';
    });
}

const toml::table& as_table(const toml::node& n, std::string_view key) {
    const auto* t = n.as_table();
    if (t == nullptr) fail(line_of(n), "'" + std::string(key) + "' must be a table");
    return *t;
}

// Calls `f` on each array-of-tables entry under `key`.
template <class F>
void each_table(const toml::node& n, std::string_view key, F f) {
    const auto* a = n.as_array();
    if (a == nullptr) fail(line_of(n), "'" + std::string(key) + "' must be written [[" + std::string(key) + "]]");
    for (const auto& e : *a) f(as_table(e, key));
}

std::string resolve(const std::string& dir, const std::string& file) {
    if (file.empty() || file.front() == '/') return file;
    return dir + "/" + file;
}

void read_limits(const toml::table& t, Limits& l) {
    for_each_key(t, [&](std::string_view key, const toml::node& v) {
        if (key == "max_request_bytes") l.max_request_bytes = get_int(v, key, 1, 1LL << 31);
        else if (key == "max_response_bytes") l.max_response_bytes = get_int(v, key, 1, 1LL << 31);
        else if (key == "connect_timeout_ms") l.connect_timeout_ms = get_int(v, key, 1, kHour);
        else if (key == "backend_timeout_ms") l.backend_timeout_ms = get_int(v, key, 1, kHour);
        else if (key == "max_header_bytes") l.max_header_bytes = get_int(v, key, 1024, 1 << 20);
        else fail(line_of(v), "unknown key 'limits." + std::string(key) + "'");
    });
}

void read_log(const toml::table& t, LogOptions& l) {
    std::int64_t mode_line = line_of(t);
    for_each_key(t, [&](std::string_view key, const toml::node& v) {
        if (key == "body_mode") {
            const auto m = get_string(v, key);
            mode_line = line_of(v);
            if (m == "keep") l.body_mode = BodyMode::keep;
            else if (m == "omit") l.body_mode = BodyMode::omit;
            else if (m == "encrypt") l.body_mode = BodyMode::encrypt;
            else fail(line_of(v), "'body_mode' must be keep, omit or encrypt");
        } else if (key == "log_public_key") {
            l.log_public_key_b64 = get_string(v, key);
            if (!l.log_public_key_b64.empty() && !parse_public_key_b64(l.log_public_key_b64))
                fail(line_of(v), "'log_public_key' must be a base64 32-byte X25519 key");
        } else if (key == "timestamp_interval_seconds") {
            l.timestamp_interval_seconds = get_int(v, key, 1, 3600);
        } else if (key == "timestamp_grace_seconds") {
            l.timestamp_grace_seconds = get_int(v, key, 1, 7 * 24 * 3600);
        } else {
            fail(line_of(v), "unknown key 'log." + std::string(key) + "'");
        }
    });
    if (l.body_mode == BodyMode::encrypt && l.log_public_key_b64.empty())
        fail(mode_line, "body_mode = \"encrypt\" needs 'log_public_key'");
}

ServiceDef read_service(const toml::table& t, const std::string& dir) {
    ServiceDef s;
    bool have_sub = false, have_code = false, have_url = false;
    for_each_key(t, [&](std::string_view key, const toml::node& v) {
        if (key == "subsystem") s.subsystem = get_part(v, key), have_sub = true;
        else if (key == "code") s.code = get_part(v, key), have_code = true;
        else if (key == "backend_url") {
            s.backend_url = get_string(v, key);
            if (!valid_http_url(s.backend_url, false)) fail(line_of(v), "'backend_url' must be http://host:port[/path]");
            have_url = true;
        } else if (key == "openapi_file") s.openapi_file = resolve(dir, get_string(v, key));
        else if (key == "timeout_ms") s.timeout_ms = get_int(v, key, 1, kHour);
        else fail(line_of(v), "unknown key 'service." + std::string(key) + "'");
    });
    if (!have_sub || !have_code || !have_url)
        fail(line_of(t), "[[service]] needs 'subsystem', 'code' and 'backend_url'");
    if (is_metaservice(s.code)) fail(line_of(t), "'" + s.code + "' is a metaservice name");
    return s;
}

AccessRule read_access(const toml::table& t) {
    AccessRule r;
    bool have_subject = false, have_service = false, have_methods = false;
    for_each_key(t, [&](std::string_view key, const toml::node& v) {
        if (key == "subject") r.subject = get_string(v, key), have_subject = true;
        else if (key == "service") r.service_code = get_string(v, key), have_service = true;
        else if (key == "path") r.path = get_string(v, key);
        else if (key == "methods") {
            const auto* a = v.as_array();
            if (a == nullptr) fail(line_of(v), "'methods' must be an array of strings");
            for (const auto& m : *a) r.methods.push_back(get_string(m, "methods"));
            have_methods = true;
        } else fail(line_of(v), "unknown key 'access." + std::string(key) + "'");
    });
    if (!have_subject || !have_service || !have_methods)
        fail(line_of(t), "[[access]] needs 'subject', 'service' and 'methods'");
    if (auto s = validate(r); !s) fail(line_of(t), s.error().detail);
    return r;
}

std::string absolute_dir(const std::string& dir) {
    std::error_code ec;
    auto p = std::filesystem::absolute(dir.empty() ? std::filesystem::path(".") : std::filesystem::path(dir), ec);
    if (ec) return dir;
    std::string s = p.lexically_normal().string();
    while (s.size() > 1 && s.back() == '/') s.pop_back();
    return s;
}

void read_root(const toml::table& root, GatewayConfig& c) {
    std::set<std::string> seen;
    bool have_key = false;
    for_each_key(root, [&](std::string_view key, const toml::node& v) {
        seen.insert(std::string(key));
        if (key == "instance") c.instance = get_part(v, key);
        else if (key == "member_class") c.member_class = get_part(v, key);
        else if (key == "member_code") c.member_code = get_part(v, key);
        else if (key == "gateway_code") c.gateway_code = get_part(v, key);
        else if (key == "central_url") {
            c.central_url = get_string(v, key);
            if (!valid_http_url(c.central_url, true)) fail(line_of(v), "'central_url' must be http(s)://host:port");
        } else if (key == "central_public_key") {
            auto pk = parse_public_key_b64(get_string(v, key));
            if (!pk) fail(line_of(v), "'central_public_key' must be a base64 Ed25519 public key");
            c.central_public_key = *pk;
            have_key = true;
        } else if (key == "client_listen") c.client_listen = get_address(v, key);
        else if (key == "peer_listen") c.peer_listen = get_address(v, key);
        else if (key == "admin_listen") c.admin_listen = get_address(v, key);
        else if (key == "conf_refresh_seconds") c.conf_refresh_seconds = get_int(v, key, 1, 24 * 3600);
        else if (key == "io_threads") c.io_threads = static_cast<int>(get_int(v, key, 1, 64));
        else if (key == "limits") read_limits(as_table(v, key), c.limits);
        else if (key == "log") read_log(as_table(v, key), c.log);
        else if (key == "service") each_table(v, key, [&](const toml::table& t) { c.services.push_back(read_service(t, c.dir)); });
        else if (key == "access") each_table(v, key, [&](const toml::table& t) { c.access.push_back(read_access(t)); });
        else fail(line_of(v), "unknown key '" + std::string(key) + "'");
    });
    for (const char* required : {"instance", "member_class", "member_code", "gateway_code", "central_url"})
        if (!seen.count(required)) fail(1, std::string("missing key '") + required + "'");
    if (!have_key) fail(1, "missing key 'central_public_key'");
}

void cross_check(const toml::table& root, const GatewayConfig& c) {
    std::set<std::string> codes;
    for (std::size_t i = 0; i < c.services.size(); ++i)
        if (!codes.insert(c.services[i].code).second) {
            const auto* t = root["service"][i].as_table();
            fail(t ? line_of(*t) : 1, "service code '" + c.services[i].code + "' defined twice");
        }
    for (std::size_t i = 0; i < c.access.size(); ++i)
        if (!codes.count(c.access[i].service_code)) {
            const auto* t = root["access"][i].as_table();
            fail(t ? line_of(*t) : 1, "access rule names unknown service '" + c.access[i].service_code + "'");
        }
}

}  // namespace

MemberId GatewayConfig::member() const { return MemberId{instance, member_class, member_code}; }

std::string GatewayConfig::gateway_id() const { return member().str() + "/" + gateway_code; }

std::string GatewayConfig::path(std::string_view file) const { return dir + "/" + std::string(file); }

const ServiceDef* GatewayConfig::service(std::string_view subsystem, std::string_view code) const {
    for (const auto& s : services)
        if (s.subsystem == subsystem && s.code == code) return &s;
    return nullptr;
}

Result<GatewayConfig> parse_gateway_config(std::string_view toml_text, const std::string& dir) {
    auto bad = [](std::string d) { return Error{"exchange.bad_gateway_config", 400, std::move(d)}; };
    if (toml_text.size() > kMaxTomlBytes) return bad("line 1: gateway.toml larger than 1 MiB");
    GatewayConfig c;
    c.dir = absolute_dir(dir);
    try {
        toml::table root = toml::parse(toml_text);
        read_root(root, c);
        cross_check(root, c);
    } catch (const toml::parse_error& e) {
        return bad("line " + std::to_string(e.source().begin.line) + ": " + std::string(e.description()));
    } catch (const Bad& b) {
        return bad(b.detail);
    }
    return c;
}

Result<GatewayConfig> load_gateway_config(const std::string& dir) {
    const std::string file = absolute_dir(dir) + "/gateway.toml";
    std::ifstream in(file, std::ios::binary);
    if (!in) return Error{"exchange.bad_gateway_config", 400, file + ": cannot be read"};
    std::string text(kMaxTomlBytes + 1, '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<std::size_t>(in.gcount()));
    return parse_gateway_config(text, dir);
}

std::string to_toml(const GatewayConfig& c) {
    toml::table root;
    root.insert("instance", c.instance);
    root.insert("member_class", c.member_class);
    root.insert("member_code", c.member_code);
    root.insert("gateway_code", c.gateway_code);
    root.insert("central_url", c.central_url);
    root.insert("central_public_key",
                b64(std::string_view(reinterpret_cast<const char*>(c.central_public_key.data()), c.central_public_key.size())));
    root.insert("client_listen", c.client_listen);
    root.insert("peer_listen", c.peer_listen);
    root.insert("admin_listen", c.admin_listen);
    root.insert("conf_refresh_seconds", c.conf_refresh_seconds);
    root.insert("io_threads", static_cast<std::int64_t>(c.io_threads));
    root.insert("limits", toml::table{{"max_request_bytes", c.limits.max_request_bytes},
                                      {"max_response_bytes", c.limits.max_response_bytes},
                                      {"connect_timeout_ms", c.limits.connect_timeout_ms},
                                      {"backend_timeout_ms", c.limits.backend_timeout_ms},
                                      {"max_header_bytes", c.limits.max_header_bytes}});
    const char* mode = c.log.body_mode == BodyMode::keep ? "keep" : c.log.body_mode == BodyMode::omit ? "omit" : "encrypt";
    root.insert("log", toml::table{{"body_mode", mode},
                                   {"log_public_key", c.log.log_public_key_b64},
                                   {"timestamp_interval_seconds", c.log.timestamp_interval_seconds},
                                   {"timestamp_grace_seconds", c.log.timestamp_grace_seconds}});
    toml::array services;
    for (const auto& s : c.services)
        services.push_back(toml::table{{"subsystem", s.subsystem},
                                       {"code", s.code},
                                       {"backend_url", s.backend_url},
                                       {"openapi_file", s.openapi_file},
                                       {"timeout_ms", s.timeout_ms}});
    if (!services.empty()) root.insert("service", std::move(services));
    toml::array access;
    for (const auto& r : c.access) {
        toml::array methods;
        for (const auto& m : r.methods) methods.push_back(m);
        access.push_back(toml::table{{"subject", r.subject},
                                     {"service", r.service_code},
                                     {"methods", std::move(methods)},
                                     {"path", r.path}});
    }
    if (!access.empty()) root.insert("access", std::move(access));
    std::ostringstream out;
    out << "# gateway.toml of " << c.gateway_id() << " (see src/exchange/gateway_config.hpp)\n" << root << "\n";
    return out.str();
}

Result<HostPort> parse_host_port(std::string_view s) {
    auto bad = [&](std::string why) { return Error{"exchange.bad_address", 400, std::move(why)}; };
    if (s.empty() || s.size() > 300) return bad("an address is host:port");
    HostPort hp;
    std::string_view port;
    if (s.front() == '[') {
        const auto close = s.find(']');
        if (close == std::string_view::npos || close + 1 >= s.size() || s[close + 1] != ':')
            return bad("an IPv6 address is [addr]:port");
        const auto host = s.substr(1, close - 1);
        if (host.empty() || !std::all_of(host.begin(), host.end(), [](char c) {
                return std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.';
            }))
            return bad("invalid IPv6 address");
        hp.host = std::string(host);
        port = s.substr(close + 2);
    } else {
        const auto colon = s.rfind(':');
        if (colon == std::string_view::npos || colon == 0) return bad("an address is host:port");
        const auto host = s.substr(0, colon);
        if (host.size() > 253 || !std::all_of(host.begin(), host.end(), [](char c) {
                return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-';
            }))
            return bad("invalid host name");
        hp.host = std::string(host);
        port = s.substr(colon + 1);
    }
    unsigned value = 0;
    if (port.empty() || port.size() > 5) return bad("invalid port");
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc{} || end != port.data() + port.size() || value > 65535) return bad("invalid port");
    hp.port = static_cast<std::uint16_t>(value);
    return hp;
}

}  // namespace idara::exchange
