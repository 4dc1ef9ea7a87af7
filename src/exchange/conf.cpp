// The global configuration document. Its JSON form (keys of to_json / conf_from_json):
//   {"instance": "MA", "serial": 3, "issued_at": <ms>, "expires_at": <ms>,
//    "members": [{"class": "GOV", "code": "MEN", "name_ar": "...", "name_fr": "...",
//                 "subsystems": ["bac-results"], "sign_key": "<b64 Ed25519>"}],
//    "gateways": [{"id": "MA/GOV/MEN/gw1", "owner": "MA/GOV/MEN", "address": "host:port",
//                  "tls_cert_sha256": "<64 lower hex>"}],
//    "groups": [{"code": "universities", "members": ["MA/GOV/UNIV/registration"]}],
//    "trust_anchors": ["-----BEGIN CERTIFICATE-----..."], "tsa_url": "http://..."}
// Unknown keys are refused: a gateway never acts on a document it does not fully understand.
#include "exchange/conf.hpp"
#include "exchange/files.hpp"

#include "core/random.hpp"
#include "exchange/gateway_config.hpp"

#include <boost/json.hpp>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <initializer_list>
#include <memory>
#include <set>

namespace idara::exchange {

namespace json = boost::json;

namespace {

constexpr std::size_t kMaxConfBytes = 4 * 1024 * 1024;
constexpr std::size_t kMaxEnvelopeBytes = 2 * kMaxConfBytes;
constexpr std::size_t kMaxText = 1024;
constexpr std::size_t kMaxPem = 64 * 1024;

Error bad_conf(std::string why) { return Error{"exchange.bad_configuration", 400, std::move(why)}; }

// Reads a JSON document with bounded depth; returns nullopt and sets `why` on failure.
std::optional<json::value> parse_json(std::string_view text, std::string& why) {
    json::parse_options opt;
    opt.max_depth = 16;
    boost::system::error_code ec;
    json::value v = json::parse(text, ec, {}, opt);
    if (ec) {
        why = "not JSON: " + ec.message();
        return std::nullopt;
    }
    return v;
}

Status only_keys(const json::object& o, std::initializer_list<std::string_view> allowed, std::string_view where) {
    for (const auto& kv : o)
        if (std::find(allowed.begin(), allowed.end(), kv.key()) == allowed.end())
            return bad_conf(std::string(where) + ": unknown key '" + std::string(kv.key().substr(0, 64)) + "'");
    return {};
}

Result<const json::value*> field(const json::object& o, std::string_view key, std::string_view where) {
    const auto* v = o.if_contains(key);
    if (v == nullptr) return bad_conf(std::string(where) + ": missing '" + std::string(key) + "'");
    return v;
}

Result<std::string> str_field(const json::object& o, std::string_view key, std::string_view where,
                              std::size_t max = kMaxText) {
    auto v = field(o, key, where);
    if (!v) return v.error();
    const auto* s = (*v)->if_string();
    if (s == nullptr) return bad_conf(std::string(where) + ": '" + std::string(key) + "' must be a string");
    if (s->size() > max) return bad_conf(std::string(where) + ": '" + std::string(key) + "' too long");
    return std::string(s->data(), s->size());
}

Result<std::int64_t> int_field(const json::object& o, std::string_view key, std::string_view where) {
    auto v = field(o, key, where);
    if (!v) return v.error();
    if (const auto* i = (*v)->if_int64()) return *i;
    if (const auto* u = (*v)->if_uint64(); u != nullptr && *u <= static_cast<std::uint64_t>(INT64_MAX))
        return static_cast<std::int64_t>(*u);
    return bad_conf(std::string(where) + ": '" + std::string(key) + "' must be an integer");
}

Result<const json::array*> array_field(const json::object& o, std::string_view key, std::string_view where) {
    auto v = field(o, key, where);
    if (!v) return v.error();
    const auto* a = (*v)->if_array();
    if (a == nullptr) return bad_conf(std::string(where) + ": '" + std::string(key) + "' must be an array");
    return a;
}

bool lower_hex64(std::string_view s) {
    return s.size() == 64 &&
           std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

#define TRY_ASSIGN(var, expr)            \
    auto var##_r = (expr);               \
    if (!var##_r) return var##_r.error(); \
    auto var = std::move(*var##_r)

Result<MemberInfo> member_from_json(const json::value& v, const std::string& instance) {
    const auto* o = v.if_object();
    if (o == nullptr) return bad_conf("members: each entry must be an object");
    if (auto s = only_keys(*o, {"class", "code", "name_ar", "name_fr", "subsystems", "sign_key"}, "member"); !s)
        return s.error();
    MemberInfo m;
    TRY_ASSIGN(cls, str_field(*o, "class", "member"));
    TRY_ASSIGN(code, str_field(*o, "code", "member"));
    auto id = parse_member_id(instance + "/" + cls + "/" + code);
    if (!id) return bad_conf("member: " + id.error().detail);
    m.id = *id;
    const std::string where = "member " + m.id.str();
    TRY_ASSIGN(name_ar, str_field(*o, "name_ar", where));
    TRY_ASSIGN(name_fr, str_field(*o, "name_fr", where));
    m.name_ar = std::move(name_ar);
    m.name_fr = std::move(name_fr);
    TRY_ASSIGN(subs, array_field(*o, "subsystems", where));
    std::set<std::string> seen;
    for (const auto& sv : *subs) {
        const auto* s = sv.if_string();
        if (s == nullptr || !valid_part(*s)) return bad_conf(where + ": invalid subsystem code");
        if (!seen.insert(std::string(*s)).second) return bad_conf(where + ": duplicate subsystem '" + std::string(*s) + "'");
        m.subsystems.emplace_back(s->data(), s->size());
    }
    TRY_ASSIGN(key, str_field(*o, "sign_key", where));
    auto pk = parse_public_key_b64(key);
    if (!pk) return bad_conf(where + ": sign_key is not a base64 Ed25519 public key");
    m.sign_key = *pk;
    return m;
}

Result<GatewayInfo> gateway_from_json(const json::value& v, const std::string& instance) {
    const auto* o = v.if_object();
    if (o == nullptr) return bad_conf("gateways: each entry must be an object");
    if (auto s = only_keys(*o, {"id", "owner", "address", "tls_cert_sha256"}, "gateway"); !s) return s.error();
    GatewayInfo g;
    TRY_ASSIGN(id, str_field(*o, "id", "gateway"));
    TRY_ASSIGN(owner, str_field(*o, "owner", "gateway " + id));
    auto owner_id = parse_member_id(owner);
    if (!owner_id) return bad_conf("gateway " + id + ": owner: " + owner_id.error().detail);
    if (owner_id->instance != instance) return bad_conf("gateway " + id + ": owner of another instance");
    const std::string prefix = owner_id->str() + "/";
    if (id.size() <= prefix.size() || id.compare(0, prefix.size(), prefix) != 0 || !valid_part(id.substr(prefix.size())))
        return bad_conf("gateway " + id + ": id must be OWNER/CODE");
    g.id = id;
    g.owner = *owner_id;
    TRY_ASSIGN(address, str_field(*o, "address", "gateway " + id));
    auto hp = parse_host_port(address);
    if (!hp || hp->port == 0) return bad_conf("gateway " + id + ": address must be host:port");
    g.address = address;
    TRY_ASSIGN(digest, str_field(*o, "tls_cert_sha256", "gateway " + id));
    if (!lower_hex64(digest)) return bad_conf("gateway " + id + ": tls_cert_sha256 must be 64 lower-case hex digits");
    g.tls_cert_sha256 = digest;
    return g;
}

Result<GroupInfo> group_from_json(const json::value& v, const std::string& instance) {
    const auto* o = v.if_object();
    if (o == nullptr) return bad_conf("groups: each entry must be an object");
    if (auto s = only_keys(*o, {"code", "members"}, "group"); !s) return s.error();
    GroupInfo g;
    TRY_ASSIGN(code, str_field(*o, "code", "group"));
    if (!valid_part(code)) return bad_conf("group: invalid code");
    g.code = code;
    TRY_ASSIGN(members, array_field(*o, "members", "group " + code));
    std::set<ClientId> seen;
    for (const auto& mv : *members) {
        const auto* s = mv.if_string();
        if (s == nullptr) return bad_conf("group " + code + ": members must be strings");
        auto c = parse_client_id(*s);
        if (!c) return bad_conf("group " + code + ": " + c.error().detail);
        if (c->instance != instance) return bad_conf("group " + code + ": member of another instance");
        if (!seen.insert(*c).second) return bad_conf("group " + code + ": duplicate member " + c->str());
        g.members.push_back(std::move(*c));
    }
    return g;
}

Status read_lists(const json::object& o, GlobalConf& c) {
    TRY_ASSIGN(members, array_field(o, "members", "configuration"));
    std::set<MemberId> member_ids;
    for (const auto& mv : *members) {
        TRY_ASSIGN(m, member_from_json(mv, c.instance));
        if (!member_ids.insert(m.id).second) return bad_conf("duplicate member " + m.id.str());
        c.members.push_back(std::move(m));
    }
    TRY_ASSIGN(gateways, array_field(o, "gateways", "configuration"));
    std::set<std::string> gw_ids, digests;
    for (const auto& gv : *gateways) {
        TRY_ASSIGN(g, gateway_from_json(gv, c.instance));
        if (!member_ids.count(g.owner)) return bad_conf("gateway " + g.id + ": owner is not a member");
        if (!gw_ids.insert(g.id).second) return bad_conf("duplicate gateway " + g.id);
        if (!digests.insert(g.tls_cert_sha256).second) return bad_conf("gateway " + g.id + ": certificate digest used twice");
        c.gateways.push_back(std::move(g));
    }
    TRY_ASSIGN(groups, array_field(o, "groups", "configuration"));
    std::set<std::string> codes;
    for (const auto& gv : *groups) {
        TRY_ASSIGN(g, group_from_json(gv, c.instance));
        if (!codes.insert(g.code).second) return bad_conf("duplicate group " + g.code);
        c.groups.push_back(std::move(g));
    }
    TRY_ASSIGN(anchors, array_field(o, "trust_anchors", "configuration"));
    for (const auto& av : *anchors) {
        const auto* s = av.if_string();
        if (s == nullptr || s->empty() || s->size() > kMaxPem) return bad_conf("trust_anchors: each must be a PEM text");
        c.trust_anchors_pem.emplace_back(s->data(), s->size());
    }
    return {};
}

Status write_atomically(const std::string& path, std::string_view data) {
    std::string why;
    if (!files::write_atomic(path, data, false, why)) return Error{"exchange.conf_cache", 500, path + ": " + why};
    return {};
}

}  // namespace

const MemberInfo* GlobalConf::member(const MemberId& id) const {
    for (const auto& m : members)
        if (m.id == id) return &m;
    return nullptr;
}

bool GlobalConf::has_client(const ClientId& c) const {
    const auto* m = member(c.member());
    if (m == nullptr) return false;
    return c.subsystem.empty() ||
           std::find(m->subsystems.begin(), m->subsystems.end(), c.subsystem) != m->subsystems.end();
}

std::vector<const GatewayInfo*> GlobalConf::gateways_of(const MemberId& owner) const {
    std::vector<const GatewayInfo*> out;
    for (const auto& g : gateways)
        if (g.owner == owner) out.push_back(&g);
    return out;
}

const GatewayInfo* GlobalConf::gateway_by_digest(std::string_view sha256_hex) const {
    for (const auto& g : gateways)
        if (g.tls_cert_sha256 == sha256_hex) return &g;
    return nullptr;
}

bool GlobalConf::in_group(const ClientId& c, std::string_view group_code) const {
    for (const auto& g : groups) {
        if (g.code != group_code) continue;
        for (const auto& m : g.members)
            if (m == c || (m.subsystem.empty() && m.member() == c.member())) return true;
    }
    return false;
}

std::string to_json(const GlobalConf& c) {
    json::object o;
    o["instance"] = c.instance;
    o["serial"] = c.serial;
    o["issued_at"] = c.issued_at_ms;
    o["expires_at"] = c.expires_at_ms;
    json::array members;
    for (const auto& m : c.members) {
        json::array subs;
        for (const auto& s : m.subsystems) subs.emplace_back(s);
        members.emplace_back(json::object{
            {"class", m.id.member_class},
            {"code", m.id.member_code},
            {"name_ar", m.name_ar},
            {"name_fr", m.name_fr},
            {"subsystems", std::move(subs)},
            {"sign_key", b64(std::string_view(reinterpret_cast<const char*>(m.sign_key.data()), m.sign_key.size()))}});
    }
    o["members"] = std::move(members);
    json::array gateways;
    for (const auto& g : c.gateways)
        gateways.emplace_back(json::object{{"id", g.id},
                                           {"owner", g.owner.str()},
                                           {"address", g.address},
                                           {"tls_cert_sha256", g.tls_cert_sha256}});
    o["gateways"] = std::move(gateways);
    json::array groups;
    for (const auto& g : c.groups) {
        json::array ms;
        for (const auto& m : g.members) ms.emplace_back(m.str());
        groups.emplace_back(json::object{{"code", g.code}, {"members", std::move(ms)}});
    }
    o["groups"] = std::move(groups);
    json::array anchors;
    for (const auto& a : c.trust_anchors_pem) anchors.emplace_back(a);
    o["trust_anchors"] = std::move(anchors);
    o["tsa_url"] = c.tsa_url;
    return json::serialize(o);
}

Result<GlobalConf> conf_from_json(std::string_view text) {
    if (text.size() > kMaxConfBytes) return bad_conf("configuration larger than 4 MiB");
    std::string why;
    auto v = parse_json(text, why);
    if (!v) return bad_conf(why);
    const auto* o = v->if_object();
    if (o == nullptr) return bad_conf("configuration must be a JSON object");
    if (auto s = only_keys(*o,
                           {"instance", "serial", "issued_at", "expires_at", "members", "gateways", "groups",
                            "trust_anchors", "tsa_url"},
                           "configuration");
        !s)
        return s.error();
    GlobalConf c;
    TRY_ASSIGN(instance, str_field(*o, "instance", "configuration"));
    if (!valid_part(instance)) return bad_conf("invalid instance");
    c.instance = instance;
    TRY_ASSIGN(serial, int_field(*o, "serial", "configuration"));
    if (serial < 0) return bad_conf("serial must not be negative");
    c.serial = serial;
    TRY_ASSIGN(issued, int_field(*o, "issued_at", "configuration"));
    TRY_ASSIGN(expires, int_field(*o, "expires_at", "configuration"));
    if (issued < 0 || expires <= issued) return bad_conf("expires_at must be after issued_at");
    c.issued_at_ms = issued;
    c.expires_at_ms = expires;
    if (auto s = read_lists(*o, c); !s) return s.error();
    TRY_ASSIGN(tsa, str_field(*o, "tsa_url", "configuration"));
    if (!tsa.empty() && tsa.rfind("http://", 0) != 0 && tsa.rfind("https://", 0) != 0)
        return bad_conf("tsa_url must be an http(s) URL");
    c.tsa_url = tsa;
    return c;
}

std::string sign_conf(const GlobalConf& c, const SigningKey& central_key) {
    const std::string text = to_json(c);
    json::object env{{"configuration", text}, {"key_id", central_key.key_id()}, {"signature", b64(central_key.sign(text))}};
    return json::serialize(env);
}

Result<GlobalConf> verify_conf(std::string_view envelope, const PublicKey& central_key) {
    if (envelope.size() > kMaxEnvelopeBytes) return bad_conf("signed configuration too large");
    std::string why;
    auto v = parse_json(envelope, why);
    if (!v) return bad_conf(why);
    const auto* o = v->if_object();
    if (o == nullptr) return bad_conf("signed configuration must be a JSON object");
    if (auto s = only_keys(*o, {"configuration", "key_id", "signature"}, "envelope"); !s) return s.error();
    TRY_ASSIGN(text, str_field(*o, "configuration", "envelope", kMaxConfBytes));
    TRY_ASSIGN(key_id, str_field(*o, "key_id", "envelope"));
    TRY_ASSIGN(sig_b64, str_field(*o, "signature", "envelope"));
    auto sig_error = [](std::string d) { return Error{"exchange.configuration_signature", 400, std::move(d)}; };
    if (key_id != key_id_of(central_key)) return sig_error("signed by key " + key_id.substr(0, 16) + ", not the pinned central key");
    auto sig = unb64(sig_b64);
    if (!sig || sig->size() != 64) return sig_error("signature is not a base64 Ed25519 signature");
    if (!verify_signature(central_key, text, *sig)) return sig_error("signature does not verify");
    return conf_from_json(text);
}

Status save_conf_cache(const std::string& path, std::string_view envelope) { return write_atomically(path, envelope); }

Result<GlobalConf> load_conf_cache(const std::string& path, const PublicKey& central_key) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return Error{"exchange.conf_cache", 500, path + ": cannot be read"};
    std::string text(kMaxEnvelopeBytes + 1, '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<std::size_t>(in.gcount()));
    return verify_conf(text, central_key);
}

Result<std::string> cert_digest_from_pem(std::string_view pem) {
    auto bad = [](std::string why) { return Error{"exchange.bad_certificate", 400, std::move(why)}; };
    if (pem.size() > kMaxPem) return bad("PEM too large");
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free);
    if (!bio) return bad("out of memory");
    std::unique_ptr<X509, decltype(&X509_free)> cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr), X509_free);
    if (!cert) {
        ERR_clear_error();
        return bad("not a PEM certificate");
    }
    unsigned char* der = nullptr;
    const int len = i2d_X509(cert.get(), &der);
    if (len <= 0) return bad("cannot encode the certificate");
    unsigned char h[EVP_MAX_MD_SIZE];
    unsigned int hlen = 0;
    const int ok = EVP_Digest(der, static_cast<std::size_t>(len), h, &hlen, EVP_sha256(), nullptr);
    OPENSSL_free(der);
    if (ok != 1) return bad("SHA-256 failed");
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < hlen; ++i) {
        out.push_back(digits[h[i] >> 4]);
        out.push_back(digits[h[i] & 0x0f]);
    }
    return out;
}

}  // namespace idara::exchange
