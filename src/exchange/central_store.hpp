// Internal to the central registry (central.cpp, central_store.cpp, central_ca.cpp): the files of a
// central directory, its development CA and TSA, and the SQLite store of facts and requests.
#pragma once

#include "core/error.hpp"
#include "exchange/central.hpp"
#include "exchange/conf.hpp"
#include "storage/db.hpp"
#include "trust/keys.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace idara::exchange::central_detail {

// Paths inside a central directory.
std::string db_path(const std::string& dir);        // central.db
std::string sign_key_path(const std::string& dir);  // central-sign.key
std::string options_path(const std::string& dir);   // central.toml
std::string ca_key_path(const std::string& dir);    // ca/ca.key
std::string ca_cert_path(const std::string& dir);   // ca/ca.crt
std::string tsa_key_path(const std::string& dir);   // tsa/tsa.key
std::string tsa_cert_path(const std::string& dir);  // tsa/tsa.crt

inline constexpr const char* kCaName = "idara exchange development CA";
inline constexpr std::size_t kMaxRegistrationBytes = 64 * 1024;

// Not initialised or a file of the directory is unreadable/malformed (exchange.central_config, 500).
Error config_error(std::string detail);
Error bad_registration(std::string detail);  // exchange.bad_registration (400)

// --- central_ca.cpp ---------------------------------------------------------------------------
// Creates ca/ and tsa/ (keys 0600) when missing; a present pair is kept.
Status ensure_ca_and_tsa(const std::string& dir);
Result<trust::RootCa> load_ca(const std::string& dir);
Result<trust::SigningIdentity> load_tsa(const std::string& dir);
// True when `cert` chains to `ca` (X509_STORE, at time now_ms) and is not itself a CA.
Status check_issued_by(X509* cert, X509* ca, std::int64_t now_ms);
// central.toml: written by init_central, read (unknown keys refused) by load_central_options.
Status write_options(const std::string& dir, const CentralOptions& o);
Status validate_options(const CentralOptions& o);
// Reads a whole small file (refuses over max_bytes).
Result<std::string> read_small_file(const std::string& path, std::size_t max_bytes);
Status write_file_atomic(const std::string& path, std::string_view content, bool secret);
// "host:port" as parse_host_port (gateway_config.hpp) reads it, with the central's stricter hosts (a name not
// starting with '.' or '-', or a bracketed IP literal); port 1-65535, or 0 when allow_port_zero (bind).
bool split_host_port(std::string_view s, std::string& host, std::uint16_t& port, bool allow_port_zero = false);

// --- central.cpp ------------------------------------------------------------------------------
// open_central with the options given instead of central.toml's (`central serve` passes the address
// it actually bound, so the configuration's default TSA URL names it).
Result<std::unique_ptr<Central>> open_central_with(const std::string& dir, const Clock& clock, CentralOptions o);

// --- central_store.cpp ------------------------------------------------------------------------
// The approved facts the configuration is built from.
struct Facts {
    std::int64_t serial = 0;
    std::vector<MemberInfo> members;
    std::vector<GatewayInfo> gateways;
    std::vector<GroupInfo> groups;
};

// Registration requests and approved facts in <dir>/central.db. Thread-safe (the Database is).
class Store {
public:
    // Opens the database, creating the schema when missing (idempotent). `ca_pem` is the certificate
    // every gateway TLS certificate must chain to.
    static Result<std::unique_ptr<Store>> open(const std::string& dir, std::string instance, const std::string& ca_pem);
    ~Store();

    Result<std::int64_t> request(std::string_view kind, std::string_view json, std::int64_t now_ms);
    Result<std::vector<RegistrationRequest>> requests(std::string_view state);
    Status decide(std::int64_t id, bool approve, std::int64_t now_ms);
    Status add_group_member(std::string_view group, const ClientId& c);
    Result<Facts> facts();

private:
    struct Impl;
    explicit Store(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace idara::exchange::central_detail
