#include "api/outgoing.hpp"

#include "api/auth.hpp"
#include "api/json_io.hpp"
#include "core/dates.hpp"
#include "identity/service.hpp"
#include "outgoing/letters.hpp"
#include "processing/workflow.hpp"

#include <boost/json.hpp>


namespace idara::api {

namespace json = boost::json;
using outgoing::Letter;

namespace {


json::object letter_json(const Letter& l) {
    json::object r{{"kind", outgoing::recipient_kind_name(l.recipient.kind)}, {"name", l.recipient.name}};
    if (l.recipient.account_id) r["account_id"] = *l.recipient.account_id;
    if (l.recipient.administration_code) r["administration"] = *l.recipient.administration_code;
    if (!l.recipient.postal_address.empty()) r["postal_address"] = l.recipient.postal_address;
    if (!l.recipient.email.empty()) r["email"] = l.recipient.email;
    json::object o{{"id", l.id},
                   {"state", outgoing::state_name(l.state)},
                   {"version", l.version},
                   {"lang", i18n::code(l.lang)},
                   {"subject", l.subject},
                   {"recipient", std::move(r)},
                   {"register_number", l.register_number ? json::value(*l.register_number) : json::value(nullptr)},
                   {"in_reply_to", l.in_reply_to_number ? json::value(*l.in_reply_to_number) : json::value(nullptr)},
                   {"approved_at", iso_or_null(l.approved_at_ms)},
                   {"dispatched_at", iso_or_null(l.dispatched_at_ms)},
                   {"created_at", i18n::iso_utc(l.created_at_ms)}};
    if (l.tmpl) {
        o["template"] = outgoing::template_name(*l.tmpl);
        o["body"] = l.body;
    }
    if (l.upload_name) o["upload"] = *l.upload_name;
    if (l.return_reason) o["return_reason"] = *l.return_reason;
    if (l.circuit_id) {
        o["circuit_id"] = *l.circuit_id;
        o["circuit_url"] = "/api/v1/circuits/" + std::to_string(*l.circuit_id);
    }
    if (l.pdf_sha256) {
        o["pdf_sha256"] = *l.pdf_sha256;
        o["pdf_url"] = "/api/v1/letters/" + std::to_string(l.id) + "/pdf";
    }
    json::array events;
    for (const auto& e : l.events)
        events.push_back(json::object{{"at", i18n::iso_utc(e.at_ms)}, {"kind", e.kind}, {"version", e.version},
                                      {"detail", e.detail}});
    if (!events.empty()) o["events"] = std::move(events);
    return o;
}

// The letter JSON into NewLetter (in_reply_to resolved from a register number by the caller).
struct ParsedLetter {
    outgoing::NewLetter letter;
    std::optional<std::string> in_reply_to_number;
};

Result<ParsedLetter> read_letter(const json::object& o) {
    ParsedLetter p;
    auto reply = optional_string(o, "in_reply_to", 64);
    if (!reply) return reply.error();
    p.in_reply_to_number = *reply;
    auto lang = optional_string(o, "lang", 2);
    if (!lang) return lang.error();
    auto l = i18n::parse_lang(lang->value_or("ar"));
    if (!l) return errors::bad_request("lang must be ar or fr");
    p.letter.content.lang = *l;
    auto subject = optional_string(o, "subject", 4000);
    if (!subject) return subject.error();
    p.letter.content.subject = subject->value_or("");
    auto tmpl = optional_string(o, "template", 32);
    if (!tmpl) return tmpl.error();
    if (*tmpl) {
        auto t = outgoing::parse_template(**tmpl);
        if (!t) return Error{"outgoing.template", 400, **tmpl};
        p.letter.content.tmpl = *t;
    }
    auto body = optional_string(o, "body", 200000);
    if (!body) return body.error();
    p.letter.content.body = body->value_or("");
    auto& r = p.letter.recipient;
    if (auto it = o.find("recipient"); it != o.end() && !it->value().is_null()) {
        if (!it->value().is_object()) return errors::bad_request("recipient must be an object");
        const auto& ro = it->value().as_object();
        auto kind = optional_string(ro, "kind", 32);
        if (!kind) return kind.error();
        auto k = outgoing::parse_recipient_kind(kind->value_or("depositor"));
        if (!k) return Error{"outgoing.recipient", 400, kind->value_or("")};
        r.kind = *k;
        auto acc = optional_int(ro, "account_id");
        if (!acc) return acc.error();
        r.account_id = *acc;
        auto adm = optional_string(ro, "administration", 32);
        if (!adm) return adm.error();
        r.administration_code = *adm;
        auto name = optional_string(ro, "name", 2000);
        if (!name) return name.error();
        r.name = name->value_or("");
        auto postal = optional_string(ro, "postal_address", 4000);
        if (!postal) return postal.error();
        r.postal_address = postal->value_or("");
        auto email = optional_string(ro, "email", 400);
        if (!email) return email.error();
        r.email = email->value_or("");
    }
    return p;
}

// Reads the JSON or multipart body of a create/update request.
Result<std::pair<json::object, std::optional<registry::IncomingFile>>> read_body(const OutgoingApi& api,
                                                                                   http::Request& req) {
    const std::string ct(req.header("Content-Type").value_or(""));
    if (!ct.starts_with("multipart/")) {
        auto o = parse_json_object(req);
        if (!o) return o.error();
        return std::make_pair(std::move(*o), std::optional<registry::IncomingFile>());
    }
    auto parts = http::parse_multipart(ct, req.body, api.multipart);
    if (!parts) return parts.error();
    std::optional<json::object> obj;
    std::optional<registry::IncomingFile> file;
    for (auto& p : *parts) {
        if (p.name == "letter" && !p.filename && !obj) {
            boost::system::error_code ec;
            auto v = json::parse(p.body, ec);
            if (ec) return errors::malformed_json(ec.message());
            if (!v.is_object()) return errors::bad_request("letter must be an object");
            obj = std::move(v.as_object());
        } else if (p.filename && !file) {
            file = registry::IncomingFile{*p.filename, std::move(p.body)};
        } else {
            return errors::bad_request("expected one 'letter' part and at most one file");
        }
    }
    if (!obj) return errors::bad_request("no 'letter' part");
    return std::make_pair(std::move(*obj), std::move(file));
}

// The incoming entry a reply answers: its id, if the caller may read it (else not found).
Result<std::optional<std::int64_t>> reply_target(const OutgoingApi& api, const identity::Principal& who,
                                                 const std::optional<std::string>& number) {
    if (!number) return std::optional<std::int64_t>();
    auto d = api.workflow.dossier(who, *number);
    if (!d) return Error{"outgoing.in_reply_to", 400, *number};
    if (!d->content_visible || !who.is_staff()) return Error{"outgoing.in_reply_to", 400, *number};
    return std::optional<std::int64_t>(d->entry_id);
}

Result<std::int64_t> required_version(const json::object& o) {
    auto v = optional_int(o, "version");
    if (!v) return v.error();
    if (!*v || **v < 1) return errors::bad_request("version: the letter's version as last read is required");
    return **v;
}

http::Response with_letter(const Result<Letter>& l) {
    if (!l) return error_response(l.error());
    return json_no_store(200, letter_json(*l));
}

template <class F>
http::Response versioned(const OutgoingApi& api, http::Request& req, F act) {
    auto who = authenticate(req, api.identity);
    if (!who) return error_response(who.error());
    auto id = parse_id(req.param("id"));
    if (!id) return error_response(errors::not_found("letter"));
    auto o = parse_json_object(req);
    if (!o) return error_response(o.error());
    auto v = required_version(*o);
    if (!v) return error_response(v.error());
    return with_letter(act(*who, *id, *v, *o));
}

}  // namespace

void register_outgoing(http::Router& r, const OutgoingApi& api) {
    r.post("/api/v1/letters", [api](http::Request& req) -> http::Response {
        auto who = authenticate(req, api.identity);
        if (!who) return error_response(who.error());
        auto body = read_body(api, req);
        if (!body) return error_response(body.error());
        auto p = read_letter(body->first);
        if (!p) return error_response(p.error());
        auto target = reply_target(api, *who, p->in_reply_to_number);
        if (!target) return error_response(target.error());
        p->letter.in_reply_to = *target;
        p->letter.content.upload = std::move(body->second);
        auto l = api.letters.create(*who, std::move(p->letter));
        if (!l) return error_response(l.error());
        auto out = json_no_store(201, letter_json(*l));
        out.headers.set("Location", "/api/v1/letters/" + std::to_string(l->id));
        return out;
    });

    r.add(http::Method::put, "/api/v1/letters/{id}", [api](http::Request& req) -> http::Response {
        auto who = authenticate(req, api.identity);
        if (!who) return error_response(who.error());
        auto id = parse_id(req.param("id"));
        if (!id) return error_response(errors::not_found("letter"));
        auto body = read_body(api, req);
        if (!body) return error_response(body.error());
        auto v = required_version(body->first);
        if (!v) return error_response(v.error());
        auto p = read_letter(body->first);
        if (!p) return error_response(p.error());
        p->letter.content.upload = std::move(body->second);
        return with_letter(api.letters.update(*who, *id, *v, p->letter.recipient, p->letter.content));
    });

    r.get("/api/v1/letters", [api](http::Request& req) -> http::Response {
        auto who = authenticate(req, api.identity);
        if (!who) return error_response(who.error());
        auto scope = staff_scope(*who);
        if (!scope) return error_response(scope.error());
        auto state = outgoing::parse_state(req.query_param("state").value_or("pending_approval"));
        if (!state) return error_response(errors::bad_request("state"));
        auto list = api.letters.list_in_state(*scope, *state);
        if (!list) return error_response(list.error());
        json::array a;
        for (const auto& l : *list) a.push_back(letter_json(l));
        return json_no_store(200, json::object{{"letters", std::move(a)}});
    });

    r.get("/api/v1/letters/{id}", [api](http::Request& req) -> http::Response {
        auto who = authenticate(req, api.identity);
        if (!who) return error_response(who.error());
        auto id = parse_id(req.param("id"));
        if (!id) return error_response(errors::not_found("letter"));
        return with_letter(api.letters.get(*who, *id));
    });

    r.get("/api/v1/letters/{id}/pdf", [api](http::Request& req) -> http::Response {
        auto who = authenticate(req, api.identity);
        if (!who) return error_response(who.error());
        auto id = parse_id(req.param("id"));
        if (!id) return error_response(errors::not_found("letter"));
        auto pdf = api.letters.pdf(*who, *id);
        if (!pdf) return error_response(pdf.error());
        http::Response out;
        out.status = 200;
        out.body = std::move(*pdf);
        out.headers.set("Content-Type", "application/pdf");
        out.headers.set("Content-Disposition", "attachment; filename=\"letter-" + std::to_string(*id) + ".pdf\"");
        out.headers.set("Cache-Control", "no-store");
        return out;
    });

    r.get("/api/v1/letters/{id}/preview", [api](http::Request& req) -> http::Response {
        auto who = authenticate(req, api.identity);
        if (!who) return error_response(who.error());
        auto id = parse_id(req.param("id"));
        if (!id) return error_response(errors::not_found("letter"));
        auto text = api.letters.preview_text(*who, *id);
        if (!text) return error_response(text.error());
        return json_no_store(200, json::object{{"text", *text}});
    });

    r.post("/api/v1/letters/{id}/submit", [api](http::Request& req) {
        return versioned(api, req, [&](const identity::Principal& who, std::int64_t id, std::int64_t v, const json::object&) {
            return api.letters.submit(who, id, v);
        });
    });
    r.post("/api/v1/letters/{id}/dispatch", [api](http::Request& req) {
        return versioned(api, req, [&](const identity::Principal& who, std::int64_t id, std::int64_t v, const json::object&) {
            return api.letters.dispatch(who, id, v);
        });
    });

    r.get("/api/v1/outgoing-register", [api](http::Request& req) -> http::Response {
        auto who = authenticate(req, api.identity);
        if (!who) return error_response(who.error());
        auto scope = staff_scope(*who);
        if (!scope) return error_response(scope.error());
        std::optional<int> year;
        if (auto y = req.query_param("year")) {
            auto n = parse_id(*y);
            if (!n || *n < 2000 || *n > 2200) return error_response(errors::bad_request("year"));
            year = static_cast<int>(*n);
        }
        auto lines = api.letters.list_register(*scope, year);
        if (!lines) return error_response(lines.error());
        json::array a;
        for (const auto& l : *lines)
            a.push_back(json::object{{"id", l.id},
                                     {"register_number", l.register_number},
                                     {"registered_at", i18n::iso_utc(l.approved_at_ms)},
                                     {"state", outgoing::state_name(l.state)},
                                     {"subject", l.subject},
                                     {"recipient", l.recipient_name},
                                     {"in_reply_to", l.in_reply_to_number ? json::value(*l.in_reply_to_number)
                                                                          : json::value(nullptr)}});
        return json_no_store(200, json::object{{"letters", std::move(a)}});
    });

    r.get("/api/v1/entries/{number}/letters", [api](http::Request& req) -> http::Response {
        auto who = authenticate(req, api.identity);
        if (!who) return error_response(who.error());
        auto d = api.workflow.dossier(*who, req.param("number"));
        if (!d) return error_response(d.error());
        if (!d->content_visible) return error_response(errors::not_found("entry"));
        auto list = api.letters.list_for_entry(*who, d->entry_id);
        if (!list) return error_response(list.error());
        json::array a;
        for (const auto& l : *list) a.push_back(letter_json(l));
        return json_no_store(200, json::object{{"letters", std::move(a)}});
    });
}

}  // namespace idara::api
