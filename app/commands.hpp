// The subcommands of the idara binary. Each returns the process exit code:
// 0 success, 1 operation failed, 2 bad configuration or usage.
#pragma once

#include "options.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace idara::app {

struct ServeOptions {
    std::optional<std::int64_t> port;
    std::optional<std::string> listen;
    std::optional<std::string> port_file;  // written with the bound port once listening
    bool with_exchange = false;            // also run `idara exchange up --dir <data-dir>/exchange`
    std::int64_t exchange_base_port = 8090;
};
int cmd_serve(const GlobalOptions& g, const ServeOptions& o);

// `idara exchange up` run beside `serve --with-exchange` (cmd_exchange_demo.cpp). The destructor
// stops it (SIGTERM, then waits; SIGKILL after 30 s); it also gets SIGTERM if serve dies.
class ExchangeUpChild {
public:
    explicit ExchangeUpChild(int pid) : pid_(pid) {}
    ~ExchangeUpChild();
    ExchangeUpChild(const ExchangeUpChild&) = delete;
    ExchangeUpChild& operator=(const ExchangeUpChild&) = delete;

private:
    int pid_;
};
// Starts `idara exchange up --dir DIR --base-port B`; nullptr when it cannot fork.
std::unique_ptr<ExchangeUpChild> start_exchange_up(const std::string& dir, std::int64_t base_port);

struct InitOptions {
    bool demo = false;
};
int cmd_init(const GlobalOptions& g, const InitOptions& o);

struct MigrateOptions {
    bool status_only = false;
};
int cmd_migrate(const GlobalOptions& g, const MigrateOptions& o);

struct UserAddOptions {
    std::string kind = "citizen";
    std::string login;
    std::string name;
    std::optional<std::string> administration;  // code, for staff
    std::optional<std::string> role;            // for staff
    std::optional<std::string> unit;            // unit code, for staff
    std::optional<std::string> national_id;
    std::optional<std::string> company;
    std::string lang = "ar";
};
int cmd_user_add(const GlobalOptions& g, const UserAddOptions& o);
int cmd_user_list(const GlobalOptions& g, const std::optional<std::string>& administration);

struct TokenCreateOptions {
    std::string login;
    std::string name;
    std::int64_t ttl_days = 90;
};
int cmd_token_create(const GlobalOptions& g, const TokenCreateOptions& o);

struct AdminAddOptions {
    std::string code, name_ar, name_fr;
    std::string contact_email;
};
int cmd_admin_add(const GlobalOptions& g, const AdminAddOptions& o);
int cmd_admin_list(const GlobalOptions& g);

struct UnitAddOptions {
    std::string administration, code, name_ar, name_fr;
    std::optional<std::string> parent;  // parent unit code
};
int cmd_unit_add(const GlobalOptions& g, const UnitAddOptions& o);
int cmd_unit_list(const GlobalOptions& g, const std::string& administration);

struct TypeSetOptions {
    std::string administration, code, name_ar, name_fr;
    std::int64_t deadline_days = 60;
    bool working_days = false;
    bool silence_is_approval = false;
};
// The deposit types an administration accepts (its own, over the platform defaults).
int cmd_type_set(const GlobalOptions& g, const TypeSetOptions& o);
int cmd_type_list(const GlobalOptions& g, const std::string& administration);

struct VerifyOptions {
    std::string file;                     // receipt PDF
    std::string payload;                  // or a QR payload / verification URL
    std::optional<std::string> keys_file; // offline: a copy of /.well-known/idara-keys.json
    std::string lang = "fr";              // language of the explanations
    std::optional<std::string> detached;  // a detached CAdES signature (.p7s) of `file`
    bool json = false;                    // JSON report (the API's shape) instead of text
};
int cmd_verify(const GlobalOptions& g, const VerifyOptions& o);

// `idara pki list|import|revoke|crl|issue-dev` (cmd_pki.cpp).
template <class Cli> void add_pki_commands(Cli& app, GlobalOptions& g, int& rc);
// `idara holidays list|adjust|clear` added to the command line (Cli = CLI::App; cmd_holidays.cpp).
template <class Cli> void add_holidays_commands(Cli& app, GlobalOptions& g, int& rc);
// idara procedures check/load/list (cmd_procedures.cpp).
template <class Cli> void add_procedures_commands(Cli& app, GlobalOptions& g, int& rc);
// `idara audit verify|sth`: the tamper-evident journal (cmd_audit.cpp).
template <class Cli> void add_audit_commands(Cli& app, GlobalOptions& g, int& rc);
// `idara exchange central|gateway|log|demo-setup|up|demo-backend` (cmd_exchange*.cpp).
template <class Cli> void add_exchange_commands(Cli& app, GlobalOptions& g, int& rc);

}  // namespace idara::app
