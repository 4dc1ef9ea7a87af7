#include "api/deposits.hpp"

#include "api/auth.hpp"
#include "api/json_io.hpp"
#include "core/dates.hpp"
#include "core/log.hpp"
#include "identity/service.hpp"
#include "registry/deposit.hpp"
#include "trust/key_store.hpp"

#include <boost/json.hpp>


namespace idara::api {

namespace json = boost::json;
using registry::Channel;

namespace {

json::object names(const std::string& ar, const std::string& fr) { return {{"ar", ar}, {"fr", fr}}; }

std::string receipt_url(const std::string& number) { return "/api/v1/deposits/" + number + "/receipt.pdf"; }

// The "deposit" JSON part into a NewDeposit (files are added by the caller).
Result<registry::NewDeposit> read_deposit(std::string_view text, const identity::Principal& who) {
    boost::system::error_code ec;
    json::value v = json::parse(text, ec);
    if (ec) return errors::malformed_json(ec.message());
    if (!v.is_object()) return Error{"deposit.json_part", 400, "deposit part is not an object"};
    const auto& o = v.as_object();
    registry::NewDeposit d;
    auto adm = optional_string(o, "administration", 32);
    if (!adm) return adm.error();
    d.administration_code = adm->value_or("");
    auto type = optional_string(o, "type", 32);
    if (!type) return type.error();
    d.type_code = type->value_or("");
    auto subject = optional_string(o, "subject", 4000);
    if (!subject) return subject.error();
    d.subject = subject->value_or("");
    auto body = optional_string(o, "body", 200000);
    if (!body) return body.error();
    d.body = body->value_or("");
    auto unit = optional_string(o, "unit", 32);
    if (!unit) return unit.error();
    d.unit_code = *unit;
    if (auto it = o.find("depositor"); it != o.end() && !it->value().is_null()) {
        if (!it->value().is_object()) return errors::bad_request("depositor must be an object");
        auto name = optional_string(it->value().as_object(), "name", 2000);
        if (!name) return name.error();
        auto idn = optional_string(it->value().as_object(), "id_number", 64);
        if (!idn) return idn.error();
        d.depositor_name = name->value_or("");
        d.depositor_id_number = idn->value_or("");
    }
    auto channel = optional_string(o, "channel", 32);
    if (!channel) return channel.error();
    if (*channel) {
        auto c = registry::parse_channel(**channel);
        if (!c) return Error{"deposit.channel_forbidden", 403, "unknown channel"};
        d.channel = *c;
    } else if (who.is_staff()) {
        d.channel = d.depositor_name ? Channel::counter : Channel::administration;
    } else {
        d.channel = Channel::portal;
    }
    return d;
}

http::Response post_deposit(const RegistryApi& api, http::Request& req) {
    auto who = authenticate(req, api.identity);
    if (!who) return error_response(who.error());
    auto parts = http::parse_multipart(req.header("Content-Type").value_or(""), req.body, api.multipart);
    if (!parts) return error_response(parts.error());
    const http::Part* deposit_part = nullptr;
    std::vector<registry::IncomingFile> files;
    for (auto& p : *parts) {
        if (p.name == "deposit" && !p.filename) {
            if (deposit_part) return error_response(Error{"deposit.json_part", 400, "two deposit parts"});
            deposit_part = &p;
        } else if (p.filename) {
            files.push_back({*p.filename, std::move(p.body)});
        } else {
            return error_response(errors::bad_request("unexpected part '" + p.name + "'"));
        }
    }
    if (!deposit_part) return error_response(Error{"deposit.json_part", 400, "no deposit part"});
    auto d = read_deposit(deposit_part->body, *who);
    if (!d) return error_response(d.error());
    d->files = std::move(files);
    if (auto key = req.header("Idempotency-Key")) d->idempotency_key = std::string(*key);
    auto res = api.deposits.deposit(*who, std::move(*d));
    if (!res) return error_response(res.error());
    json::object o{{"register_number", res->register_number},
                   {"registered_at", i18n::iso_utc(res->registered_at_ms)},
                   {"tracking_code", res->tracking_code},
                   {"receipt_url", receipt_url(res->register_number)},
                   {"digest", res->receipt_digest},
                   {"receipt_sha256", res->receipt_sha256}};
    if (res->replayed) o["replayed"] = true;
    auto out = json_no_store(res->replayed ? 200 : 201, o);
    out.headers.set("Location", "/api/v1/deposits/" + res->register_number);
    return out;
}

json::array events_json(const std::vector<registry::EntryEvent>& events, bool with_detail) {
    json::array a;
    for (const auto& e : events) {
        json::object o{{"at", i18n::iso_utc(e.at_ms)}, {"kind", e.kind}};
        if (with_detail && !e.detail.empty()) o["detail"] = e.detail;
        a.push_back(std::move(o));
    }
    return a;
}

json::object entry_json(const registry::Entry& e) {
    json::array files;
    for (const auto& f : e.attachments)
        files.push_back(json::object{{"name", f.name}, {"media_type", f.media_type}, {"size", f.size}, {"sha256", f.sha256}});
    json::object o{{"register_number", e.register_number},
                   {"status", registry::status_name(e.status)},
                   {"administration", json::object{{"code", e.administration_code},
                                                   {"name", names(e.administration_name_ar, e.administration_name_fr)}}},
                   {"channel", registry::channel_name(e.channel)},
                   {"depositor", e.depositor_name},
                   {"type", json::object{{"code", e.type_code}, {"name", names(e.type_name_ar, e.type_name_fr)}}},
                   {"subject", e.subject},
                   {"body", e.body},
                   {"registered_at", i18n::iso_utc(e.registered_at_ms)},
                   {"due_at", i18n::iso_utc(e.due_at_ms)},
                   {"digest", e.receipt_digest},
                   {"receipt_sha256", e.receipt_sha256},
                   {"receipt_url", receipt_url(e.register_number)},
                   {"attachments", std::move(files)},
                   {"events", events_json(e.events, true)}};
    o["unit"] = e.unit_code.empty() ? json::value(nullptr)
                                    : json::value(json::object{{"code", e.unit_code},
                                                               {"name", names(e.unit_name_ar, e.unit_name_fr)}});
    if (e.cancel_reason) o["cancel_reason"] = *e.cancel_reason;
    if (e.depositor_administration_code) o["depositor_administration"] = *e.depositor_administration_code;
    return o;
}

}  // namespace

void register_registry(http::Router& r, const RegistryApi& api) {
    r.post("/api/v1/deposits", [api](http::Request& req) { return post_deposit(api, req); });

    r.get("/api/v1/deposits", [api](http::Request& req) -> http::Response {
        auto who = authenticate(req, api.identity);
        if (!who) return error_response(who.error());
        const std::string scope = req.query_param("scope").value_or("mine");
        Result<std::vector<registry::EntrySummary>> list = errors::bad_request("scope must be mine or register");
        if (scope == "mine") list = api.deposits.list_mine(*who);
        else if (scope == "register") list = api.deposits.list_register(*who);
        if (!list) return error_response(list.error());
        json::array a;
        for (const auto& e : *list)
            a.push_back(json::object{{"register_number", e.register_number}, {"administration", e.administration_code},
                                     {"subject", e.subject}, {"type", e.type_code},
                                     {"status", registry::status_name(e.status)}, {"state", e.state},
                                     {"registered_at", i18n::iso_utc(e.registered_at_ms)}});
        return json_no_store(200, json::object{{"deposits", std::move(a)}});
    });

    r.get("/api/v1/deposits/{number}", [api](http::Request& req) -> http::Response {
        auto who = authenticate(req, api.identity);
        if (!who) return error_response(who.error());
        auto e = api.deposits.get(*who, req.param("number"));
        if (!e) return error_response(e.error());
        return json_no_store(200, entry_json(*e));
    });

    r.get("/api/v1/deposits/{number}/receipt.pdf", [api](http::Request& req) -> http::Response {
        auto who = authenticate(req, api.identity);
        if (!who) return error_response(who.error());
        auto pdf = api.deposits.receipt_pdf(*who, req.param("number"));
        if (!pdf) return error_response(pdf.error());
        http::Response out;
        out.status = 200;
        out.body = std::move(*pdf);
        out.headers.set("Content-Type", "application/pdf");
        out.headers.set("Content-Disposition", "attachment; filename=\"" + std::string(req.param("number")) + ".pdf\"");
        out.headers.set("Cache-Control", "no-store");
        return out;
    });

    r.post("/api/v1/deposits/{number}/cancel", [api](http::Request& req) -> http::Response {
        auto who = authenticate(req, api.identity);
        if (!who) return error_response(who.error());
        auto body = parse_json_object(req);
        if (!body) return error_response(body.error());
        auto reason = optional_string(*body, "reason", 4000);
        if (!reason) return error_response(reason.error());
        if (auto s = api.deposits.cancel(*who, req.param("number"), reason->value_or("")); !s) return error_response(s.error());
        auto e = api.deposits.get(*who, req.param("number"));
        if (!e) return error_response(e.error());
        return json_no_store(200, entry_json(*e));
    });

    r.get("/api/v1/administrations/{code}/deposit-types", [api](http::Request& req) -> http::Response {
        auto types = api.deposits.types(req.param("code"));
        if (!types) return error_response(types.error().code == "deposit.unknown_administration"
                                              ? errors::not_found("administration")
                                              : types.error());
        json::array a;
        for (const auto& t : *types)
            a.push_back(json::object{{"code", t.code}, {"name", names(t.name_ar, t.name_fr)},
                                     {"deadline_days", t.deadline_days}, {"working_days", t.working_days},
                                     {"silence_is_approval", t.silence_is_approval}});
        return json_response(200, json::object{{"types", std::move(a)}});
    });

    r.get("/api/v1/track/{number}", [api](http::Request& req) -> http::Response {
        auto t = api.deposits.track(req.param("number"), req.query_param("code").value_or(""), req.remote_addr);
        if (!t) return error_response(t.error());
        json::object o{{"register_number", t->register_number},
                       {"administration", names(t->administration_name_ar, t->administration_name_fr)},
                       {"type", names(t->type_name_ar, t->type_name_fr)},
                       {"status", registry::status_name(t->status)},
                       {"state", t->state},
                       {"registered_at", i18n::iso_utc(t->registered_at_ms)},
                       {"due_at", i18n::iso_utc(t->due_at_ms)},
                       {"events", events_json(t->events, false)}};
        if (t->transferred_to) o["transferred_to"] = *t->transferred_to;
        return json_no_store(200, o);
    });

    r.get("/.well-known/idara-keys.json", [api](http::Request&) -> http::Response {
        auto keys = api.verify_keys();
        if (!keys) return error_response(keys.error());
        auto out = http::Response::json(200, trust::keys_document(keys->keys, keys->anchors_pem));
        out.headers.set("Cache-Control", "public, max-age=300");
        return out;
    });
}

}  // namespace idara::api
