#include "config/config.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <functional>
#include <limits>
#include <fstream>
#include <sstream>
#include <variant>

extern char** environ;

namespace idara::config {

namespace {

struct IntField {
    std::function<std::int64_t&(Config&)> ref;
    std::int64_t min, max;
};
struct BoolField {
    std::function<bool&(Config&)> ref;
};
struct StringField {
    std::function<std::string&(Config&)> ref;
    std::vector<std::string> allowed;  // empty: any
};
using Field = std::variant<IntField, BoolField, StringField>;

struct Key {
    std::string section, name;
    Field field;
    std::string path() const { return section + "." + name; }
};

constexpr std::int64_t kMax = std::numeric_limits<std::int32_t>::max();

const std::vector<Key>& keys() {
#define INT(sec, key, lo, hi) Key{#sec, #key, IntField{[](Config& c) -> std::int64_t& { return c.sec.key; }, lo, hi}}
#define BOOL(sec, key) Key{#sec, #key, BoolField{[](Config& c) -> bool& { return c.sec.key; }}}
#define STR(sec, key, ...) Key{#sec, #key, StringField{[](Config& c) -> std::string& { return c.sec.key; }, {__VA_ARGS__}}}
    static const std::vector<Key> k = {
        STR(server, listen),
        INT(server, port, 0, 65535),
        INT(server, io_threads, 1, 64),
        INT(server, worker_threads, 1, 256),
        INT(server, max_body_bytes, 1024, 1LL << 31),
        INT(server, max_header_bytes, 1024, 1 << 20),
        INT(server, read_timeout_ms, 100, kMax),
        INT(server, write_timeout_ms, 100, kMax),
        INT(server, idle_timeout_ms, 100, kMax),
        INT(server, drain_timeout_ms, 0, kMax),
        BOOL(server, access_log),
        STR(server, public_url),
        STR(storage, backend, "sqlite", "postgres"),
        STR(storage, data_dir),
        STR(storage, postgres_dsn),
        INT(storage, pool_size, 1, 1000),
        INT(storage, busy_timeout_ms, 0, kMax),
        BOOL(storage, durable),
        BOOL(security, cookie_secure),
        INT(security, session_idle_minutes, 1, 24 * 60),
        INT(security, session_absolute_hours, 1, 24 * 30),
        INT(security, login_failures_per_login, 1, 1000),
        INT(security, login_failures_per_ip, 1, 100000),
        INT(security, login_window_minutes, 1, 24 * 60),
        STR(security, master_key_file),
        INT(registry, max_files, 0, 100),
        INT(registry, max_file_bytes, 1024, 1LL << 30),
        INT(registry, max_total_bytes, 1024, 1LL << 31),
        STR(mail, smtp_url),
        STR(mail, from),
        STR(mail, user),
        STR(mail, password_file),
        STR(mail, ca_file),
        INT(mail, interval_seconds, 1, 24 * 3600),
        INT(journal, sth_interval_seconds, 10, 7 * 24 * 3600),
        STR(trust, anchors_file),
        BOOL(trust, ocsp),
        STR(trust, tsa_url),
        STR(portal, procedures_dir),
        STR(portal, exchange_client_url),
        STR(portal, exchange_client_id),
        INT(portal, exchange_timeout_ms, 100, 600000),
        STR(log, level, "debug", "info", "warn", "error"),
    };
#undef INT
#undef BOOL
#undef STR
    return k;
}

const Key* find_key(std::string_view path) {
    for (const auto& k : keys())
        if (k.path() == path) return &k;
    return nullptr;
}

[[noreturn]] void fail(const std::string& where, const std::string& what) {
    throw ConfigError(where + ": " + what);
}

void check_int(const Key& k, const IntField& f, std::int64_t v, const std::string& where) {
    if (v < f.min || v > f.max)
        fail(where, "'" + k.path() + "' must be between " + std::to_string(f.min) + " and " + std::to_string(f.max) +
                        ", got " + std::to_string(v));
}

void check_string(const Key& k, const StringField& f, const std::string& v, const std::string& where) {
    if (f.allowed.empty() || std::find(f.allowed.begin(), f.allowed.end(), v) != f.allowed.end()) return;
    std::string list;
    for (const auto& a : f.allowed) list += (list.empty() ? "" : ", ") + a;
    fail(where, "'" + k.path() + "' must be one of " + list + ", got '" + v + "'");
}

// Sets a key from a textual value (environment or flag).
void set_from_text(Config& c, const Key& k, const std::string& text, const std::string& where) {
    std::visit(
        [&](const auto& f) {
            using F = std::decay_t<decltype(f)>;
            if constexpr (std::is_same_v<F, IntField>) {
                std::int64_t v = 0;
                auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
                if (ec != std::errc{} || p != text.data() + text.size() || text.empty())
                    fail(where, "'" + k.path() + "' must be an integer, got '" + text + "'");
                check_int(k, f, v, where);
                f.ref(c) = v;
            } else if constexpr (std::is_same_v<F, BoolField>) {
                if (text == "true" || text == "1") f.ref(c) = true;
                else if (text == "false" || text == "0") f.ref(c) = false;
                else fail(where, "'" + k.path() + "' must be true or false, got '" + text + "'");
            } else {
                check_string(k, f, text, where);
                f.ref(c) = text;
            }
        },
        k.field);
}

// Sets a key from a TOML node.
void set_from_node(Config& c, const Key& k, const toml::node& n, const std::string& where) {
    std::visit(
        [&](const auto& f) {
            using F = std::decay_t<decltype(f)>;
            if constexpr (std::is_same_v<F, IntField>) {
                auto v = n.value_exact<std::int64_t>();
                if (!v) fail(where, "'" + k.path() + "' must be an integer");
                check_int(k, f, *v, where);
                f.ref(c) = *v;
            } else if constexpr (std::is_same_v<F, BoolField>) {
                auto v = n.value_exact<bool>();
                if (!v) fail(where, "'" + k.path() + "' must be true or false");
                f.ref(c) = *v;
            } else {
                auto v = n.value_exact<std::string>();
                if (!v) fail(where, "'" + k.path() + "' must be a string");
                check_string(k, f, *v, where);
                f.ref(c) = *v;
            }
        },
        k.field);
}

std::string env_name(const Key& k) {
    std::string s = "IDARA_" + k.section + "_" + k.name;
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char ch) { return static_cast<char>(std::toupper(ch)); });
    return s;
}

}  // namespace

