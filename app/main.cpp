// idara: one binary, several subcommands. This file only declares the command
// line; each subcommand lives in its own cmd_*.cpp.
#include "commands.hpp"
#include "cli_common.hpp"
#include "config/config.hpp"

#include <CLI/CLI.hpp>

#include <iostream>

using namespace idara::app;

int main(int argc, char** argv) {
    CLI::App app{"idara — digital administration platform: registry office, correspondence window, "
                 "e-parapheur, data exchange and unified portal"};
    app.require_subcommand(1);
    app.set_version_flag("--version", "idara 0.1.0");
    GlobalOptions g;
    int rc = 0;

    auto* serve = app.add_subcommand("serve", "Serve the web portal and the JSON API");
    add_global(*serve, g);
    ServeOptions so;
    serve->add_option("--port", so.port, "TCP port (0: any free port)")->check(CLI::Range(0, 65535));
    serve->add_option("--listen", so.listen, "Address to bind (default 127.0.0.1)");
    serve->add_option("--port-file", so.port_file, "Write the bound port to this file once listening");
    serve->add_flag("--with-exchange", so.with_exchange, "Also run the data-exchange demo (idara exchange up --dir <data-dir>/exchange)");
    serve->add_option("--exchange-base-port", so.exchange_base_port, "Base port of the exchange demo (default 8090)")
        ->check(CLI::Range(1, 65535 - 32));
    serve->callback([&] { rc = cmd_serve(g, so); });

    auto* init = app.add_subcommand("init", "Create the data directory and database (optionally with demo data)");
    add_global(*init, g);
    InitOptions io;
    init->add_flag("--demo", io.demo, "Add demo administrations, units and accounts, and print their logins");
    init->callback([&] { rc = cmd_init(g, io); });

    auto* migrate = app.add_subcommand("migrate", "Apply pending database migrations");
    add_global(*migrate, g);
    MigrateOptions mo;
    migrate->add_flag("--status", mo.status_only, "Only print the schema version of the database and of this binary");
    migrate->callback([&] { rc = cmd_migrate(g, mo); });

    auto* user = app.add_subcommand("user", "Manage accounts");
    user->require_subcommand(1);
    auto* user_add = user->add_subcommand("add", "Create an account; the password is read from standard input");
    add_global(*user_add, g);
    UserAddOptions ua;
    user_add->add_option("--kind", ua.kind, "citizen, company, staff or operator")
        ->check(CLI::IsMember({"citizen", "company", "staff", "operator"}));
    user_add->add_option("--login", ua.login, "E-mail or user name")->required();
    user_add->add_option("--name", ua.name, "Display name")->required();
    user_add->add_option("--admin", ua.administration, "Administration code (staff)");
    user_add->add_option("--role", ua.role, "agent, registry_clerk, unit_head, signer or admin (staff)")
        ->check(CLI::IsMember({"agent", "registry_clerk", "unit_head", "signer", "admin"}));
    user_add->add_option("--unit", ua.unit, "Unit code inside the administration (staff)");
    user_add->add_option("--national-id", ua.national_id, "National identity card number (CNIE)");
    user_add->add_option("--company", ua.company, "Company name (company representatives)");
    user_add->add_option("--lang", ua.lang, "Preferred language: ar or fr")->check(CLI::IsMember({"ar", "fr"}));
    user_add->callback([&] { rc = cmd_user_add(g, ua); });
    auto* user_list = user->add_subcommand("list", "List accounts");
    add_global(*user_list, g);
    std::optional<std::string> list_admin;
    user_list->add_option("--admin", list_admin, "Only the staff of this administration");
    user_list->callback([&] { rc = cmd_user_list(g, list_admin); });

    auto* token = app.add_subcommand("token", "Manage API tokens");
    token->require_subcommand(1);
    auto* token_create = token->add_subcommand("create", "Create a bearer API token (printed once)");
    add_global(*token_create, g);
    TokenCreateOptions tc;
    token_create->add_option("--login", tc.login, "Account the token acts for")->required();
    token_create->add_option("--name", tc.name, "What the token is for")->required();
    token_create->add_option("--ttl-days", tc.ttl_days, "Days until it expires")->check(CLI::Range(1, 3650));
    token_create->callback([&] { rc = cmd_token_create(g, tc); });

    auto* admin = app.add_subcommand("admin", "Manage administrations (tenants) and their units");
    admin->require_subcommand(1);
    auto* admin_add = admin->add_subcommand("add", "Register an administration");
    add_global(*admin_add, g);
    AdminAddOptions aa;
    admin_add->add_option("--code", aa.code, "Short code used in register numbers, e.g. MEF")->required();
    admin_add->add_option("--name-ar", aa.name_ar, "Name in Arabic")->required();
    admin_add->add_option("--name-fr", aa.name_fr, "Name in French")->required();
    admin_add->add_option("--contact-email", aa.contact_email, "Contact e-mail shown on receipts");
    admin_add->callback([&] { rc = cmd_admin_add(g, aa); });
    auto* admin_list = admin->add_subcommand("list", "List administrations");
    add_global(*admin_list, g);
    admin_list->callback([&] { rc = cmd_admin_list(g); });
    auto* unit_add = admin->add_subcommand("unit-add", "Add a unit to an administration");
    add_global(*unit_add, g);
    UnitAddOptions ud;
    unit_add->add_option("--admin", ud.administration, "Administration code")->required();
    unit_add->add_option("--code", ud.code, "Unit code")->required();
    unit_add->add_option("--name-ar", ud.name_ar, "Name in Arabic")->required();
    unit_add->add_option("--name-fr", ud.name_fr, "Name in French")->required();
    unit_add->add_option("--parent", ud.parent, "Parent unit code");
    unit_add->callback([&] { rc = cmd_unit_add(g, ud); });
    auto* unit_list = admin->add_subcommand("units", "List the units of an administration");
    add_global(*unit_list, g);
    std::string units_admin;
    unit_list->add_option("--admin", units_admin, "Administration code")->required();
    unit_list->callback([&] { rc = cmd_unit_list(g, units_admin); });

    auto* type_set = admin->add_subcommand("type-set", "Add or change a deposit type of an administration (deadline, silence regime)");
    add_global(*type_set, g);
    TypeSetOptions ts;
    type_set->add_option("--admin", ts.administration, "Administration code")->required();
    type_set->add_option("--code", ts.code, "Type code, e.g. letter")->required();
    type_set->add_option("--name-ar", ts.name_ar, "Name in Arabic")->required();
    type_set->add_option("--name-fr", ts.name_fr, "Name in French")->required();
    type_set->add_option("--deadline-days", ts.deadline_days, "Legal processing deadline in days (1-365)");
    type_set->add_flag("--working-days", ts.working_days, "Count the deadline in working days");
    type_set->add_flag("--silence-is-approval", ts.silence_is_approval, "Silence past the deadline means approval");
    type_set->callback([&] { rc = cmd_type_set(g, ts); });
    auto* type_list = admin->add_subcommand("types", "List the deposit types an administration accepts");
    add_global(*type_list, g);
    std::string types_admin;
    type_list->add_option("--admin", types_admin, "Administration code")->required();
    type_list->callback([&] { rc = cmd_type_list(g, types_admin); });

    auto* verify = app.add_subcommand("verify", "Verify a receipt or signed PDF, a detached signature, or a QR payload (offline with --keys)");
    add_global(*verify, g);
    VerifyOptions vo;
    verify->add_option("file", vo.file, "The receipt PDF");
    verify->add_option("--payload", vo.payload, "A QR payload or verification URL instead of a file");
    verify->add_option("--keys", vo.keys_file, "A copy of /.well-known/idara-keys.json: verify offline, without the register");
    verify->add_option("--lang", vo.lang, "Language of the explanations (ar or fr)");
    verify->add_option("--detached", vo.detached, "A detached CAdES signature (.p7s) of FILE");
    verify->add_flag("--json", vo.json, "Print the report as JSON (as POST /api/v1/verify answers)");
    verify->callback([&] { rc = cmd_verify(g, vo); });
    add_pki_commands(app, g, rc);
    add_holidays_commands(app, g, rc);
    add_procedures_commands(app, g, rc);
    add_audit_commands(app, g, rc);
    add_exchange_commands(app, g, rc);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int code = app.exit(e);  // prints help, version or the usage error
        return code == 0 ? 0 : 2;
    } catch (const idara::config::ConfigError& e) {
        std::cerr << "idara: configuration error: " << e.what() << "\n";
        return 2;
    }
    return rc;
}
