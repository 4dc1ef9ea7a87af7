// idara's configuration: a TOML file, overridden by environment variables,
// overridden by command-line settings.
//
//   [server] port = 8080           ← file
//   IDARA_SERVER_PORT=9090         ← environment (IDARA_<SECTION>_<KEY>, upper case)
//   --set server.port=9191         ← flag (and shortcuts such as --port)
//
// Every key is known in advance: an unknown key, a value of the wrong type or
// out of range is refused with a message that names the key (the CLI exits
// with code 2). See config/idara.example.toml for every key and its default.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace idara::config {

struct Config {
    struct Server {
        std::string listen = "127.0.0.1";
        std::int64_t port = 8080;
        std::int64_t io_threads = 1;
        std::int64_t worker_threads = 4;
        std::int64_t max_body_bytes = 10 * 1024 * 1024;
        std::int64_t max_header_bytes = 16 * 1024;
        std::int64_t read_timeout_ms = 15000;
        std::int64_t write_timeout_ms = 15000;
        std::int64_t idle_timeout_ms = 30000;
        std::int64_t drain_timeout_ms = 10000;
        bool access_log = true;
        std::string public_url = "http://127.0.0.1:8080";  // how citizens reach idara (QR codes link here)
    } server;
    struct Storage {
        std::string backend = "sqlite";   // "sqlite" or "postgres"
        std::string data_dir = "./var";   // SQLite database, blobs, keys
        std::string postgres_dsn;         // libpq connection string (backend = postgres)
        std::int64_t pool_size = 8;
        std::int64_t busy_timeout_ms = 5000;
        bool durable = true;              // SQLite synchronous=FULL
    } storage;
    struct Security {
        bool cookie_secure = true;
        std::int64_t session_idle_minutes = 30;
        std::int64_t session_absolute_hours = 12;
        std::int64_t login_failures_per_login = 5;
        std::int64_t login_failures_per_ip = 20;
        std::int64_t login_window_minutes = 15;
        std::string master_key_file;      // key that encrypts private keys at rest; "" = <data_dir>/keys/master.key
    } security;
    struct Registry {
        std::int64_t max_files = 10;                       // attachments per deposit
        std::int64_t max_file_bytes = 5 * 1024 * 1024;     // per attachment
        std::int64_t max_total_bytes = 9 * 1024 * 1024;    // all attachments of a deposit (≤ server.max_body_bytes)
    } registry;
    struct Mail {
        std::string smtp_url;             // "" = no e-mail; "smtp://host:587" (STARTTLS required) or "smtps://host:465"
        std::string from;                 // sender address of outgoing letters
        std::string user;                 // SMTP AUTH user ("" = none)
        std::string password_file;        // file holding the SMTP password (never the password in the config)
        std::string ca_file;              // PEM CAs that sign the SMTP server's certificate ("" = system store)
        std::int64_t interval_seconds = 30;  // how often the outbox is sent
    } mail;
    struct Journal {
        std::int64_t sth_interval_seconds = 300;  // how often `idara serve` signs a tree head of the journal
    } journal;
    struct Trust {
        std::string anchors_file;         // extra PEM trust anchors (besides the development root); "" = none
        bool ocsp = false;                // also ask a certificate's OCSP responder (AIA) before use and when validating
        std::string tsa_url;              // external RFC 3161 time-stamping authority; "" = the built-in one
    } trust;
    struct Portal {
        std::string procedures_dir;       // extra procedure files loaded at start ("" = only the shipped packs)
        std::string exchange_client_url;  // the platform's exchange gateway client port ("" = no once-only data)
        std::string exchange_client_id = "MA/GOV/UNIV/registration";  // X-Road client the portal calls as
        std::int64_t exchange_timeout_ms = 10000;
    } portal;
    struct Log {
        std::string level = "info";       // debug, info, warn, error
    } log;
};

// A configuration error; what() names the key and the problem.
class ConfigError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct Sources {
    std::optional<std::string> file;                 // TOML file path (must exist when given)
    std::map<std::string, std::string> env;          // environment (only IDARA_* entries matter)
    std::vector<std::string> sets;                   // "section.key=value" from flags, applied last
};

// Builds the configuration. Throws ConfigError.
Config load(const Sources& s);
// Parses TOML text (for tests and the fuzzer). Throws ConfigError.
Config parse_toml(std::string_view text, Config base = {});
// The current process environment as a map.
std::map<std::string, std::string> process_env();
// Every key as "section.key", in file order (for docs and tests).
std::vector<std::string> known_keys();

}  // namespace idara::config
