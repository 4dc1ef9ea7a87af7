// Metaservices (listClients, listMethods, allowedMethods, getOpenAPI) and the admin port's routes.
#include "exchange/gateway_meta.hpp"
#include "exchange/files.hpp"

#include "exchange/access.hpp"
#include "core/error_json.hpp"
#include "core/random.hpp"
#include "http/router.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <set>
#include <sstream>

namespace idara::exchange::gw {

namespace json = boost::json;

namespace {

json::object client_id_json(const MemberId& m, const std::string& subsystem) {
    json::object id{{"object_type", subsystem.empty() ? "MEMBER" : "SUBSYSTEM"},
                    {"xroad_instance", m.instance},
                    {"member_class", m.member_class},
                    {"member_code", m.member_code}};
    if (!subsystem.empty()) id["subsystem_code"] = subsystem;
    return id;
}

using Endpoints = std::set<std::pair<std::string, std::string>>;  // (method, path)

// Endpoints from an OpenAPI document's "paths" object.
Endpoints openapi_endpoints(const std::string& text) {
    Endpoints out;
    json::error_code ec;
    auto v = json::parse(text, ec);
    if (ec || !v.is_object()) return out;
    const auto* paths = v.as_object().if_contains("paths");
    if (paths == nullptr || !paths->is_object()) return out;
    static const char* kMethods[] = {"get", "put", "post", "delete", "patch", "head", "options"};
    for (const auto& [path, item] : paths->as_object()) {
        if (!item.is_object()) continue;
        for (const char* m : kMethods) {
            if (!item.as_object().contains(m)) continue;
            std::string up(m);
            std::transform(up.begin(), up.end(), up.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
            out.emplace(up, std::string(path));
        }
    }
    return out;
}

Endpoints rule_endpoints(const std::vector<AccessRule>& rules, std::string_view service_code) {
    Endpoints out;
    for (const auto& r : rules) {
        if (r.service_code != service_code) continue;
        for (const auto& m : r.methods) out.emplace(m, r.path);
    }
    return out;
}

json::object service_json(const ServiceDef& s, const Endpoints& eps) {
    json::array list;
    for (const auto& [m, p] : eps) list.push_back(json::object{{"method", m}, {"path", p}});
    return json::object{{"service_code", s.code}, {"subsystem_code", s.subsystem}, {"service_type", "REST"},
                        {"endpoint_list", std::move(list)}};
}

std::string query_value(std::string_view query, std::string_view name) {
    for (auto& [k, v] : http::parse_urlencoded(query))
        if (k == name) return v;
    return {};
}

}  // namespace

std::string list_clients_json(const GlobalConf& conf) {
    json::array members;
    for (const auto& m : conf.members) {
        members.push_back(json::object{{"id", client_id_json(m.id, "")}, {"name", m.name_fr}, {"name_ar", m.name_ar}});
        for (const auto& s : m.subsystems)
            members.push_back(json::object{{"id", client_id_json(m.id, s)}, {"name", m.name_fr}, {"name_ar", m.name_ar}});
    }
    return json::serialize(json::object{{"member", std::move(members)}});
}

MetaAnswer answer_metaservice(const GatewayConfig& cfg, const GlobalConf& conf, const ClientId& caller,
                              const ServiceId& target, std::string_view query) {
    MetaAnswer a;
    const std::string& subsystem = target.provider.subsystem;
    const std::string& code = target.service_code;
    if (code == "listMethods" || code == "allowedMethods") {
        const bool all = code == "listMethods";
        const auto mine = all ? std::vector<AccessRule>{} : rules_for(cfg.access, conf, caller);
        json::array services;
        for (const auto& s : cfg.services) {
            if (s.subsystem != subsystem) continue;
            Endpoints eps;
            if (all) {
                if (!s.openapi_file.empty())
                    if (auto text = files::read(s.openapi_file)) eps = openapi_endpoints(*text);
                if (eps.empty()) eps = rule_endpoints(cfg.access, s.code);
            } else {
                eps = rule_endpoints(mine, s.code);
                if (eps.empty()) continue;
            }
            services.push_back(service_json(s, eps));
        }
        a.body = json::serialize(json::object{{"service", std::move(services)}});
        return a;
    }
    if (code == "getOpenAPI") {
        const std::string wanted = query_value(query, "serviceCode");
        const ServiceDef* s = cfg.service(subsystem, wanted);
        if (s == nullptr) {
            a.xerror_type = "Server.ServerProxy.UnknownService";
            a.technical = "getOpenAPI: no service " + subsystem + "/" + wanted;
            return a;
        }
        if (rule_endpoints(rules_for(cfg.access, conf, caller), s->code).empty()) {
            a.xerror_type = "Server.ServerProxy.AccessDenied";
            a.technical = "getOpenAPI: " + caller.str() + " may call no method of " + wanted;
            return a;
        }
        auto text = s->openapi_file.empty() ? std::nullopt : files::read(s->openapi_file);
        if (!text) {
            a.xerror_type = "Server.ServerProxy.UnknownService";
            a.technical = "getOpenAPI: no OpenAPI document for " + wanted;
            return a;
        }
        const auto& f = s->openapi_file;
        if (f.size() > 5 && (f.ends_with(".yaml") || f.ends_with(".yml"))) a.content_type = "application/yaml";
        a.body = std::move(*text);
        return a;
    }
    a.xerror_type = "Server.ServerProxy.UnknownService";
    a.technical = "unknown metaservice " + code;
    return a;
}

namespace {

std::optional<std::int64_t> int_param(const http::Request& req, std::string_view name, std::int64_t dflt,
                                      std::int64_t lo, std::int64_t hi) {
    auto v = req.query_param(name);
    if (!v) return dflt;
    std::int64_t out = 0;
    auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), out);
    if (ec != std::errc{} || p != v->data() + v->size() || out < lo || out > hi) return std::nullopt;
    return out;
}

bool authorised(const http::Request& req, const std::string& token) {
    auto h = req.header("Authorization");
    constexpr std::string_view bearer = "Bearer ";
    if (!h || h->size() <= bearer.size() || h->substr(0, bearer.size()) != bearer) return false;
    return random::equal_ct(h->substr(bearer.size()), token);
}

http::Response unauthorised() {
    auto r = http::Response::json(401, error_json(errors::unauthenticated("admin port: bearer token required")));
    r.headers.set("WWW-Authenticate", "Bearer");
    return r;
}

}  // namespace

void add_admin_routes(http::Router& r, std::string token, MessageLog& log, const ExchangeMetrics& metrics) {
    r.get("/opdata", [token, &log](http::Request& req) {
        if (!authorised(req, token)) return unauthorised();
        auto since = int_param(req, "since", 0, 0, INT64_MAX);
        auto limit = int_param(req, "limit", 1000, 1, 10000);
        if (!since || !limit) return http::Response::json(400, error_json(errors::bad_request("since/limit")));
        auto body = log.opdata_json(*since, static_cast<int>(*limit));
        if (!body) throw ErrorException(body.error());
        auto res = http::Response::json(200, std::move(*body));
        res.headers.set("Cache-Control", "no-store");
        return res;
    });
    r.get("/metrics", [token, &log, &metrics](http::Request& req) {
        if (!authorised(req, token)) return unauthorised();
        auto res = http::Response::text(200, metrics.prometheus(log.health()), "text/plain; version=0.0.4");
        res.headers.set("Cache-Control", "no-store");
        return res;
    });
}

}  // namespace idara::exchange::gw
