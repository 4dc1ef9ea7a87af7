// The global configuration the central registry publishes and every gateway trusts
// (see docs/design/exchange.md, "Global configuration").
//
// Thread-safety: a GlobalConf is immutable once built; gateways share it as
// std::shared_ptr<const GlobalConf> and swap it atomically on refresh.
#pragma once

#include "core/error.hpp"
#include "exchange/ed25519.hpp"
#include "exchange/ids.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace idara::exchange {

struct MemberInfo {
    MemberId id;
    std::string name_ar, name_fr;
    std::vector<std::string> subsystems;  // codes
    PublicKey sign_key{};                 // Ed25519, verifies this member's messages
};

struct GatewayInfo {
    std::string id;          // "MA/GOV/MEN/gw1" (owner + gateway code)
    MemberId owner;
    std::string address;     // "host:port" of its peer (mTLS) port
    std::string tls_cert_sha256;  // lower-case hex of SHA-256 over the DER certificate
};

struct GroupInfo {
    std::string code;                 // "universities"
    std::vector<ClientId> members;
};

struct GlobalConf {
    std::string instance;             // "MA"
    std::int64_t serial = 0;
    std::int64_t issued_at_ms = 0;
    std::int64_t expires_at_ms = 0;
    std::vector<MemberInfo> members;
    std::vector<GatewayInfo> gateways;
    std::vector<GroupInfo> groups;
    std::vector<std::string> trust_anchors_pem;  // TLS and TSA chains end here
    std::string tsa_url;              // RFC 3161 over HTTP; "" = none

    const MemberInfo* member(const MemberId& id) const;
    bool has_client(const ClientId& c) const;  // member exists and (subsystem empty or listed)
    std::vector<const GatewayInfo*> gateways_of(const MemberId& owner) const;
    const GatewayInfo* gateway_by_digest(std::string_view sha256_hex) const;
    bool in_group(const ClientId& c, std::string_view group_code) const;
    bool expired(std::int64_t now_ms) const { return now_ms >= expires_at_ms; }
};

std::string to_json(const GlobalConf& c);
// Errors: exchange.bad_configuration (400) with the reason in detail.
Result<GlobalConf> conf_from_json(std::string_view json);

// The signed envelope: {"configuration": "<to_json text>", "key_id": "...", "signature": "<b64>"}.
std::string sign_conf(const GlobalConf& c, const SigningKey& central_key);
// Verifies the envelope with the pinned central key, then parses.
// Errors: exchange.bad_configuration (400), exchange.configuration_signature (400).
Result<GlobalConf> verify_conf(std::string_view envelope, const PublicKey& central_key);

// Cache on disk: writes the envelope atomically (temp + rename); reads and verifies it back.
Status save_conf_cache(const std::string& path, std::string_view envelope);
Result<GlobalConf> load_conf_cache(const std::string& path, const PublicKey& central_key);

// Lower-case hex SHA-256 of a DER certificate given in PEM (the registered digest).
Result<std::string> cert_digest_from_pem(std::string_view pem);

}  // namespace idara::exchange
