// The central registry (exchange/central.hpp): init, open, the signed configuration and the routes.
#include "exchange/central.hpp"

#include "core/error_json.hpp"
#include "core/log.hpp"
#include "exchange/central_store.hpp"
#include "http/router.hpp"
#include "trust/tsa.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cctype>
#include <filesystem>

namespace idara::exchange {

using namespace central_detail;

namespace {

namespace fs = std::filesystem;

constexpr std::size_t kMaxTsaRequestBytes = 16 * 1024;

http::Response error_response(const Error& e) {
    if (e.status >= 500) log::error("exchange.central.error", {{"code", e.code}, {"detail", e.detail}});
    return http::Response::json(e.status, error_json(e));
}

// The media type of a Content-Type value, lower case, without parameters.
std::string media_type(const http::Request& req) {
    std::string v(req.header("Content-Type").value_or(""));
    v = std::string(http::trim_ows(v.substr(0, v.find(';'))));
    std::transform(v.begin(), v.end(), v.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return v;
}

class CentralImpl final : public Central {
public:
    CentralImpl(CentralOptions o, SigningKey key, std::unique_ptr<Store> store, std::string ca_pem,
                std::unique_ptr<trust::BuiltinTsa> tsa, const Clock& clock)
        : options_(std::move(o)), key_(std::move(key)), store_(std::move(store)), ca_pem_(std::move(ca_pem)),
          tsa_(std::move(tsa)), clock_(clock) {}

    Result<GlobalConf> current(std::int64_t now_ms) override {
        auto f = store_->facts();
        if (!f) return f.error();
        GlobalConf c;
        c.instance = options_.instance;
        c.serial = f->serial;
        c.issued_at_ms = now_ms;
        c.expires_at_ms = now_ms + options_.conf_validity_seconds * 1000;
        c.members = std::move(f->members);
        c.gateways = std::move(f->gateways);
        c.groups = std::move(f->groups);
        c.trust_anchors_pem = {ca_pem_};
        c.tsa_url = options_.tsa_url.empty() ? "http://" + options_.listen + "/tsa" : options_.tsa_url;
        return c;
    }

    Result<std::string> signed_conf(std::int64_t now_ms) override {
        auto c = current(now_ms);
        if (!c) return c.error();
        return sign_conf(*c, key_);
    }

    const PublicKey& public_key() const override { return key_.public_key(); }

    Result<std::int64_t> request(std::string_view kind, std::string_view json) override {
        auto id = store_->request(kind, json, clock_.now_ms());
        if (id) log::info("exchange.central.request", {{"id", std::to_string(*id)}, {"kind", std::string(kind)}});
        return id;
    }

    Result<std::vector<RegistrationRequest>> requests(std::string_view state) override {
        return store_->requests(state);
    }

    Status approve(std::int64_t id) override { return store_->decide(id, true, clock_.now_ms()); }
    Status reject(std::int64_t id) override { return store_->decide(id, false, clock_.now_ms()); }

    Status add_group_member(std::string_view group, const ClientId& c) override {
        return store_->add_group_member(group, c);
    }

    void add_routes(http::Router& r) override;

private:
    http::Response conf() {
        auto env = signed_conf(clock_.now_ms());
        if (!env) return error_response(env.error());
        auto res = http::Response::json(200, std::move(*env));
        res.headers.set("Cache-Control", "no-store");
        return res;
    }

    http::Response tsa(const http::Request& req) {
        if (media_type(req) != "application/timestamp-query")
            return error_response(errors::unsupported_media("POST /tsa needs application/timestamp-query"));
        if (req.body.size() > kMaxTsaRequestBytes) return error_response(errors::too_large("TimeStampReq over 16 KiB"));
        auto reply = tsa_->respond(req.body);
        if (!reply) return error_response(reply.error());
        auto res = http::Response::text(200, std::move(*reply), "application/timestamp-reply");
        res.headers.set("Cache-Control", "no-store");
        return res;
    }

    http::Response registration(const http::Request& req, std::string_view kind) {
        if (media_type(req) != "application/json")
            return error_response(errors::unsupported_media("registration needs application/json"));
        auto id = request(kind, req.body);
        if (!id) return error_response(id.error());
        boost::json::object o{{"request_id", *id}, {"state", "pending"}};
        return http::Response::json(202, boost::json::serialize(o));
    }

    CentralOptions options_;
    SigningKey key_;
    std::unique_ptr<Store> store_;
    std::string ca_pem_;
    std::unique_ptr<trust::BuiltinTsa> tsa_;
    const Clock& clock_;
};

void CentralImpl::add_routes(http::Router& r) {
    r.get("/healthz", [](http::Request&) { return http::Response::text(200, "ok\n"); }, {.inline_ok = true});
    r.get("/conf", [this](http::Request&) { return conf(); });
    r.get("/conf/public-key", [this](http::Request&) {
        return http::Response::text(200, key_.public_key_b64());
    }, {.inline_ok = true});
    r.post("/tsa", [this](http::Request& req) { return tsa(req); });
    r.post("/registration/members", [this](http::Request& req) { return registration(req, "member"); });
    r.post("/registration/subsystems", [this](http::Request& req) { return registration(req, "subsystem"); });
    r.post("/registration/gateways", [this](http::Request& req) { return registration(req, "gateway"); });
}

}  // namespace

Status init_central(const std::string& dir, const CentralOptions& o) {
    if (auto s = validate_options(o); !s) return s;
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) return config_error("cannot create " + dir + ": " + ec.message());
    if (!fs::exists(options_path(dir))) {
        if (auto s = write_options(dir, o); !s) return s;
    }
    if (!fs::exists(sign_key_path(dir))) {
        if (auto s = SigningKey::generate().save(sign_key_path(dir)); !s) return s;
    }
    if (auto s = ensure_ca_and_tsa(dir); !s) return s;
    auto opts = load_central_options(dir);
    if (!opts) return opts.error();
    auto ca = read_small_file(ca_cert_path(dir), 64 * 1024);
    if (!ca) return ca.error();
    auto store = Store::open(dir, opts->instance, *ca);  // creates the schema
    if (!store) return store.error();
    return {};
}

Result<std::unique_ptr<Central>> open_central(const std::string& dir, const Clock& clock) {
    if (!fs::exists(options_path(dir))) return config_error(dir + " is not an initialised central directory");
    auto opts = load_central_options(dir);
    if (!opts) return opts.error();
    return open_central_with(dir, clock, std::move(*opts));
}

Result<std::unique_ptr<Central>> central_detail::open_central_with(const std::string& dir, const Clock& clock,
                                                                   CentralOptions o) {
    auto key = SigningKey::load(sign_key_path(dir));
    if (!key) return key.error();
    auto ca_pem = read_small_file(ca_cert_path(dir), 64 * 1024);
    if (!ca_pem) return ca_pem.error();
    auto tsa_id = load_tsa(dir);
    if (!tsa_id) return tsa_id.error();
    auto store = Store::open(dir, o.instance, *ca_pem);
    if (!store) return store.error();
    auto tsa = trust::make_builtin_tsa(std::move(*tsa_id), clock);
    return std::unique_ptr<Central>(std::make_unique<CentralImpl>(std::move(o), std::move(*key), std::move(*store),
                                                                  std::move(*ca_pem), std::move(tsa), clock));
}

}  // namespace idara::exchange
