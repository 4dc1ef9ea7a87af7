// Private to src/exchange/gateway_*.cpp: the metaservices and the admin port, free of Beast.
#pragma once

#include "exchange/conf.hpp"
#include "exchange/gateway_config.hpp"
#include "exchange/ids.hpp"
#include "exchange/msglog.hpp"

#include <string>
#include <string_view>

namespace idara::http { class Router; }

namespace idara::exchange::gw {

// listClients, answered by the client gateway from the configuration. Shape (after X-Road's):
//   {"member":[{"id":{"object_type":"MEMBER"|"SUBSYSTEM","xroad_instance":"MA","member_class":"GOV",
//                     "member_code":"MEN","subsystem_code":"bac-results"},   // subsystem_code only for SUBSYSTEM
//               "name":"<French name>","name_ar":"<Arabic name>"}, ...]}
std::string list_clients_json(const GlobalConf& conf);

// A metaservice answered by the provider gateway. On failure `xerror_type` is set
// (Server.ServerProxy.UnknownService or Server.ServerProxy.AccessDenied) with a technical reason.
struct MetaAnswer {
    std::string xerror_type, technical;
    std::string content_type = "application/json";
    std::string body;
};
// listMethods / allowedMethods shape:
//   {"service":[{"service_code":"bac-result","subsystem_code":"bac-results","service_type":"REST",
//                "endpoint_list":[{"method":"GET","path":"/results/{student_number}"}, ...]}, ...]}
// listMethods takes the endpoints from the service's OpenAPI "paths" (or, without a document, from
// the access rules); allowedMethods lists the caller's rules (method, path pattern) per service.
// getOpenAPI?serviceCode=X returns the document when the caller may call at least one method of X.
MetaAnswer answer_metaservice(const GatewayConfig& cfg, const GlobalConf& conf, const ClientId& caller,
                              const ServiceId& target, std::string_view query);

// Admin routes: GET /opdata?since=<ms>&limit=<n> and GET /metrics, bearer `token` (constant-time).
// `log` and `metrics` must outlive the router.
void add_admin_routes(http::Router& r, std::string token, MessageLog& log, const ExchangeMetrics& metrics);

}  // namespace idara::exchange::gw
