#include "api/processing.hpp"

#include "api/auth.hpp"
#include "api/json_io.hpp"
#include "core/dates.hpp"
#include "identity/service.hpp"
#include "processing/workflow.hpp"

#include <boost/json.hpp>


namespace idara::api {

namespace json = boost::json;
using processing::Actor;
using processing::WorkflowService;

namespace {

json::object dossier_json(const processing::Dossier& d) {
    json::object o{{"register_number", d.register_number},
                   {"state", processing::state_name(d.state)},
                   {"version", d.version},
                   {"priority", processing::priority_name(d.priority)},
                   {"confidential", d.confidential},
                   {"content_visible", d.content_visible},
                   {"type", d.type_code},
                   {"channel", d.channel},
                   {"registered_at", i18n::iso_utc(d.registered_at_ms)},
                   {"due_at", i18n::iso_utc(d.due_at_ms)},
                   {"clock_paused_at", iso_or_null(d.paused_at_ms)},
                   {"missing_documents_requested_at", iso_or_null(d.missing_requested_at_ms)},
                   {"completed_at", iso_or_null(d.completed_at_ms)},
                   {"deadline", json::object{{"days", d.deadline_days},
                                             {"working_days", d.working_days},
                                             {"silence_is_approval", d.silence_is_approval}}}};
    o["assignee"] = d.assignee_id ? json::value(json::object{{"id", *d.assignee_id}, {"name", d.assignee_name}})
                                  : json::value(nullptr);
    json::array units;
    for (const auto& u : d.units)
        units.push_back(json::object{{"code", u.unit_code},
                                     {"name", json::object{{"ar", u.unit_name_ar}, {"fr", u.unit_name_fr}}},
                                     {"role", processing::unit_role_name(u.role)},
                                     {"opinion_at", iso_or_null(u.opinion_at_ms)}});
    o["units"] = std::move(units);
    if (d.transferred_to) o["transferred_to"] = *d.transferred_to;
    if (d.transferred_from) o["transferred_from"] = *d.transferred_from;
    if (!d.content_visible) return o;
    o["subject"] = d.subject;
    o["body"] = d.body;
    o["depositor"] = d.depositor_name;
    json::array timeline;
    for (const auto& e : d.timeline) {
        json::object t{{"at", i18n::iso_utc(e.at_ms)}, {"kind", e.kind}, {"version", e.version}};
        if (!e.actor_name.empty()) t["actor"] = e.actor_name;
        if (!e.origin.empty()) t["origin"] = e.origin;
        boost::system::error_code ec;
        auto detail = json::parse(e.detail, ec);
        if (!ec && detail.is_object()) t["detail"] = std::move(detail);
        else if (!e.detail.empty()) t["detail"] = e.detail;
        timeline.push_back(std::move(t));
    }
    o["timeline"] = std::move(timeline);
    json::array notes;
    for (const auto& n : d.notes) {
        json::object j{{"id", n.id}, {"at", i18n::iso_utc(n.at_ms)}, {"author", n.author_name}, {"kind", n.kind},
                       {"text", n.text}};
        if (!n.unit_code.empty()) j["unit"] = n.unit_code;
        if (n.file_name)
            j["file"] = json::object{{"name", *n.file_name},
                                     {"media_type", n.media_type.value_or("")},
                                     {"size", n.size},
                                     {"sha256", n.sha256.value_or("")},
                                     {"url", "/api/v1/entries/" + d.register_number + "/notes/" +
                                                 std::to_string(n.id) + "/file"}};
        notes.push_back(std::move(j));
    }
    o["notes"] = std::move(notes);
    return o;
}

json::object line_json(const processing::InboxLine& l) {
    json::object o{{"register_number", l.register_number},
                   {"state", processing::state_name(l.state)},
                   {"priority", processing::priority_name(l.priority)},
                   {"confidential", l.confidential},
                   {"type", l.type_code},
                   {"lead_unit", l.lead_unit_code},
                   {"assignee", l.assignee_name},
                   {"registered_at", i18n::iso_utc(l.registered_at_ms)},
                   {"due_at", i18n::iso_utc(l.due_at_ms)},
                   {"version", l.version}};
    o["subject"] = l.content_visible ? json::value(l.subject) : json::value(nullptr);
    return o;
}

Result<std::int64_t> required_version(const json::object& o) {
    auto v = optional_int(o, "version");
    if (!v) return v.error();
    if (!*v || **v < 1) return errors::bad_request("version: the entry's version as last read is required");
    return **v;
}

std::string origin(const http::Request& req) { return "api " + req.remote_addr; }


// The after-change answer: the dossier as the caller now sees it.
http::Response answer(const ProcessingApi& api, const identity::Principal& who, std::string_view number) {
    auto d = api.workflow.dossier(who, number);
    if (!d) return error_response(d.error());
    return json_no_store(200, dossier_json(*d));
}

// The common shape of a JSON-bodied change: authenticate, parse, act, answer.
template <class F>
http::Response json_change(const ProcessingApi& api, http::Request& req, F act) {
    auto who = authenticate(req, api.identity);
    if (!who) return error_response(who.error());
    auto body = parse_json_object(req);
    if (!body) return error_response(body.error());
    const std::string number(req.param("number"));
    const Actor a{*who, origin(req)};
    if (auto s = act(a, *body, number); !s) return error_response(s.error());
    return answer(api, *who, number);
}

Status status_of(const Result<std::int64_t>& r) {
    if (!r) return r.error();
    return {};
}

Result<std::vector<std::string>> string_list(const json::object& o, std::string_view field) {
    std::vector<std::string> out;
    auto it = o.find(field);
    if (it == o.end() || it->value().is_null()) return out;
    if (!it->value().is_array()) return errors::bad_request(std::string(field) + " must be an array of strings");
    for (const auto& v : it->value().as_array()) {
        if (!v.is_string() || v.as_string().size() > 32) return errors::bad_request(std::string(field) + ": unit codes");
        out.emplace_back(v.as_string());
    }
    if (out.size() > 20) return errors::bad_request(std::string(field) + ": at most 20");
    return out;
}

void register_changes(http::Router& r, const ProcessingApi& api) {
    r.post("/api/v1/entries/{number}/qualify", [api](http::Request& req) {
        return json_change(api, req, [&](const Actor& a, const json::object& o, const std::string& n) -> Status {
            auto v = required_version(o);
            if (!v) return v.error();
            auto type = optional_string(o, "type", 32);
            if (!type) return type.error();
            auto pr = optional_string(o, "priority", 16);
            if (!pr) return pr.error();
            auto p = processing::parse_priority(pr->value_or("normal"));
            if (!p) return Error{"processing.priority", 400, pr->value_or("")};
            bool confidential = false;
            if (auto it = o.find("confidential"); it != o.end()) {
                if (!it->value().is_bool()) return errors::bad_request("confidential must be true or false");
                confidential = it->value().as_bool();
            }
            return status_of(api.workflow.qualify(a, n, *v, {*type, *p, confidential}));
        });
    });
    r.post("/api/v1/entries/{number}/assign", [api](http::Request& req) {
        return json_change(api, req, [&](const Actor& a, const json::object& o, const std::string& n) -> Status {
            auto v = required_version(o);
            if (!v) return v.error();
            auto lead = required_string(o, "lead", 32);
            if (!lead) return lead.error();
            auto copies = string_list(o, "copies");
            if (!copies) return copies.error();
            return status_of(api.workflow.assign(a, n, *v, {*lead, *copies}));
        });
    });
    r.post("/api/v1/entries/{number}/dispatch", [api](http::Request& req) {
        return json_change(api, req, [&](const Actor& a, const json::object& o, const std::string& n) -> Status {
            auto v = required_version(o);
            if (!v) return v.error();
            auto agent = optional_int(o, "agent");
            if (!agent) return agent.error();
            if (!*agent) return Error{"processing.unknown_agent", 400, "agent is required"};
            return status_of(api.workflow.dispatch(a, n, *v, **agent));
        });
    });
    r.post("/api/v1/entries/{number}/start", [api](http::Request& req) {
        return json_change(api, req, [&](const Actor& a, const json::object& o, const std::string& n) -> Status {
            auto v = required_version(o);
            if (!v) return v.error();
            return status_of(api.workflow.start(a, n, *v));
        });
    });
    r.post("/api/v1/entries/{number}/drafts", [api](http::Request& req) {
        return json_change(api, req, [&](const Actor& a, const json::object& o, const std::string& n) -> Status {
            auto text = required_string(o, "text", 200000);
            if (!text) return text.error();
            return status_of(api.workflow.save_draft(a, n, *text));
        });
    });
    r.post("/api/v1/entries/{number}/opinion-requests", [api](http::Request& req) {
        return json_change(api, req, [&](const Actor& a, const json::object& o, const std::string& n) -> Status {
            auto v = required_version(o);
            if (!v) return v.error();
            auto unit = required_string(o, "unit", 32);
            if (!unit) return unit.error();
            auto q = required_string(o, "question", 200000);
            if (!q) return q.error();
            return status_of(api.workflow.request_opinion(a, n, *v, *unit, *q));
        });
    });
    r.post("/api/v1/entries/{number}/opinions", [api](http::Request& req) {
        return json_change(api, req, [&](const Actor& a, const json::object& o, const std::string& n) -> Status {
            auto text = required_string(o, "text", 200000);
            if (!text) return text.error();
            return status_of(api.workflow.give_opinion(a, n, *text));
        });
    });
    r.post("/api/v1/entries/{number}/missing-documents", [api](http::Request& req) {
        return json_change(api, req, [&](const Actor& a, const json::object& o, const std::string& n) -> Status {
            auto v = required_version(o);
            if (!v) return v.error();
            auto text = required_string(o, "text", 200000);
            if (!text) return text.error();
            return status_of(api.workflow.request_documents(a, n, *v, *text));
        });
    });
    r.post("/api/v1/entries/{number}/reject", [api](http::Request& req) {
        return json_change(api, req, [&](const Actor& a, const json::object& o, const std::string& n) -> Status {
            auto v = required_version(o);
            if (!v) return v.error();
            auto reason = optional_string(o, "reason", 20000);
            if (!reason) return reason.error();
            return status_of(api.workflow.reject(a, n, *v, reason->value_or("")));
        });
    });
    r.post("/api/v1/entries/{number}/close", [api](http::Request& req) {
        return json_change(api, req, [&](const Actor& a, const json::object& o, const std::string& n) -> Status {
            auto v = required_version(o);
            if (!v) return v.error();
            return status_of(api.workflow.close(a, n, *v));
        });
    });
    r.post("/api/v1/entries/{number}/transfer", [api](http::Request& req) -> http::Response {
        auto who = authenticate(req, api.identity);
        if (!who) return error_response(who.error());
        auto o = parse_json_object(req);
        if (!o) return error_response(o.error());
        auto v = required_version(*o);
        if (!v) return error_response(v.error());
        auto adm = required_string(*o, "administration", 32);
        if (!adm) return error_response(adm.error());
        auto reason = optional_string(*o, "reason", 20000);
        if (!reason) return error_response(reason.error());
        const std::string number(req.param("number"));
        auto to = api.workflow.transfer(Actor{*who, origin(req)}, number, *v, *adm, reason->value_or(""));
        if (!to) return error_response(to.error());
        auto d = api.workflow.dossier(*who, number);
        if (!d) return error_response(d.error());
        auto j = dossier_json(*d);
        j["transferred_to"] = *to;
        return json_no_store(200, j);
    });
}

// A multipart request: one JSON part named `json_name` and file parts.
struct JsonAndFiles {
    json::object object;
    std::vector<registry::IncomingFile> files;
};

Result<JsonAndFiles> read_json_and_files(const ProcessingApi& api, http::Request& req, std::string_view json_name) {
    auto parts = http::parse_multipart(req.header("Content-Type").value_or(""), req.body, api.multipart);
    if (!parts) return parts.error();
    JsonAndFiles out;
    bool seen = false;
    for (auto& p : *parts) {
        if (p.name == json_name && !p.filename) {
            if (seen) return errors::bad_request("two JSON parts");
            boost::system::error_code ec;
            auto v = json::parse(p.body, ec);
            if (ec) return errors::malformed_json(ec.message());
            if (!v.is_object()) return errors::bad_request(std::string(json_name) + " must be an object");
            out.object = std::move(v.as_object());
            seen = true;
        } else if (p.filename) {
            out.files.push_back({*p.filename, std::move(p.body)});
        } else {
            return errors::bad_request("unexpected part '" + p.name + "'");
        }
    }
    if (!seen) return errors::bad_request("no '" + std::string(json_name) + "' part");
    return out;
}

void register_notes(http::Router& r, const ProcessingApi& api) {
    r.post("/api/v1/entries/{number}/notes", [api](http::Request& req) -> http::Response {
        auto who = authenticate(req, api.identity);
        if (!who) return error_response(who.error());
        const std::string number(req.param("number"));
        const std::string ct(req.header("Content-Type").value_or(""));
        std::string text;
        std::optional<registry::IncomingFile> file;
        if (ct.starts_with("multipart/")) {
            auto in = read_json_and_files(api, req, "note");
            if (!in) return error_response(in.error());
            if (in->files.size() > 1) return error_response(Error{"deposit.too_many_files", 413, "one file per note"});
            auto t = required_string(in->object, "text", 200000);
            if (!t) return error_response(t.error());
            text = *t;
            if (!in->files.empty()) file = std::move(in->files.front());
        } else {
            auto o = parse_json_object(req);
            if (!o) return error_response(o.error());
            auto t = required_string(*o, "text", 200000);
            if (!t) return error_response(t.error());
            text = *t;
        }
        auto id = api.workflow.annotate(Actor{*who, origin(req)}, number, text, std::move(file));
        if (!id) return error_response(id.error());
        return answer(api, *who, number);
    });

    r.get("/api/v1/entries/{number}/notes/{id}/file", [api](http::Request& req) -> http::Response {
        auto who = authenticate(req, api.identity);
        if (!who) return error_response(who.error());
        auto id = parse_id(req.param("id"));
        if (!id) return error_response(errors::not_found("note"));
        auto f = api.workflow.note_file(*who, req.param("number"), *id);
        if (!f) return error_response(f.error());
        http::Response out;
        out.status = 200;
        out.body = std::move(f->second);
        out.headers.set("Content-Type", f->first.media_type.value_or("application/octet-stream"));
        out.headers.set("Content-Disposition", "attachment; filename=\"note-" + std::to_string(*id) + "\"");
        out.headers.set("Cache-Control", "no-store");
        return out;
    });

    r.post("/api/v1/entries/{number}/completion", [api](http::Request& req) -> http::Response {
        auto who = authenticate(req, api.identity);
        if (!who) return error_response(who.error());
        auto in = read_json_and_files(api, req, "completion");
        if (!in) return error_response(in.error());
        auto v = required_version(in->object);
        if (!v) return error_response(v.error());
        auto note = optional_string(in->object, "note", 20000);
        if (!note) return error_response(note.error());
        const std::string number(req.param("number"));
        auto r2 = api.workflow.complete_documents(Actor{*who, origin(req)}, number, *v, std::move(in->files),
                                                  note->value_or(""));
        if (!r2) return error_response(r2.error());
        return answer(api, *who, number);
    });
}

void register_reads(http::Router& r, const ProcessingApi& api) {
    r.get("/api/v1/inbox/{which}", [api](http::Request& req) -> http::Response {
        auto who = authenticate(req, api.identity);
        if (!who) return error_response(who.error());
        auto which = processing::parse_inbox(req.param("which"));
        if (!which) return error_response(errors::not_found("inbox"));
        int limit = 50;
        if (auto l = req.query_param("limit")) {
            auto n = parse_id(*l);
            if (!n || *n > 200) return error_response(errors::bad_request("limit must be 1..200"));
            limit = static_cast<int>(*n);
        }
        auto lines = api.workflow.inbox(*who, *which, limit);
        if (!lines) return error_response(lines.error());
        json::array a;
        for (const auto& l : *lines) a.push_back(line_json(l));
        return json_no_store(200, json::object{{"inbox", processing::inbox_name(*which)}, {"entries", std::move(a)}});
    });

    r.get("/api/v1/entries/{number}", [api](http::Request& req) -> http::Response {
        auto who = authenticate(req, api.identity);
        if (!who) return error_response(who.error());
        return answer(api, *who, req.param("number"));
    });

    r.get("/api/v1/units/{code}/digest", [api](http::Request& req) -> http::Response {
        auto who = authenticate(req, api.identity);
        if (!who) return error_response(who.error());
        auto scope = staff_scope(*who);
        if (!scope) return error_response(scope.error());
        auto d = api.workflow.digest(*scope, req.param("code"));
        if (!d) return error_response(d.error());
        // The unit's head, or the registry office / an admin for every unit.
        bool allowed = who->has_role(identity::Role::registry_clerk) || who->has_role(identity::Role::admin);
        for (const auto& m : who->memberships)
            if (m.role == identity::Role::unit_head && m.unit_id) {
                auto u = api.identity.get_unit(*scope, *m.unit_id);
                if (u && u->code == d->unit_code) allowed = true;
            }
        if (!allowed) return error_response(errors::forbidden("the digest is for the unit's head"));
        auto list = [](const std::vector<processing::InboxLine>& v) {
            json::array a;
            for (const auto& l : v) a.push_back(line_json(l));
            return a;
        };
        return json_no_store(200, json::object{{"unit", d->unit_code},
                                      {"arrived", list(d->arrived)},
                                      {"due_soon", list(d->due_soon)},
                                      {"overdue", list(d->overdue)}});
    });
}

void register_delegations(http::Router& r, const ProcessingApi& api) {
    r.get("/api/v1/delegations", [api](http::Request& req) -> http::Response {
        auto who = authenticate(req, api.identity);
        if (!who) return error_response(who.error());
        auto list = api.workflow.delegations(*who);
        if (!list) return error_response(list.error());
        json::array a;
        for (const auto& d : *list)
            a.push_back(json::object{{"id", d.id},
                                     {"from", json::object{{"id", d.from_account_id}, {"name", d.from_name}}},
                                     {"to", json::object{{"id", d.to_account_id}, {"name", d.to_name}}},
                                     {"starts_on", d.starts_on},
                                     {"ends_on", d.ends_on}});
        return json_no_store(200, json::object{{"delegations", std::move(a)}});
    });
    r.post("/api/v1/delegations", [api](http::Request& req) -> http::Response {
        auto who = authenticate(req, api.identity);
        if (!who) return error_response(who.error());
        auto o = parse_json_object(req);
        if (!o) return error_response(o.error());
        auto from = optional_int(*o, "from");
        if (!from) return error_response(from.error());
        auto to = optional_int(*o, "to");
        if (!to) return error_response(to.error());
        if (!*to) return error_response(Error{"processing.delegation", 400, "to is required"});
        auto starts = required_string(*o, "starts_on", 10);
        if (!starts) return error_response(Error{"processing.delegation", 400, "starts_on"});
        auto ends = required_string(*o, "ends_on", 10);
        if (!ends) return error_response(Error{"processing.delegation", 400, "ends_on"});
        auto id = api.workflow.delegate(*who, from->value_or(who->account_id), **to, *starts, *ends);
        if (!id) return error_response(id.error());
        return json_no_store(201, json::object{{"id", *id}});
    });
    r.post("/api/v1/delegations/{id}/revoke", [api](http::Request& req) -> http::Response {
        auto who = authenticate(req, api.identity);
        if (!who) return error_response(who.error());
        auto id = parse_id(req.param("id"));
        if (!id) return error_response(errors::not_found("delegation"));
        if (auto s = api.workflow.revoke_delegation(*who, *id); !s) return error_response(s.error());
        http::Response out;
        out.status = 204;
        return out;
    });
}

}  // namespace

void register_processing(http::Router& r, const ProcessingApi& api) {
    register_reads(r, api);
    register_changes(r, api);
    register_notes(r, api);
    register_delegations(r, api);
}

}  // namespace idara::api
