// `idara exchange central ...`: the central registry (docs/design/exchange.md).
//
//   central init --dir D [--instance MA] [--listen 127.0.0.1:8090] [--conf-validity S] [--tsa-url URL]
//   central serve --dir D [--listen ADDR] [--port-file F]
//   central requests --dir D [--state pending|approved|rejected|all]
//   central approve --dir D ID          central reject --dir D ID
//   central group-add --dir D GROUP CLIENT_ID
//   central conf --dir D                (prints the signed envelope)
//   central issue-cert --dir D --key KEY.pem --cn CN --host HOST --out CERT.pem
// Exit codes: 0 ok, 1 failed (message on stderr), 2 usage.
#include "port_file.hpp"
#include "cmd_exchange.hpp"
#include "runtime.hpp"

#include "core/clock.hpp"
#include "core/log.hpp"
#include "exchange/central.hpp"
#include "exchange/central_store.hpp"
#include "http/server.hpp"

#include <ctime>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <memory>
#include <sstream>

namespace idara::app {

namespace {

namespace cd = exchange::central_detail;

struct CentralArgs {
    std::string dir;
    exchange::CentralOptions init;
    std::string listen, port_file;
    std::string state = "pending";
    std::int64_t id = 0;
    std::string group, client;
    std::string key_file, cn, host, out;
};

Result<std::unique_ptr<exchange::Central>> open(const CentralArgs& a) {
    return exchange::open_central(a.dir, system_clock());
}

std::string iso(std::int64_t ms) {
    const std::time_t t = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    gmtime_r(&t, &tm);
    std::ostringstream out;
    out << std::put_time(&tm, "%Y-%m-%dT%H:%M:%SZ");
    return out.str();
}

int cmd_init(const CentralArgs& a) {
    if (auto s = exchange::init_central(a.dir, a.init); !s) return fail(s.error());
    auto c = open(a);
    if (!c) return fail(c.error());
    auto o = exchange::load_central_options(a.dir);
    if (!o) return fail(o.error());
    std::cout << "central ready in " << a.dir << " (instance " << o->instance << ", listen " << o->listen << ")\n"
              << "configuration anchor (central_public_key): " << exchange::b64(std::string_view(
                     reinterpret_cast<const char*>((*c)->public_key().data()), (*c)->public_key().size()))
              << "\n";
    return 0;
}

int cmd_serve(const CentralArgs& a) {
    auto o = exchange::load_central_options(a.dir);
    if (!o) return fail(o.error());
    std::string host;
    std::uint16_t port = 0;
    const std::string listen = a.listen.empty() ? o->listen : a.listen;
    if (!cd::split_host_port(listen, host, port, true))
        return fail(Error{"exchange.central_config", 1, "--listen: expected IP:port, got " + listen});
    http::Router router;
    http::ServerOptions so;
    so.listen_address = host;
    so.port = port;
    so.max_body_bytes = 128 * 1024;
    so.handle_signals = true;
    auto server = http::make_server(so, router);
    auto bound = server->start();
    if (!bound) return fail(bound.error());
    // The configuration names the address actually bound (its default TSA URL).
    o->listen = (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" + std::to_string(*bound);
    auto central = cd::open_central_with(a.dir, system_clock(), *o);
    if (!central) return fail(central.error());
    (*central)->add_routes(router);  // before run(): no request is handled until then
    if (!a.port_file.empty() && !write_port_file(a.port_file, *bound))
        return fail(Error{"exchange.central_config", 1, "cannot write the port file " + a.port_file});
    log::info("exchange.central.listening", {{"address", o->listen}, {"dir", a.dir}});
    server->run();
    log::info("exchange.central.stopped");
    return 0;
}

int cmd_requests(const CentralArgs& a) {
    auto c = open(a);
    if (!c) return fail(c.error());
    auto list = (*c)->requests(a.state);
    if (!list) return fail(list.error());
    std::cout << std::left << std::setw(6) << "ID" << std::setw(11) << "KIND" << std::setw(10) << "STATE"
              << std::setw(22) << "FILED" << "SUBJECT\n";
    for (const auto& r : *list)
        std::cout << std::left << std::setw(6) << r.id << std::setw(11) << r.kind << std::setw(10) << r.state
                  << std::setw(22) << iso(r.at_ms) << r.subject << "\n";
    return 0;
}

int cmd_decide(const CentralArgs& a, bool approve) {
    auto c = open(a);
    if (!c) return fail(c.error());
    auto s = approve ? (*c)->approve(a.id) : (*c)->reject(a.id);
    if (!s) return fail(s.error());
    std::cout << "request " << a.id << (approve ? " approved" : " rejected") << "\n";
    return 0;
}

int cmd_group_add(const CentralArgs& a) {
    auto client = exchange::parse_client_id(a.client);
    if (!client) return fail(client.error());
    auto c = open(a);
    if (!c) return fail(c.error());
    if (auto s = (*c)->add_group_member(a.group, *client); !s) return fail(s.error());
    std::cout << client->str() << " is in group " << a.group << "\n";
    return 0;
}

int cmd_conf(const CentralArgs& a) {
    auto c = open(a);
    if (!c) return fail(c.error());
    auto env = (*c)->signed_conf(system_clock().now_ms());
    if (!env) return fail(env.error());
    std::cout << *env << "\n";
    return 0;
}

int cmd_issue_cert(const CentralArgs& a) {
    auto key = cd::read_small_file(a.key_file, 64 * 1024);
    if (!key) return fail(key.error());
    auto pem = exchange::issue_dev_gateway_cert(a.dir, *key, a.cn, a.host);
    if (!pem) return fail(pem.error());
    if (auto s = cd::write_file_atomic(a.out, *pem, false); !s) return fail(s.error());
    std::cout << "certificate for " << a.cn << " (" << a.host << ") written to " << a.out << "\n";
    return 0;
}

}  // namespace

void add_exchange_central_commands(CLI::App& exchange, int& rc) {
    auto a = std::make_shared<CentralArgs>();
    auto* central = exchange.add_subcommand("central", "The central registry: members, gateways, signed configuration, TSA");
    central->require_subcommand(1);
    auto with_dir = [&](CLI::App* cmd) {
        cmd->add_option("--dir", a->dir, "The central's state directory")->required();
        return cmd;
    };

    auto* init = with_dir(central->add_subcommand("init", "Create the central's keys, development CA, TSA and database"));
    init->add_option("--instance", a->init.instance, "Instance identifier (default MA)");
    init->add_option("--listen", a->init.listen, "Address host:port it serves on (default 127.0.0.1:8090)");
    init->add_option("--conf-validity", a->init.conf_validity_seconds, "Seconds a downloaded configuration stays valid");
    init->add_option("--tsa-url", a->init.tsa_url, "Time-stamping URL in the configuration (default: its own /tsa)");
    init->callback([&rc, a] { rc = cmd_init(*a); });

    auto* serve = with_dir(central->add_subcommand("serve", "Serve /conf, /tsa and /registration over HTTP"));
    serve->add_option("--listen", a->listen, "IP:port to bind instead of central.toml's (port 0: any free port)");
    serve->add_option("--port-file", a->port_file, "Write the bound port to this file once listening");
    serve->callback([&rc, a] { rc = cmd_serve(*a); });

    auto* requests = with_dir(central->add_subcommand("requests", "List registration requests"));
    requests->add_option("--state", a->state, "pending (default), approved, rejected or all")
        ->check(CLI::IsMember({"pending", "approved", "rejected", "all"}));
    requests->callback([&rc, a] { rc = cmd_requests(*a); });

    auto* approve = with_dir(central->add_subcommand("approve", "Approve a pending request (enters the configuration)"));
    approve->add_option("id", a->id, "Request id")->required();
    approve->callback([&rc, a] { rc = cmd_decide(*a, true); });
    auto* reject = with_dir(central->add_subcommand("reject", "Reject a pending request"));
    reject->add_option("id", a->id, "Request id")->required();
    reject->callback([&rc, a] { rc = cmd_decide(*a, false); });

    auto* group = with_dir(central->add_subcommand("group-add", "Add a client (member or subsystem) to a group"));
    group->add_option("group", a->group, "Group code, e.g. universities")->required();
    group->add_option("client", a->client, "Client id, e.g. MA/GOV/UNIV/registration")->required();
    group->callback([&rc, a] { rc = cmd_group_add(*a); });

    auto* conf = with_dir(central->add_subcommand("conf", "Print the signed configuration envelope"));
    conf->callback([&rc, a] { rc = cmd_conf(*a); });

    auto* cert = with_dir(central->add_subcommand("issue-cert", "Issue a gateway TLS certificate from the development CA"));
    cert->add_option("--key", a->key_file, "The gateway's key (PEM)")->required()->check(CLI::ExistingFile);
    cert->add_option("--cn", a->cn, "Common name")->required();
    cert->add_option("--host", a->host, "IP address or DNS name (subjectAltName)")->required();
    cert->add_option("--out", a->out, "Certificate file to write (PEM)")->required();
    cert->callback([&rc, a] { rc = cmd_issue_cert(*a); });
}

}  // namespace idara::app
