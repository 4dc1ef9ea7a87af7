#include "exchange/access.hpp"

#include <algorithm>

namespace idara::exchange {

namespace {

constexpr std::string_view kGroupPrefix = "group:";

Error bad_rule(std::string why) { return Error{"exchange.bad_access_rule", 400, std::move(why)}; }

std::vector<std::string_view> segments(std::string_view path) {
    // `path` starts with '/'; "/" has no segment.
    std::vector<std::string_view> out;
    if (path.size() <= 1) return out;
    std::size_t start = 1;
    for (;;) {
        const auto at = path.find('/', start);
        if (at == std::string_view::npos) {
            out.push_back(path.substr(start));
            return out;
        }
        out.push_back(path.substr(start, at - start));
        start = at + 1;
    }
}

bool valid_method(std::string_view m) {
    if (m == "*") return true;
    if (m.empty() || m.size() > 16) return false;
    return std::all_of(m.begin(), m.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

bool pattern_char(char c) {
    const auto u = static_cast<unsigned char>(c);
    return u > 0x20 && u < 0x7f && c != '?' && c != '#' && c != '\\';
}

// One segment matched by '*': non-empty and not hiding a slash in percent-encoding.
bool one_segment(std::string_view seg) {
    if (seg.empty()) return false;
    for (std::size_t i = 0; i + 2 < seg.size(); ++i)
        if (seg[i] == '%' && seg[i + 1] == '2' && (seg[i + 2] == 'f' || seg[i + 2] == 'F')) return false;
    return true;
}

bool subject_matches(std::string_view subject, const GlobalConf& conf, const ClientId& client) {
    if (subject.substr(0, kGroupPrefix.size()) == kGroupPrefix)
        return conf.in_group(client, subject.substr(kGroupPrefix.size()));
    auto s = parse_client_id(subject);
    if (!s) return false;
    if (s->subsystem.empty()) return s->member() == client.member();
    return *s == client;
}

}  // namespace

Status validate(const AccessRule& r) {
    if (r.subject.substr(0, kGroupPrefix.size()) == kGroupPrefix) {
        if (!valid_part(std::string_view(r.subject).substr(kGroupPrefix.size())))
            return bad_rule("subject: invalid group code");
    } else if (auto c = parse_client_id(r.subject); !c) {
        return bad_rule("subject: " + c.error().detail);
    }
    if (!valid_part(r.service_code)) return bad_rule("service: invalid service code");
    if (r.methods.empty()) return bad_rule("methods: at least one method or \"*\"");
    for (const auto& m : r.methods)
        if (!valid_method(m)) return bad_rule("methods: '" + m.substr(0, 16) + "' is not an upper-case method or \"*\"");
    if (r.path.empty() || r.path.front() != '/' || r.path.size() > 1024) return bad_rule("path: must start with '/'");
    if (!std::all_of(r.path.begin(), r.path.end(), pattern_char)) return bad_rule("path: forbidden character");
    const auto segs = segments(r.path);
    for (std::size_t i = 0; i < segs.size(); ++i) {
        const auto seg = segs[i];
        if (seg.empty()) return bad_rule("path: empty segment");
        if (seg == "**" && i + 1 != segs.size()) return bad_rule("path: \"**\" only as the last segment");
        if (seg != "*" && seg != "**" && seg.find('*') != std::string_view::npos)
            return bad_rule("path: '*' must be a whole segment");
        if (seg == "." || seg == "..") return bad_rule("path: dot segment");
    }
    return {};
}

bool path_matches(std::string_view pattern, std::string_view path) {
    if (path.empty()) path = "/";
    if (pattern.empty() || pattern.front() != '/' || path.front() != '/') return false;
    const auto pat = segments(pattern);
    const auto got = segments(path);
    std::size_t i = 0;
    for (; i < pat.size(); ++i) {
        if (pat[i] == "**") return i + 1 == pat.size();
        if (i >= got.size()) return false;
        if (pat[i] == "*") {
            if (!one_segment(got[i])) return false;
        } else if (pat[i] != got[i]) {
            return false;
        }
    }
    return i == got.size();
}

bool allowed(const std::vector<AccessRule>& rules, const GlobalConf& conf, const ClientId& client,
             std::string_view service_code, std::string_view method, std::string_view path) {
    for (const auto& r : rules) {
        if (r.service_code != service_code) continue;
        const bool method_ok = std::any_of(r.methods.begin(), r.methods.end(),
                                           [&](const std::string& m) { return m == "*" || m == method; });
        if (!method_ok) continue;
        if (!path_matches(r.path, path)) continue;
        if (subject_matches(r.subject, conf, client)) return true;
    }
    return false;
}

std::vector<AccessRule> rules_for(const std::vector<AccessRule>& rules, const GlobalConf& conf,
                                  const ClientId& client) {
    std::vector<AccessRule> out;
    for (const auto& r : rules)
        if (subject_matches(r.subject, conf, client)) out.push_back(r);
    return out;
}

}  // namespace idara::exchange
