// `idara exchange gateway ...`: a security gateway (docs/design/exchange.md).
//
//   gateway init --dir D          creates sign.key, tls.key, admin-token when missing; prints the
//                                 public signing key (tls.crt is issued by a CA: `central issue-cert`)
//   gateway serve --dir D [--port-file F]
//                                 serves the client, peer and admin ports of D/gateway.toml; the port
//                                 file gets {"client":P,"peer":P,"admin":P} once all three listen
//   gateway register --dir D --name-ar A --name-fr F [--subsystem S]...
//                                 files the member, subsystem and gateway registration requests with
//                                 the central and prints their ids (run again once the member is
//                                 approved if the central refuses subsystems of a pending member)
// Exit codes: 0 ok, 1 failed (message on stderr), 2 usage.
#include "port_file.hpp"
#include "cmd_exchange.hpp"
#include "runtime.hpp"

#include "exchange/gateway.hpp"
#include "exchange/gateway_config.hpp"
#include "exchange/gateway_register.hpp"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>

namespace idara::app {

namespace {

struct GatewayArgs {
    std::string dir, port_file, name_ar, name_fr;
    std::vector<std::string> subsystems;
};

std::string absolute(const std::string& dir) {
    std::error_code ec;
    auto p = std::filesystem::absolute(dir, ec);
    return ec ? dir : p.lexically_normal().string();
}

int cmd_init(const GatewayArgs& a) {
    auto cfg = exchange::load_gateway_config(absolute(a.dir));
    exchange::GatewayConfig c;
    if (cfg) c = *cfg;
    else c.dir = absolute(a.dir);  // keys may be made before gateway.toml exists
    if (auto s = exchange::init_gateway_keys(c); !s) return fail(s.error());
    auto key = exchange::SigningKey::load(c.path("sign.key"));
    if (!key) return fail(key.error());
    std::cout << "gateway keys ready in " << c.dir << "\n"
              << "signing public key (sign_key): " << key->public_key_b64() << "\n"
              << "TLS key: " << c.path("tls.key") << " (have its certificate issued as " << c.path("tls.crt") << ")\n";
    return 0;
}

bool write_ports_file(const std::string& path, const exchange::GatewayPorts& p) {
    return write_port_file(path, "{\"client\":" + std::to_string(p.client) + ",\"peer\":" + std::to_string(p.peer) +
                                     ",\"admin\":" + std::to_string(p.admin) + "}\n");
}

int cmd_serve(const GatewayArgs& a) {
    auto cfg = exchange::load_gateway_config(absolute(a.dir));
    if (!cfg) return fail(cfg.error());
    auto gw = exchange::open_gateway(*cfg);
    if (!gw) return fail(gw.error());
    auto ports = (*gw)->start();
    if (!ports) return fail(ports.error());
    if (!a.port_file.empty() && !write_ports_file(a.port_file, *ports))
        return fail(Error{"setup.port_file", 1, "cannot write " + a.port_file});
    (*gw)->run();
    return 0;
}

int cmd_register(const GatewayArgs& a) {
    auto cfg = exchange::load_gateway_config(absolute(a.dir));
    if (!cfg) return fail(cfg.error());
    auto filed = exchange::register_gateway(*cfg, a.name_ar, a.name_fr, a.subsystems);
    if (!filed) return fail(filed.error());
    for (const auto& f : *filed) {
        std::cout << f.kind << " " << f.subject << ": ";
        if (f.id == 0) std::cout << "already filed or registered\n";
        else std::cout << "request " << f.id << " (pending)\n";
    }
    return 0;
}

}  // namespace

void add_exchange_gateway_commands(CLI::App& exchange, int& rc) {
    auto a = std::make_shared<GatewayArgs>();
    auto* gateway = exchange.add_subcommand("gateway", "A security gateway: client, peer (mutual TLS) and admin ports");
    gateway->require_subcommand(1);
    auto with_dir = [&](CLI::App* cmd) {
        cmd->add_option("--dir", a->dir, "The gateway's directory (gateway.toml, keys, log)")->required();
        return cmd;
    };

    auto* init = with_dir(gateway->add_subcommand("init", "Create sign.key, tls.key and admin-token when missing"));
    init->callback([&rc, a] { rc = cmd_init(*a); });

    auto* serve = with_dir(gateway->add_subcommand("serve", "Serve the gateway's three ports until SIGTERM"));
    serve->add_option("--port-file", a->port_file, "Write {\"client\":P,\"peer\":P,\"admin\":P} once listening");
    serve->callback([&rc, a] { rc = cmd_serve(*a); });

    auto* reg = with_dir(gateway->add_subcommand("register", "File the member, subsystem and gateway registration requests"));
    reg->add_option("--name-ar", a->name_ar, "The member's name in Arabic")->required();
    reg->add_option("--name-fr", a->name_fr, "The member's name in French")->required();
    reg->add_option("--subsystem", a->subsystems, "A client subsystem to register as well (repeatable)");
    reg->callback([&rc, a] { rc = cmd_register(*a); });
}

}  // namespace idara::app
