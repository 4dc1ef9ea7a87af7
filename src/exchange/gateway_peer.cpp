// The peer port: mutual TLS from other gateways (docs/design/exchange.md, "Trust and transport").
//
// The handshake's verify callback accepts only a chain that ends at a trust anchor of the
// configuration AND a leaf whose DER SHA-256 is registered for a gateway; anything else is closed
// before a byte of payload is read. Then per request: the client must belong to the owner of that
// gateway, the signature must verify with the client member's key, the service must be ours and
// the access rules must allow the call; metaservices are answered here, other calls go to the
// back-end. Every answer, errors included, is signed (with the request hash) and logged.
#include "core/log.hpp"
#include "exchange/access.hpp"
#include "exchange/gateway_meta.hpp"
#include "exchange/gateway_net.hpp"
#include "exchange/message.hpp"

namespace idara::exchange::gw {

namespace {

struct PeerCall {
    Engine& e;
    const GatewayInfo& peer;
    std::shared_ptr<const ConfState> state;
    OpRecord op;
    LogRecord rec;
    std::string request_hash;  // "" when the request had no canonical form
    PeerCall(Engine& eng, const GatewayInfo& g) : e(eng), peer(g), state(eng.conf()) {
        op.direction = Direction::server;
        rec.direction = Direction::server;
        op.start_ms = e.clock.now_ms();
        rec.at_ms = op.start_ms;
        op.peer_gateway = g.id;
    }
};

// A call to forward to the back-end.
struct Forward {
    std::string host;
    std::uint16_t port = 80;
    std::int64_t timeout_ms = 10000;
    StringRequest req;
};

StringResponse fail(PeerCall& c, const char* type, const std::string& technical) {
    XError x{type, technical};
    StringResponse res = xerror_response(c.e, x, c.op.query_id);
    c.op.error_type = x.type;
    return res;
}

// Checks the request; returns the answer when it ends here (error or metaservice), else fills `fwd`.
std::optional<StringResponse> prepare(PeerCall& c, StringRequest& req, Forward& fwd) {
    Engine& e = c.e;
    const GlobalConf& conf = *c.state->conf;
    c.op.request_bytes = static_cast<std::int64_t>(req.body().size());
    c.op.query_id = header_of(req, "X-Road-Id");
    if (c.op.query_id.empty()) c.op.query_id = new_detail_id();
    c.op.user_id = header_of(req, "X-Road-UserId");
    c.op.client = c.rec.client = header_of(req, "X-Road-Client");
    c.rec.query_id = c.op.query_id;
    const std::string target(req.target());

    RequestParts parts;
    parts.method = std::string(req.method_string());
    parts.target = target;
    parts.client = c.op.client;
    parts.query_id = header_of(req, "X-Road-Id");
    parts.user_id = c.op.user_id;
    parts.issue = header_of(req, "X-Road-Issue");
    parts.content_type = header_of(req, "Content-Type");
    parts.body_sha256 = sha256(req.body());
    auto canon = canonical(parts);
    if (!canon) return fail(c, "Client.InvalidRequest", canon.error().detail);
    c.request_hash = request_hash(*canon);
    c.rec.request_canonical = *canon;
    c.rec.request_signature = header_of(req, kSignatureHeader);
    c.rec.request_body = req.body();

    if (conf.expired(e.clock.now_ms()))
        return fail(c, "Server.ServerProxy.OutdatedGlobalConf", "configuration expired at " + std::to_string(conf.expires_at_ms));
    if (const auto h = e.log->health(); !h.accepting) return fail(c, "Server.ServerProxy.TimestampingFailed", h.last_error);
    auto client = parse_client_id(c.op.client);
    if (!client || client->member() != c.peer.owner || !conf.has_client(*client))
        return fail(c, "Server.ServerProxy.InvalidClient",
                    "client " + c.op.client + " does not belong to " + c.peer.owner.str() + " (gateway " + c.peer.id + ")");
    auto sig = parse_signature_header(c.rec.request_signature);
    if (!sig) return fail(c, "Server.ServerProxy.InvalidSignatureValue", "signature header: " + sig.error().detail);
    const MemberInfo* signer = conf.member(client->member());
    if (sig->signer != client->member() || signer == nullptr)
        return fail(c, "Server.ServerProxy.InvalidSignatureValue", "signed by " + sig->signer.str() + ", client is " + c.op.client);
    if (!verify_canonical(signer->sign_key, *canon, sig->sig))
        return fail(c, "Server.ServerProxy.InvalidSignatureValue", "request signature does not verify");

    auto t = parse_target(target);
    if (!t || t->kind != Target::Kind::service)
        return fail(c, "Server.ServerProxy.UnknownService", t ? "listClients is answered by the client gateway" : t.error().detail);
    const ServiceId& service = t->service;
    c.op.service = c.rec.service = service.str();
    if (service.provider.member() != e.member)
        return fail(c, "Server.ServerProxy.UnknownService", service.provider.member().str() + " is not served here");
    if (is_metaservice(service.service_code)) {
        MetaAnswer a = answer_metaservice(e.cfg, conf, *client, service, t->query);
        if (!a.xerror_type.empty()) return fail(c, a.xerror_type.c_str(), a.technical);
        StringResponse res{bhttp::status::ok, 11};
        res.set(bhttp::field::content_type, a.content_type);
        res.body() = std::move(a.body);
        return res;
    }
    const ServiceDef* def = e.cfg.service(service.provider.subsystem, service.service_code);
    if (def == nullptr) return fail(c, "Server.ServerProxy.UnknownService", "no service " + service.str());
    const std::string_view method(req.method_string().data(), req.method_string().size());
    if (!allowed(e.cfg.access, conf, *client, def->code, method, t->rest))
        return fail(c, "Server.ServerProxy.AccessDenied", c.op.client + " may not " + std::string(method) + " " + service.str() + t->rest);

    auto url = parse_http_url(def->backend_url);
    if (!url) return fail(c, "Server.ServerProxy.ServiceFailed", "backend_url: " + url.error().detail);
    fwd.host = url->host;
    fwd.port = url->port;
    fwd.timeout_ms = def->timeout_ms > 0 ? def->timeout_ms : e.cfg.limits.backend_timeout_ms;
    std::string path = url->base + (t->rest.empty() ? std::string("/") : t->rest);
    if (!t->query.empty()) path += "?" + t->query;
    StringRequest& out = fwd.req;
    out.version(11);
    out.target(path);
    if (req.method() == bhttp::verb::unknown) out.method_string(req.method_string());
    else out.method(req.method());
    for (const char* h : {"Content-Type", "Accept", "X-Road-Client", "X-Road-Id", "X-Road-UserId", "X-Road-Issue"}) {
        const std::string v = header_of(req, h);
        if (!v.empty()) out.set(h, v);
    }
    out.body() = std::move(req.body());
    return std::nullopt;
}

StringResponse from_backend(PeerCall& c, RoundTrip& rt) {
    if (rt.outcome == Outcome::too_large)
        return fail(c, "Server.ServerProxy.ResponseTooLarge", "back-end response above " + std::to_string(c.e.cfg.limits.max_response_bytes) + " bytes");
    if (rt.outcome != Outcome::ok) return fail(c, "Server.ServerProxy.ServiceFailed", "back-end: " + rt.reason);
    StringResponse res{rt.response.result(), 11};
    const std::string ct = header_of(rt.response, "Content-Type");
    if (!ct.empty()) res.set(bhttp::field::content_type, ct);
    res.body() = std::move(rt.response.body());
    return res;
}

// Signs the answer (every answer of the peer port) and completes the records.
void sign(PeerCall& c, StringResponse& res) {
    ResponseParts parts;
    parts.status = static_cast<int>(res.result_int());
    parts.query_id = c.op.query_id;
    parts.request_hash = c.request_hash;
    parts.content_type = header_of(res, "Content-Type");
    parts.body_sha256 = sha256(res.body());
    res.set("X-Road-Id", c.op.query_id);
    if (!c.request_hash.empty()) res.set(kRequestHashHeader, c.request_hash);
    if (auto canon = canonical(parts)) {
        const std::string sig = signature_header(c.e.member, c.e.sign_key, *canon);
        res.set(kSignatureHeader, sig);
        c.rec.response_canonical = std::move(*canon);
        c.rec.response_signature = sig;
    }
    c.rec.response_body = res.body();
    c.op.end_ms = c.e.clock.now_ms();
    c.op.status = parts.status;
    c.op.success = c.op.error_type.empty() && parts.status < 400;
    c.op.response_bytes = static_cast<std::int64_t>(res.body().size());
}

awaitable<StringResponse> handle(PeerCall& c, StringRequest& req) {
    Forward fwd;
    std::optional<StringResponse> early = prepare(c, req, fwd);
    StringResponse res;
    if (early) {
        res = std::move(*early);
    } else {
        RoundTrip rt = co_await plain_round_trip(c.e, fwd.host, fwd.port, fwd.req, fwd.timeout_ms,
                                                 c.e.cfg.limits.max_response_bytes);
        res = from_backend(c, rt);
    }
    sign(c, res);
    // A response the log could not keep is not sent; the client gets a signed error instead.
    if (!co_await c.e.record(c.rec, c.op, !c.request_hash.empty())) {
        res = fail(c, "Server.ServerProxy.MessageLogFailed", "the message log refused the exchange");
        sign(c, res);
    }
    co_return res;
}

}  // namespace

awaitable<void> peer_session(Engine& e, tcp::socket sock) {
    const auto state = e.conf();
    TlsStream s(std::move(sock), *state->server_tls);
    const GatewayInfo* peer = nullptr;
    std::string seen;  // digest of the leaf presented, for the log
    s.set_verify_callback([&](bool preverified, ssl::verify_context& vc) {
        X509_STORE_CTX* ctx = vc.native_handle();
        if (!preverified) return false;
        if (X509_STORE_CTX_get_error_depth(ctx) != 0) return true;
        seen = leaf_digest(X509_STORE_CTX_get_current_cert(ctx));
        peer = state->conf->gateway_by_digest(seen);
        return peer != nullptr;
    });
    beast::get_lowest_layer(s).expires_after(std::chrono::milliseconds(e.cfg.limits.connect_timeout_ms));
    auto [hec] = co_await s.async_handshake(ssl::stream_base::server, use_tuple);
    if (hec || peer == nullptr) {
        log::warn("exchange.peer_refused", {{"reason", hec ? hec.message() : "no registered certificate"},
                                            {"certificate_sha256", seen}});
        beast::error_code ec;
        beast::get_lowest_layer(s).socket().close(ec);
        co_return;
    }
    beast::flat_buffer buf;
    const auto write_timeout = std::chrono::milliseconds(e.cfg.limits.backend_timeout_ms);
    for (bool keep = true; keep && !e.draining;) {
        StringRequest req;
        const ReadResult rr = co_await read_request(s, buf, req, static_cast<std::size_t>(e.cfg.limits.max_header_bytes),
                                                    e.cfg.limits.max_request_bytes, std::chrono::seconds(60),
                                                    std::chrono::seconds(30));
        if (rr == ReadResult::closed) break;
        ++e.in_flight;
        PeerCall c(e, *peer);
        StringResponse res;
        if (rr == ReadResult::ok) {
            keep = req.keep_alive();
            res = co_await handle(c, req);
        } else {
            keep = false;
            res = rr == ReadResult::bad ? fail(c, "Client.InvalidRequest", "malformed HTTP request")
                                        : fail(c, "Client.RequestTooLarge",
                                               "request body above " + std::to_string(e.cfg.limits.max_request_bytes) + " bytes");
            sign(c, res);
            co_await e.record(c.rec, c.op, false);
        }
        --e.in_flight;
        keep = keep && !e.draining;
        res.keep_alive(keep);
        res.prepare_payload();
        beast::get_lowest_layer(s).expires_after(write_timeout);
        auto [wec, wn] = co_await bhttp::async_write(s, res, use_tuple);
        (void)wn;
        if (wec) break;
    }
    beast::error_code ec;
    beast::get_lowest_layer(s).socket().shutdown(tcp::socket::shutdown_both, ec);
    beast::get_lowest_layer(s).socket().close(ec);
}

}  // namespace idara::exchange::gw
