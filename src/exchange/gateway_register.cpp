// register_gateway (gateway_register.hpp): three kinds of POST /registration/... to the central.
// A one-shot command, so a plain blocking socket client is enough (no Beast here).
#include "exchange/gateway_register.hpp"
#include "exchange/files.hpp"

#include "exchange/ed25519.hpp"

#include <boost/json.hpp>

#include <netdb.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <fstream>
#include <set>
#include <sstream>

namespace idara::exchange {

namespace {

Error failed(std::string why) { return Error{"exchange.registration_failed", 502, std::move(why)}; }

struct HttpAnswer {
    int status = 0;
    std::string body;
};

// POST `body` to http://host:port<path> with Connection: close; reads the whole answer.
Result<HttpAnswer> post_json(const std::string& url, const std::string& path, const std::string& body) {
    constexpr std::string_view scheme = "http://";
    if (url.rfind(scheme, 0) != 0) return failed("central_url is not http://: " + url);
    std::string rest = url.substr(scheme.size());
    std::string base;
    if (auto slash = rest.find('/'); slash != std::string::npos) {
        base = rest.substr(slash);
        rest.resize(slash);
        while (!base.empty() && base.back() == '/') base.pop_back();
    }
    auto hp = parse_host_port(rest);
    if (!hp) return hp.error();
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    if (getaddrinfo(hp->host.c_str(), std::to_string(hp->port).c_str(), &hints, &res) != 0 || res == nullptr)
        return failed("cannot resolve " + hp->host);
    int fd = -1;
    for (addrinfo* a = res; a != nullptr && fd < 0; a = a->ai_next) {
        fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0) continue;
        timeval tv{10, 0};
        ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        if (::connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
            ::close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(res);
    if (fd < 0) return failed("cannot connect to " + rest);
    const std::string req = "POST " + base + path + " HTTP/1.1\r\nHost: " + rest +
                            "\r\nContent-Type: application/json\r\nAccept: application/json\r\nContent-Length: " +
                            std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
    for (std::size_t done = 0; done < req.size();) {
        const ssize_t n = ::send(fd, req.data() + done, req.size() - done, MSG_NOSIGNAL);
        if (n <= 0) {
            ::close(fd);
            return failed("cannot send to " + rest);
        }
        done += static_cast<std::size_t>(n);
    }
    std::string answer;
    char buf[8192];
    for (;;) {
        const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) break;
        answer.append(buf, static_cast<std::size_t>(n));
        if (answer.size() > 1024 * 1024) break;
    }
    ::close(fd);
    const auto eoh = answer.find("\r\n\r\n");
    if (answer.rfind("HTTP/1.", 0) != 0 || eoh == std::string::npos || answer.size() < 12)
        return failed("no HTTP answer from " + rest);
    HttpAnswer out;
    out.status = std::atoi(answer.c_str() + 9);
    out.body = answer.substr(eoh + 4);
    return out;
}

Result<FiledRequest> file(const GatewayConfig& cfg, const std::string& kind, const std::string& subject,
                          const boost::json::object& payload) {
    auto ans = post_json(cfg.central_url, "/registration/" + kind + "s", boost::json::serialize(payload));
    if (!ans) return ans.error();
    FiledRequest f{kind, subject, 0};
    if (ans->status == 409) return f;
    if (ans->status != 202 && ans->status != 200)
        return failed(kind + " " + subject + ": central answered " + std::to_string(ans->status) + " " + ans->body);
    boost::json::error_code ec;
    auto v = boost::json::parse(ans->body, ec);
    const auto* id = !ec && v.is_object() ? v.as_object().if_contains("request_id") : nullptr;
    if (id == nullptr || !id->is_int64()) return failed(kind + " " + subject + ": unexpected answer " + ans->body);
    f.id = id->as_int64();
    return f;
}

}  // namespace

Result<std::vector<FiledRequest>> register_gateway(const GatewayConfig& cfg, const std::string& name_ar,
                                                   const std::string& name_fr,
                                                   const std::vector<std::string>& extra_subsystems) {
    auto key = SigningKey::load(cfg.path("sign.key"));
    if (!key) return key.error();
    auto cert = files::read(cfg.path("tls.crt"));
    if (!cert || cert->empty()) return Error{"exchange.key_file", 500, cfg.path("tls.crt") + ": missing"};
    const MemberId m = cfg.member();
    std::vector<FiledRequest> out;
    auto member = file(cfg, "member", m.str(),
                       {{"class", m.member_class}, {"code", m.member_code}, {"name_ar", name_ar}, {"name_fr", name_fr},
                        {"sign_key", key->public_key_b64()}});
    if (!member) return member.error();
    out.push_back(*member);
    std::set<std::string> subsystems(extra_subsystems.begin(), extra_subsystems.end());
    for (const auto& s : cfg.services) subsystems.insert(s.subsystem);
    for (const auto& s : subsystems) {
        auto r = file(cfg, "subsystem", m.str() + "/" + s, {{"member", m.str()}, {"code", s}});
        if (!r) return r.error();
        out.push_back(*r);
    }
    auto gw = file(cfg, "gateway", cfg.gateway_id(),
                   {{"owner", m.str()}, {"code", cfg.gateway_code}, {"address", cfg.peer_listen}, {"tls_cert_pem", *cert}});
    if (!gw) return gw.error();
    out.push_back(*gw);
    return out;
}

}  // namespace idara::exchange
