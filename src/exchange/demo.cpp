// demo_setup (exchange/demo.hpp): a central and three gateways — MEN (education ministry, provider of
// baccalaureate results), ETATCIVIL (civil registry, provider of birth records) and UNIV (a university,
// client) — written to one directory, with every registration filed and approved in the central.
#include "exchange/demo.hpp"
#include "exchange/files.hpp"

#include "core/clock.hpp"
#include "core/log.hpp"
#include "core/resources.hpp"
#include "exchange/central.hpp"
#include "exchange/gateway.hpp"
#include "exchange/gateway_config.hpp"

#include <boost/json.hpp>

#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <sys/stat.h>

namespace idara::exchange {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kInstance = "MA";
constexpr std::string_view kClass = "GOV";
constexpr std::string_view kMarker = "demo.json";  // written last: its presence means "complete"

struct DemoService {
    std::string_view subsystem, code, openapi_resource, openapi_file;
    int backend_offset;           // from the base port
    std::string_view path_rule;   // access granted to UNIV/registration
};

struct DemoMember {
    std::string_view code, name_ar, name_fr, subsystem, dir;
    int index;                            // 0..2: port offsets B+1+i, B+11+i, B+21+i
    std::optional<DemoService> service;   // providers only
};

const DemoMember kMembers[] = {
    {"MEN", "وزارة التربية الوطنية", "Ministère de l'Éducation nationale", "bac-results", "gw-men", 0,
     DemoService{"bac-results", "bac-result", "demo/exchange/bac-result.openapi.json", "bac-result.openapi.json", 31,
                 "/results/*"}},
    {"ETATCIVIL", "مديرية الحالة المدنية", "Direction de l'état civil", "records", "gw-etatcivil", 1,
     DemoService{"records", "birth-record", "demo/exchange/birth-record.openapi.json", "birth-record.openapi.json", 32,
                 "/births/*"}},
    {"UNIV", "جامعة محمد الخامس بالرباط", "Université Mohammed V de Rabat", "registration", "gw-univ", 2, std::nullopt},
};

std::string loopback(int port) { return "127.0.0.1:" + std::to_string(port); }

Result<std::string> read_file(const fs::path& p) {
    auto text = files::read(p.string());
    if (!text) return errors::internal("cannot read " + p.string());
    return std::move(*text);
}

// temp + rename, so a reader never sees half a file.
Status write_file(const fs::path& p, std::string_view content) {
    std::string why;
    if (!files::write_atomic(p.string(), content, false, why)) return errors::internal("cannot write " + p.string() + ": " + why);
    return {};
}

std::vector<fs::path> required_files(const fs::path& root) {
    std::vector<fs::path> files{root / "central" / "central.db", root / "central" / "central-sign.key",
                                root / "central" / "central.toml"};
    for (const auto& m : kMembers) {
        for (const char* f : {"gateway.toml", "sign.key", "tls.key", "tls.crt"}) files.push_back(root / m.dir / f);
        if (m.service) files.push_back(root / m.dir / m.service->openapi_file);
    }
    return files;
}

Error incomplete(const fs::path& root, std::string_view why) {
    return Error{"exchange.demo_incomplete", 409,
                 std::string(why) + " in " + root.string() + "; remove that directory and run demo-setup again"};
}

enum class State { empty, complete };

// A complete setup (marker and every file), nothing at all, or an error naming what is wrong.
Result<State> inspect(const fs::path& root) {
    std::error_code ec;
    if (!fs::exists(root, ec)) return State::empty;
    if (!fs::is_directory(root, ec)) return incomplete(root, "not a directory");
    if (fs::exists(root / kMarker, ec)) {
        for (const auto& f : required_files(root))
            if (!fs::exists(f, ec)) return incomplete(root, "demo setup lacks " + f.string());
        return State::complete;
    }
    for (const char* sub : {"central", "gw-men", "gw-etatcivil", "gw-univ"})
        if (fs::exists(root / sub, ec)) return incomplete(root, "an unfinished demo setup");
    return State::empty;
}

GatewayConfig gateway_config(const fs::path& root, const DemoMember& m, const DemoPorts& ports,
                             const PublicKey& central_key) {
    const int b = ports.base;
    GatewayConfig c;
    c.dir = (root / m.dir).string();
    c.instance = kInstance;
    c.member_class = kClass;
    c.member_code = m.code;
    c.gateway_code = "gw1";
    c.central_url = "http://" + loopback(b);
    c.central_public_key = central_key;
    c.client_listen = loopback(b + 1 + m.index);
    c.peer_listen = loopback(b + 11 + m.index);
    c.admin_listen = loopback(b + 21 + m.index);
    c.conf_refresh_seconds = 5;
    if (m.service) {
        const auto& s = *m.service;
        c.services.push_back(ServiceDef{std::string(s.subsystem), std::string(s.code),
                                        "http://" + loopback(b + s.backend_offset), std::string(s.openapi_file), 10000});
        c.access.push_back(AccessRule{"MA/GOV/UNIV/registration", std::string(s.code), {"GET"}, std::string(s.path_rule)});
    }
    return c;
}

// Keys, TLS certificate from the central's development CA, OpenAPI file and gateway.toml of one member.
Result<std::string> write_gateway(const fs::path& root, const DemoMember& m, const DemoPorts& ports,
                                  const PublicKey& central_key) {
    const GatewayConfig c = gateway_config(root, m, ports, central_key);
    std::error_code ec;
    fs::create_directories(c.dir, ec);
    if (ec) return errors::internal("cannot create " + c.dir + ": " + ec.message());
    if (auto s = init_gateway_keys(c); !s) return s.error();
    auto key_pem = read_file(c.path("tls.key"));
    if (!key_pem) return key_pem.error();
    auto cert = issue_dev_gateway_cert((root / "central").string(), *key_pem, c.gateway_id(), "127.0.0.1");
    if (!cert) return cert.error();
    if (auto s = write_file(c.path("tls.crt"), *cert); !s) return s.error();
    if (m.service) {
        const auto doc = resources::find(m.service->openapi_resource);
        if (!doc) return errors::internal("missing resource " + std::string(m.service->openapi_resource));
        if (auto s = write_file(c.path(m.service->openapi_file), *doc); !s) return s.error();
    }
    if (auto s = write_file(c.path("gateway.toml"), to_toml(c)); !s) return s.error();
    return *cert;
}

Status file_and_approve(Central& central, std::string_view kind, const boost::json::object& payload) {
    auto id = central.request(kind, boost::json::serialize(payload));
    if (!id) return id.error();
    return central.approve(*id);
}

Status register_member(Central& central, const fs::path& root, const DemoMember& m, const DemoPorts& ports,
                       const std::string& cert_pem) {
    auto key = SigningKey::load((root / m.dir / "sign.key").string());
    if (!key) return key.error();
    const std::string member = std::string(kInstance) + "/" + std::string(kClass) + "/" + std::string(m.code);
    if (auto s = file_and_approve(central, "member",
                                  {{"class", kClass}, {"code", m.code}, {"name_ar", m.name_ar}, {"name_fr", m.name_fr},
                                   {"sign_key", key->public_key_b64()}});
        !s)
        return s;
    if (auto s = file_and_approve(central, "subsystem", {{"member", member}, {"code", m.subsystem}}); !s) return s;
    return file_and_approve(central, "gateway",
                            {{"owner", member},
                             {"code", "gw1"},
                             {"address", loopback(ports.base + 11 + m.index)},
                             {"tls_cert_pem", cert_pem}});
}

}  // namespace