Config parse_toml(std::string_view text, Config base) {
    toml::table root;
    try {
        root = toml::parse(text);
    } catch (const toml::parse_error& e) {
        std::ostringstream where;
        where << "line " << e.source().begin.line << ", column " << e.source().begin.column;
        fail(where.str(), std::string(e.description()));
    }
    for (const auto& [section, node] : root) {
        const auto* table = node.as_table();
        if (table == nullptr) fail("config", "'" + std::string(section.str()) + "' must be a [section]");
        for (const auto& [name, value] : *table) {
            const std::string path = std::string(section.str()) + "." + std::string(name.str());
            const Key* k = find_key(path);
            const auto line = value.source().begin.line;
            const std::string where = "line " + std::to_string(line);
            if (k == nullptr) fail(where, "unknown key '" + path + "'");
            set_from_node(base, *k, value, where);
        }
    }
    return base;
}

Config load(const Sources& s) {
    Config c;
    if (s.file) {
        std::ifstream in(*s.file);
        if (!in) throw ConfigError(*s.file + ": cannot be read");
        std::stringstream ss;
        ss << in.rdbuf();
        try {
            c = parse_toml(ss.str(), c);
        } catch (const ConfigError& e) {
            throw ConfigError(*s.file + ", " + e.what());
        }
    }
    for (const auto& k : keys()) {
        const std::string name = env_name(k);
        if (auto it = s.env.find(name); it != s.env.end()) set_from_text(c, k, it->second, "environment " + name);
    }
    for (const auto& kv : s.env) {
        if (kv.first.rfind("IDARA_", 0) != 0) continue;
        bool known = false;
        for (const auto& k : keys()) known |= env_name(k) == kv.first;
        // IDARA_* variables that are not settings (e.g. IDARA_RESOURCES_DIR) are allowed;
        // only those that look like a section of ours are checked.
        for (const char* sec : {"IDARA_SERVER_", "IDARA_STORAGE_", "IDARA_SECURITY_", "IDARA_LOG_"})
            if (!known && kv.first.rfind(sec, 0) == 0) fail("environment " + kv.first, "unknown setting");
    }
    for (const auto& set : s.sets) {
        auto eq = set.find('=');
        if (eq == std::string::npos) fail("--set " + set, "expected section.key=value");
        const Key* k = find_key(set.substr(0, eq));
        if (k == nullptr) fail("--set " + set, "unknown key '" + set.substr(0, eq) + "'");
        set_from_text(c, *k, set.substr(eq + 1), "--set " + set);
    }
    if (c.storage.backend == "postgres" && c.storage.postgres_dsn.empty())
        fail("config", "'storage.postgres_dsn' is required when 'storage.backend' is postgres");
    if (c.storage.data_dir.empty()) fail("config", "'storage.data_dir' must not be empty");
    return c;
}

std::map<std::string, std::string> process_env() {
    std::map<std::string, std::string> m;
    for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
        std::string_view kv(*e);
        auto eq = kv.find('=');
        if (eq != std::string_view::npos) m.emplace(std::string(kv.substr(0, eq)), std::string(kv.substr(eq + 1)));
    }
    return m;
}

std::vector<std::string> known_keys() {
    std::vector<std::string> out;
    for (const auto& k : keys()) out.push_back(k.path());
    return out;
}

}  // namespace idara::config
