// The client port: plain HTTP from the member's own information systems (docs/design/exchange.md).
//
// One request: check the client and the configuration, sign, send to the provider's gateway over
// mutual TLS, verify the signed response and its request hash, log, answer. Every exchange is
// recorded (append_op before anything was signed, append after) and counted in the metrics.
#include "exchange/gateway_meta.hpp"
#include "exchange/gateway_net.hpp"
#include "exchange/message.hpp"

namespace idara::exchange::gw {

namespace {

// One exchange as it goes.
struct Call {
    Engine& e;
    OpRecord op;
    LogRecord rec;
    bool signed_request = false;
    explicit Call(Engine& eng) : e(eng) {
        op.direction = Direction::client;
        rec.direction = Direction::client;
        op.start_ms = e.clock.now_ms();
        rec.at_ms = op.start_ms;
    }
};

// Fills the operational record for a failure and builds the X-Road error answer.
StringResponse fail(Call& c, const char* type, const std::string& technical) {
    XError x{type, technical};
    StringResponse res = xerror_response(c.e, x, c.op.query_id);
    c.op.end_ms = c.e.clock.now_ms();
    c.op.success = false;
    c.op.status = x.status();
    c.op.error_type = x.type;
    c.op.response_bytes = static_cast<std::int64_t>(res.body().size());
    return res;
}

const char* round_trip_error(Outcome o) {
    switch (o) {
        case Outcome::tls_failed: return "Server.ClientProxy.SslAuthenticationFailed";
        case Outcome::too_large: return "Server.ClientProxy.ResponseTooLarge";
        default: return "Server.ClientProxy.NetworkError";
    }
}

// The signature and request hash of the provider's response. "" when fine, else the error type.
const char* verify_response(const StringResponse& r, const MemberInfo& provider, const std::string& our_hash,
                            std::string& canonical_out, std::string& sig_out, std::string& why) {
    sig_out = header_of(r, kSignatureHeader);
    auto sig = parse_signature_header(sig_out);
    if (!sig) {
        why = sig_out.empty() ? "response not signed" : "response signature header: " + sig.error().detail;
        return "Server.ClientProxy.InvalidSignatureValue";
    }
    if (sig->signer != provider.id) {
        why = "response signed by " + sig->signer.str() + ", expected " + provider.id.str();
        return "Server.ClientProxy.InvalidSignatureValue";
    }
    ResponseParts parts;
    parts.status = static_cast<int>(r.result_int());
    parts.query_id = header_of(r, "X-Road-Id");
    parts.request_hash = header_of(r, kRequestHashHeader);
    parts.content_type = header_of(r, "Content-Type");
    parts.body_sha256 = sha256(r.body());
    auto canon = canonical(parts);
    if (!canon || !verify_canonical(provider.sign_key, *canon, sig->sig)) {
        why = canon ? "response signature does not verify" : "response fields: " + canon.error().detail;
        return "Server.ClientProxy.InvalidSignatureValue";
    }
    canonical_out = std::move(*canon);
    if (parts.request_hash != our_hash) {
        why = "X-Road-Request-Hash " + parts.request_hash + " is not the hash of the request sent";
        return "Server.ClientProxy.InvalidRequestHash";
    }
    return "";
}

// What prepare() hands to the network part.
struct Prepared {
    std::shared_ptr<const ConfState> state;
    StringRequest out;
    const MemberInfo* provider = nullptr;
    std::vector<const GatewayInfo*> gateways;
    std::string our_hash, client_text;
    ServiceId service;
};

StringResponse answer(Call& c, StringResponse res) {
    c.op.end_ms = c.e.clock.now_ms();
    c.op.status = static_cast<int>(res.result_int());
    c.op.response_bytes = static_cast<std::int64_t>(res.body().size());
    return res;
}

// Everything before the network: checks, signature, the request to send. Returns the answer
// when the exchange ends here (an error, or listClients).
std::optional<StringResponse> prepare(Call& c, StringRequest& req, Prepared& p) {
    Engine& e = c.e;
    p.state = e.conf();
    const GlobalConf& conf = *p.state->conf;
    c.op.request_bytes = static_cast<std::int64_t>(req.body().size());
    c.op.query_id = header_of(req, "X-Road-Id");
    if (c.op.query_id.empty()) c.op.query_id = new_detail_id();
    c.op.user_id = header_of(req, "X-Road-UserId");
    c.rec.query_id = c.op.query_id;
    const std::string target(req.target());
    auto t = parse_target(target);
    if (!t) return fail(c, "Client.InvalidServiceIdentifier", t.error().detail);
    if (conf.expired(e.clock.now_ms()))
        return fail(c, "Server.ClientProxy.OutdatedGlobalConf", "configuration expired at " + std::to_string(conf.expires_at_ms));
    if (t->kind == Target::Kind::list_clients) {
        c.op.service = "listClients";
        if (t->instance != conf.instance) return fail(c, "Client.InvalidServiceIdentifier", "unknown instance " + t->instance);
        StringResponse res{bhttp::status::ok, 11};
        res.set(bhttp::field::content_type, "application/json");
        res.body() = list_clients_json(conf);
        c.op.success = true;
        return answer(c, std::move(res));
    }
    p.service = t->service;
    c.op.service = c.rec.service = p.service.str();
    p.client_text = header_of(req, "X-Road-Client");
    c.op.client = c.rec.client = p.client_text;
    auto client = parse_client_id(p.client_text);
    // A malformed client, or one that is not this gateway's member: InvalidClientIdentifier;
    // our member (or a subsystem) unknown to the configuration: UnknownMember.
    if (!client)
        return fail(c, "Client.InvalidClientIdentifier", p.client_text.empty() ? "no X-Road-Client header" : client.error().detail);
    if (client->member() != e.member)
        return fail(c, "Client.InvalidClientIdentifier", p.client_text + " is not a client of gateway " + e.cfg.gateway_id());
    if (!conf.has_client(*client)) return fail(c, "Client.UnknownMember", p.client_text + " is not in the global configuration");
    if (const auto h = e.log->health(); !h.accepting) return fail(c, "Server.ClientProxy.TimestampingFailed", h.last_error);
    p.provider = conf.member(p.service.provider.member());
    p.gateways = conf.gateways_of(p.service.provider.member());
    if (p.provider == nullptr || p.gateways.empty())
        return fail(c, "Server.ClientProxy.UnknownMember", "no gateway of " + p.service.provider.member().str() + " in the configuration");

    RequestParts parts;
    parts.method = std::string(req.method_string());
    parts.target = target;
    parts.client = p.client_text;
    parts.query_id = c.op.query_id;
    parts.user_id = c.op.user_id;
    parts.issue = header_of(req, "X-Road-Issue");
    parts.content_type = header_of(req, "Content-Type");
    BodyHasher hasher;  // the body is in memory already (read within max_request_bytes)
    hasher.update(req.body());
    parts.body_sha256 = hasher.finish();
    auto canon = canonical(parts);
    if (!canon) return fail(c, "Client.InvalidRequest", canon.error().detail);
    const std::string sig = signature_header(e.member, e.sign_key, *canon);
    p.our_hash = request_hash(*canon);
    c.rec.request_canonical = *canon;
    c.rec.request_signature = sig;
    c.rec.request_body = req.body();
    c.signed_request = true;

    StringRequest& out = p.out;
    out.version(11);
    out.target(req.target());
    if (req.method() == bhttp::verb::unknown) out.method_string(req.method_string());
    else out.method(req.method());
    out.set("X-Road-Client", p.client_text);
    out.set("X-Road-Id", parts.query_id);
    if (!parts.user_id.empty()) out.set("X-Road-UserId", parts.user_id);
    if (!parts.issue.empty()) out.set("X-Road-Issue", parts.issue);
    if (!parts.content_type.empty()) out.set(bhttp::field::content_type, parts.content_type);
    if (const auto accept = header_of(req, "Accept"); !accept.empty()) out.set(bhttp::field::accept, accept);
    out.set(kSignatureHeader, sig);
    out.body() = std::move(req.body());
    return std::nullopt;
}

// After the round trip: verify and relay.
StringResponse finish(Call& c, RoundTrip& rt, const Prepared& p) {
    if (rt.outcome != Outcome::ok) return fail(c, round_trip_error(rt.outcome), rt.reason);
    StringResponse& pr = rt.response;
    std::string why;
    const char* bad = verify_response(pr, *p.provider, p.our_hash, c.rec.response_canonical, c.rec.response_signature, why);
    if (*bad != '\0') return fail(c, bad, why);
    c.rec.response_body = pr.body();
    StringResponse res{pr.result(), 11};
    for (const char* h : {"Content-Type", "X-Road-Id", "X-Road-Request-Hash", "X-Road-Error"}) {
        const std::string v = header_of(pr, h);
        if (!v.empty()) res.set(h, v);
    }
    res.set("X-Road-Client", p.client_text);
    res.set("X-Road-Service", p.service.str());
    res.body() = std::move(pr.body());
    c.op.error_type = header_of(pr, "X-Road-Error");
    c.op.success = c.op.error_type.empty() && res.result_int() < 400;
    return answer(c, std::move(res));
}

awaitable<StringResponse> handle(Call& c, StringRequest& req) {
    Prepared p;
    std::optional<StringResponse> early = prepare(c, req, p);
    if (early) {
        co_await c.e.record(c.rec, c.op, c.signed_request);
        co_return std::move(*early);
    }
    RoundTrip rt;
    for (const GatewayInfo* g : p.gateways) {
        c.op.peer_gateway = g->id;
        rt = co_await peer_round_trip(c.e, *g, p.out);
        if (rt.outcome != Outcome::connect_failed) break;
    }
    StringResponse res = finish(c, rt, p);
    // Nothing is handed to the information system that the log does not hold.
    if (!co_await c.e.record(c.rec, c.op, c.signed_request))
        res = fail(c, "Server.ClientProxy.MessageLogFailed", "the message log refused the exchange");
    co_return res;
}

}  // namespace

awaitable<void> linger(beast::tcp_stream& s, beast::flat_buffer& buf) {
    beast::error_code ec;
    s.socket().shutdown(tcp::socket::shutdown_send, ec);
    if (ec) co_return;
    std::size_t discarded = 0;
    s.expires_after(std::chrono::milliseconds(500));
    while (discarded < 4 * 1024 * 1024) {
        buf.clear();
        auto [rec, n] = co_await s.async_read_some(buf.prepare(16 * 1024), use_tuple);
        if (rec) break;
        discarded += n;
    }
    buf.clear();
}

awaitable<void> client_session(Engine& e, tcp::socket sock) {
    beast::tcp_stream s(std::move(sock));
    beast::flat_buffer buf;
    const auto timeout = std::chrono::milliseconds(e.cfg.limits.backend_timeout_ms + e.cfg.limits.connect_timeout_ms);
    for (bool keep = true; keep && !e.draining;) {
        StringRequest req;
        const ReadResult rr = co_await read_request(s, buf, req, static_cast<std::size_t>(e.cfg.limits.max_header_bytes),
                                                    e.cfg.limits.max_request_bytes, std::chrono::seconds(30),
                                                    std::chrono::seconds(30));
        if (rr == ReadResult::closed) break;
        StringResponse res;
        keep = rr == ReadResult::ok && req.keep_alive();
        ++e.in_flight;
        Call c(e);
        if (rr == ReadResult::too_large || rr == ReadResult::bad) {
            res = rr == ReadResult::bad ? fail(c, "Client.InvalidRequest", "malformed HTTP request")
                                        : fail(c, "Client.RequestTooLarge",
                                               "request body above " + std::to_string(e.cfg.limits.max_request_bytes) + " bytes");
            co_await e.record(c.rec, c.op, false);
        } else {
            res = co_await handle(c, req);
        }
        --e.in_flight;
        keep = keep && !e.draining;
        res.keep_alive(keep);
        res.prepare_payload();
        s.expires_after(timeout);
        auto [wec, wn] = co_await bhttp::async_write(s, res, use_tuple);
        (void)wn;
        if (wec) break;
        if (rr != ReadResult::ok) co_await linger(s, buf);
    }
    beast::error_code ec;
    s.socket().shutdown(tcp::socket::shutdown_send, ec);
    s.socket().close(ec);
}

}  // namespace idara::exchange::gw