Status demo_setup(const std::string& dir, const DemoPorts& ports) {
    if (ports.base < 1 || ports.base > 65535 - 32)
        return errors::bad_request("base port must leave room for 32 ports above it (1..65503)");
    if (ports.conf_validity_seconds < 10) return errors::bad_request("configuration validity: at least 10 seconds (the central refuses less)");
    std::error_code ec;
    const fs::path root = fs::absolute(dir, ec).lexically_normal();
    if (ec) return errors::internal("bad directory " + dir + ": " + ec.message());
    auto state = inspect(root);
    if (!state) return state.error();
    if (*state == State::complete) return {};

    const std::string central_dir = (root / "central").string();
    fs::create_directories(central_dir, ec);
    if (ec) return errors::internal("cannot create " + central_dir + ": " + ec.message());
    CentralOptions co;
    co.instance = kInstance;
    co.listen = loopback(ports.base);
    co.conf_validity_seconds = ports.conf_validity_seconds;
    if (auto s = init_central(central_dir, co); !s) return s;
    auto central = open_central(central_dir, system_clock());
    if (!central) return central.error();
    const PublicKey central_key = (*central)->public_key();

    for (const auto& m : kMembers) {
        auto cert = write_gateway(root, m, ports, central_key);
        if (!cert) return cert.error();
        if (auto s = register_member(**central, root, m, ports, *cert); !s) return s;
    }
    boost::json::object marker{{"instance", kInstance},
                               {"base_port", ports.base},
                               {"conf_validity_seconds", ports.conf_validity_seconds},
                               {"created_at", log::now_iso()}};
    if (auto s = write_file(root / kMarker, boost::json::serialize(marker) + "\n"); !s) return s;
    return {};
}

Result<DemoPorts> demo_ports_of(const std::string& dir) {
    const fs::path root = fs::path(dir);
    auto state = inspect(root);
    if (!state) return state.error();
    if (*state != State::complete) return incomplete(root, "no demo setup");
    auto text = read_file(root / kMarker);
    if (!text) return text.error();
    boost::system::error_code ec;
    const auto doc = boost::json::parse(*text, ec);
    const auto* o = ec ? nullptr : doc.if_object();
    const auto* base = o ? o->if_contains("base_port") : nullptr;
    const auto* validity = o ? o->if_contains("conf_validity_seconds") : nullptr;
    if (!base || !base->is_int64() || !validity || !validity->is_int64() || base->as_int64() < 1 ||
        base->as_int64() > 65535 - 32)
        return incomplete(root, "a malformed " + std::string(kMarker));
    DemoPorts p;
    p.base = static_cast<std::uint16_t>(base->as_int64());
    p.conf_validity_seconds = validity->as_int64();
    return p;
}

}  // namespace idara::exchange
