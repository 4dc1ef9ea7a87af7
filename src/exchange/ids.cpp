#include "exchange/ids.hpp"

#include <array>
#include <vector>

namespace idara::exchange {

namespace {

constexpr std::size_t kMaxPart = 64;
constexpr std::size_t kMaxTarget = 4096;

Error bad_id(std::string detail) { return Error{"exchange.bad_identifier", 400, std::move(detail)}; }

std::vector<std::string_view> split(std::string_view s, char sep) {
    std::vector<std::string_view> out;
    std::size_t start = 0;
    for (;;) {
        const auto at = s.find(sep, start);
        if (at == std::string_view::npos) {
            out.push_back(s.substr(start));
            return out;
        }
        out.push_back(s.substr(start, at - start));
        start = at + 1;
    }
}

bool ascii_iequal(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; };
        if (lower(a[i]) != lower(b[i])) return false;
    }
    return true;
}

// A segment of the rest of a target that names the current or parent directory, also percent-encoded.
bool dot_segment(std::string_view seg) {
    for (std::string_view dot : {".", "..", "%2e", ".%2e", "%2e.", "%2e%2e"})
        if (ascii_iequal(seg, dot)) return true;
    return false;
}

// Printable ASCII without space, '#' and backslash: what may appear in a request target here.
bool target_char(char c) {
    const auto u = static_cast<unsigned char>(c);
    return u > 0x20 && u < 0x7f && c != '#' && c != '\\';
}

}  // namespace

std::string MemberId::str() const { return instance + "/" + member_class + "/" + member_code; }

MemberId ClientId::member() const { return MemberId{instance, member_class, member_code}; }

std::string ClientId::str() const {
    std::string s = instance + "/" + member_class + "/" + member_code;
    if (!subsystem.empty()) s += "/" + subsystem;
    return s;
}

std::string ServiceId::str() const { return provider.str() + "/" + service_code; }

bool valid_part(std::string_view part) {
    if (part.empty() || part.size() > kMaxPart || part == "." || part == "..") return false;
    for (char c : part) {
        const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
                        c == '_' || c == '-';
        if (!ok) return false;
    }
    return true;
}

Result<MemberId> parse_member_id(std::string_view s) {
    if (s.size() > 4 * (kMaxPart + 1)) return bad_id("member identifier too long");
    const auto parts = split(s, '/');
    if (parts.size() != 3) return bad_id("a member identifier has 3 parts: INSTANCE/CLASS/MEMBER");
    for (auto p : parts)
        if (!valid_part(p)) return bad_id("invalid identifier part '" + std::string(p.substr(0, kMaxPart)) + "'");
    return MemberId{std::string(parts[0]), std::string(parts[1]), std::string(parts[2])};
}

Result<ClientId> parse_client_id(std::string_view s) {
    if (s.size() > 4 * (kMaxPart + 1)) return bad_id("client identifier too long");
    const auto parts = split(s, '/');
    if (parts.size() != 3 && parts.size() != 4)
        return bad_id("a client identifier is INSTANCE/CLASS/MEMBER[/SUBSYSTEM]");
    for (auto p : parts)
        if (!valid_part(p)) return bad_id("invalid identifier part '" + std::string(p.substr(0, kMaxPart)) + "'");
    ClientId c{std::string(parts[0]), std::string(parts[1]), std::string(parts[2]), {}};
    if (parts.size() == 4) c.subsystem = std::string(parts[3]);
    return c;
}

Result<Target> parse_target(std::string_view target) {
    if (target.size() > kMaxTarget) return bad_id("target longer than 4096 bytes");
    for (char c : target)
        if (!target_char(c)) return bad_id("target holds a forbidden character");
    constexpr std::string_view prefix = "/r1/";
    if (target.substr(0, prefix.size()) != prefix) return bad_id("target must start with /r1/");
    Target t;
    std::string_view path = target.substr(prefix.size());
    if (const auto q = path.find('?'); q != std::string_view::npos) {
        t.query = std::string(path.substr(q + 1));
        path = path.substr(0, q);
    }
    if (path.find("//") != std::string_view::npos) return bad_id("empty path segment");
    const auto segs = split(path, '/');
    if (segs.size() == 2 && segs[1] == "listClients") {
        if (!valid_part(segs[0])) return bad_id("invalid instance");
        t.kind = Target::Kind::list_clients;
        t.instance = std::string(segs[0]);
        return t;
    }
    if (segs.size() < 5) return bad_id("a service target is /r1/INSTANCE/CLASS/MEMBER/SUBSYSTEM/SERVICE[/path]");
    for (std::size_t i = 0; i < 5; ++i)
        if (!valid_part(segs[i])) return bad_id("invalid identifier part '" + std::string(segs[i].substr(0, kMaxPart)) + "'");
    for (std::size_t i = 5; i < segs.size(); ++i)
        if (dot_segment(segs[i])) return bad_id("dot segment in path");
    t.kind = Target::Kind::service;
    t.service.provider = ClientId{std::string(segs[0]), std::string(segs[1]), std::string(segs[2]), std::string(segs[3])};
    t.service.service_code = std::string(segs[4]);
    std::size_t rest_at = 0;
    for (std::size_t i = 0; i < 5; ++i) rest_at += segs[i].size() + 1;
    if (rest_at <= path.size()) t.rest = "/" + std::string(path.substr(rest_at));
    return t;
}

bool is_metaservice(std::string_view service_code) {
    return service_code == "listMethods" || service_code == "allowedMethods" || service_code == "getOpenAPI";
}

}  // namespace idara::exchange
