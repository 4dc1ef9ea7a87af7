// Exchange identifiers, as in X-Road: clients INSTANCE/CLASS/MEMBER[/SUBSYSTEM] and services
// INSTANCE/CLASS/MEMBER/SUBSYSTEM/SERVICE. Each part is 1-64 characters of [A-Za-z0-9._-] and is
// neither "." nor "..". Parsing never throws; errors are Error{"exchange.bad_identifier", 400}.
#pragma once

#include "core/error.hpp"

#include <compare>
#include <string>
#include <string_view>

namespace idara::exchange {

struct MemberId {
    std::string instance, member_class, member_code;
    std::string str() const;  // "MA/GOV/MEN"
    auto operator<=>(const MemberId&) const = default;
};

struct ClientId {
    std::string instance, member_class, member_code;
    std::string subsystem;  // empty: the member itself
    MemberId member() const;
    std::string str() const;  // "MA/GOV/UNIV/registration" or "MA/GOV/UNIV"
    auto operator<=>(const ClientId&) const = default;
};

struct ServiceId {
    ClientId provider;         // with a subsystem
    std::string service_code;  // "bac-result", or a metaservice name
    std::string str() const;   // "MA/GOV/MEN/bac-results/bac-result"
    auto operator<=>(const ServiceId&) const = default;
};

bool valid_part(std::string_view part);
Result<MemberId> parse_member_id(std::string_view s);
// 3 parts (member) or 4 parts (subsystem).
Result<ClientId> parse_client_id(std::string_view s);

// A request target on the client port or between gateways, "/r1/..." with an optional query.
struct Target {
    enum class Kind { service, list_clients };
    Kind kind = Kind::service;
    std::string instance;   // for list_clients
    ServiceId service;      // for service (metaservices included: listMethods, allowedMethods, getOpenAPI)
    std::string rest;       // the path after the service code, "" or starting with '/', percent-encoding kept
    std::string query;      // without the '?', "" when none
};
// "/r1/MA/listClients" or "/r1/MA/GOV/MEN/bac-results/bac-result/results/123?x=1".
// Refuses (exchange.bad_identifier, 400) other versions, bad parts, "..", "//" and targets over 4096 bytes.
Result<Target> parse_target(std::string_view target);

bool is_metaservice(std::string_view service_code);  // listMethods, allowedMethods, getOpenAPI

}  // namespace idara::exchange
