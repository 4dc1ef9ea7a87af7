#include "api/parapheur.hpp"

#include "api/auth.hpp"
#include "api/json_io.hpp"
#include "core/dates.hpp"
#include "identity/service.hpp"
#include "parapheur/circuits.hpp"

#include <boost/json.hpp>

namespace idara::api {

namespace json = boost::json;
using parapheur::Circuit;

namespace {

std::string origin(const http::Request& req) { return "api " + req.remote_addr; }

json::object template_json(const parapheur::CircuitTemplate& t) {
    json::array steps;
    for (const auto& s : t.steps) {
        json::array acc;
        for (auto id : s.account_ids) acc.push_back(id);
        json::object o{{"kind", parapheur::step_kind_name(s.kind)},
                       {"mode", parapheur::step_mode_name(s.mode)},
                       {"accounts", std::move(acc)},
                       {"label_ar", s.label_ar},
                       {"label_fr", s.label_fr}};
        o["role"] = s.role ? json::value(identity::role_name(*s.role)) : json::value(nullptr);
        if (!s.unit_code.empty()) o["unit"] = s.unit_code;
        steps.push_back(std::move(o));
    }
    return json::object{{"id", t.id},
                        {"code", t.code},
                        {"name_ar", t.name_ar},
                        {"name_fr", t.name_fr},
                        {"steps", std::move(steps)},
                        {"updated_at", i18n::iso_utc(t.updated_at_ms)}};
}

json::object circuit_json(const Circuit& c) {
    json::array steps;
    for (const auto& s : c.steps) {
        json::array people;
        for (const auto& a : s.assignees) {
            json::object p{{"account_id", a.account_id},
                           {"name", a.name},
                           {"status", parapheur::assignee_status_name(a.status)},
                           {"acted_at", iso_or_null(a.acted_at_ms)}};
            if (a.acted_by) {
                p["acted_by"] = *a.acted_by;
                p["acted_by_name"] = a.acted_by_name;
            }
            people.push_back(std::move(p));
        }
        steps.push_back(json::object{{"index", s.index},
                                     {"kind", parapheur::step_kind_name(s.kind)},
                                     {"mode", parapheur::step_mode_name(s.mode)},
                                     {"label_ar", s.label_ar},
                                     {"label_fr", s.label_fr},
                                     {"done", s.done},
                                     {"assignees", std::move(people)}});
    }
    json::array history;
    for (const auto& h : c.history) {
        json::object e{{"at", i18n::iso_utc(h.at_ms)}, {"kind", h.kind},       {"actor_id", h.actor_id},
                       {"actor", h.actor_name},         {"step", h.step_index}, {"version", h.version}};
        if (h.on_behalf_of) {
            e["on_behalf_of"] = *h.on_behalf_of;
            e["on_behalf_of_name"] = h.on_behalf_of_name;
        }
        if (!h.text.empty()) e["text"] = h.text;
        if (h.document_version) e["document_version"] = *h.document_version;
        if (!h.origin.empty()) e["origin"] = h.origin;
        history.push_back(std::move(e));
    }
    json::array versions;
    for (const auto& v : c.versions) {
        json::object o{{"number", v.number}, {"sha256", v.sha256}, {"size", v.size},
                       {"kind", v.kind},     {"created_at", i18n::iso_utc(v.created_at_ms)}};
        if (v.signer_id) {
            o["signer_id"] = *v.signer_id;
            o["signer"] = v.signer_name;
        }
        versions.push_back(std::move(o));
    }
    json::array opinions;
    for (const auto& o : c.opinions) {
        json::object x{{"id", o.id},
                       {"requested_by", o.requested_by_name},
                       {"colleague_id", o.colleague_id},
                       {"colleague", o.colleague_name},
                       {"question", o.question},
                       {"requested_at", i18n::iso_utc(o.requested_at_ms)},
                       {"given_at", iso_or_null(o.given_at_ms)}};
        x["opinion"] = o.opinion ? json::value(*o.opinion) : json::value(nullptr);
        opinions.push_back(std::move(x));
    }
    const auto& al = c.allowed;
    json::object allowed{{"approve", al.approve},           {"sign", al.sign},
                         {"reject", al.reject},             {"return", al.return_to_previous},
                         {"request_opinion", al.request_opinion}, {"give_opinion", al.give_opinion},
                         {"cancel", al.cancel}};
    if (al.acting_for) allowed["acting_for"] = *al.acting_for;
    json::object o{{"id", c.id},
                   {"title", c.title},
                   {"template", c.template_code},
                   {"template_name_ar", c.template_name_ar},
                   {"template_name_fr", c.template_name_fr},
                   {"state", parapheur::circuit_state_name(c.state)},
                   {"current_step", c.current_step},
                   {"version", c.version},
                   {"initiator_id", c.initiator_id},
                   {"initiator", c.initiator_name},
                   {"file_name", c.file_name},
                   {"created_at", i18n::iso_utc(c.created_at_ms)},
                   {"updated_at", i18n::iso_utc(c.updated_at_ms)},
                   {"finished_at", iso_or_null(c.finished_at_ms)},
                   {"document_url", "/api/v1/circuits/" + std::to_string(c.id) + "/document.pdf"},
                   {"steps", std::move(steps)},
                   {"history", std::move(history)},
                   {"versions", std::move(versions)},
                   {"opinions", std::move(opinions)},
                   {"allowed", std::move(allowed)}};
    if (!c.purpose.empty()) {
        o["purpose"] = c.purpose;
        o["subject"] = c.subject_ref;
    }
    if (c.reject_reason) o["reason"] = *c.reject_reason;
    return o;
}

json::object line_json(const parapheur::QueueLine& q) {
    json::object o{{"id", q.id},
                   {"title", q.title},
                   {"template", q.template_code},
                   {"template_name_ar", q.template_name_ar},
                   {"template_name_fr", q.template_name_fr},
                   {"state", parapheur::circuit_state_name(q.state)},
                   {"current_step", q.current_step},
                   {"step_count", q.step_count},
                   {"current_kind", parapheur::step_kind_name(q.current_kind)},
                   {"current_label_ar", q.current_label_ar},
                   {"current_label_fr", q.current_label_fr},
                   {"initiator", q.initiator_name},
                   {"version", q.version},
                   {"created_at", i18n::iso_utc(q.created_at_ms)},
                   {"updated_at", i18n::iso_utc(q.updated_at_ms)}};
    if (q.acting_for) o["acting_for"] = *q.acting_for;
    if (q.opinion_requested) o["opinion_requested"] = true;
    return o;
}

http::Response with_circuit(const Result<Circuit>& c) {
    if (!c) return error_response(c.error());
    return json_no_store(200, circuit_json(*c));
}

Result<std::int64_t> required_version(const json::object& o) {
    auto v = optional_int(o, "version");
    if (!v) return v.error();
    if (!*v || **v < 1) return errors::bad_request("version: the circuit's version as last read is required");
    return **v;
}

Result<std::vector<parapheur::StepSpec>> read_steps(const json::object& o) {
    auto it = o.find("steps");
    if (it == o.end() || !it->value().is_array()) return errors::bad_request("steps must be an array");
    std::vector<parapheur::StepSpec> out;
    for (const auto& v : it->value().as_array()) {
        if (!v.is_object()) return errors::bad_request("a step must be an object");
        const auto& s = v.as_object();
        parapheur::StepSpec st;
        auto kind = optional_string(s, "kind", 16);
        if (!kind) return kind.error();
        auto k = parapheur::parse_step_kind(kind->value_or(""));
        if (!k) return Error{"parapheur.template_invalid", 400, "kind"};
        st.kind = *k;
        auto mode = optional_string(s, "mode", 8);
        if (!mode) return mode.error();
        auto m = parapheur::parse_step_mode(mode->value_or("any"));
        if (!m) return Error{"parapheur.template_invalid", 400, "mode"};
        st.mode = *m;
        if (auto a = s.find("accounts"); a != s.end() && !a->value().is_null()) {
            if (!a->value().is_array()) return errors::bad_request("accounts must be an array of ids");
            for (const auto& x : a->value().as_array()) {
                if (!x.is_int64()) return errors::bad_request("accounts must be an array of ids");
                st.account_ids.push_back(x.as_int64());
            }
        }
        auto role = optional_string(s, "role", 32);
        if (!role) return role.error();
        if (*role) {
            st.role = identity::parse_role(**role);
            if (!st.role) return Error{"parapheur.template_invalid", 400, "role"};
        }
        auto unit = optional_string(s, "unit", 64);
        if (!unit) return unit.error();
        st.unit_code = unit->value_or("");
        auto ar = optional_string(s, "label_ar", 2000);
        if (!ar) return ar.error();
        auto fr = optional_string(s, "label_fr", 2000);
        if (!fr) return fr.error();
        st.label_ar = ar->value_or("");
        st.label_fr = fr->value_or("");
        out.push_back(std::move(st));
    }
    return out;
}

template <class F>
http::Response action(const ParapheurApi& api, http::Request& req, F act) {
    auto who = authenticate(req, api.identity);
    if (!who) return error_response(who.error());
    auto id = parse_id(req.param("id"));
    if (!id) return error_response(errors::not_found("circuit"));
    auto o = parse_json_object(req);
    if (!o) return error_response(o.error());
    return with_circuit(act(parapheur::Actor{*who, origin(req)}, *id, *o));
}

template <class F>
http::Response versioned(const ParapheurApi& api, http::Request& req, F act) {
    return action(api, req, [&](const parapheur::Actor& a, std::int64_t id, const json::object& o) -> Result<Circuit> {
        auto v = required_version(o);
        if (!v) return v.error();
        return act(a, id, *v, o);
    });
}

Result<std::string> text_field(const json::object& o, const char* name) {
    auto t = optional_string(o, name, 20000);
    if (!t) return t.error();
    return t->value_or("");
}

}  // namespace

void register_parapheur(http::Router& r, const ParapheurApi& api) {
    r.get("/api/v1/circuits", [api](http::Request& req) -> http::Response {
        auto who = authenticate(req, api.identity);
        if (!who) return error_response(who.error());
        auto box = parapheur::parse_box(req.query_param("box").value_or("mine"));
        if (!box) return error_response(errors::bad_request("box must be mine, started or all"));
        int limit = 50, offset = 0;
        if (auto l = req.query_param("limit")) {
            auto n = parse_id(*l);
            if (!n || *n > 200) return error_response(errors::bad_request("limit"));
            limit = static_cast<int>(*n);
        }
        if (auto f = req.query_param("offset")) {
            auto n = parse_decimal(*f);
            if (!n || *n < 0 || *n > 1'000'000) return error_response(errors::bad_request("offset"));
            offset = static_cast<int>(*n);
        }
        auto list = api.circuits.queue(*who, *box, limit, offset);
        if (!list) return error_response(list.error());
        json::array a;
        for (const auto& q : *list) a.push_back(line_json(q));
        return json_no_store(200, json::object{{"circuits", std::move(a)}});
    });

    r.post("/api/v1/circuits", [api](http::Request& req) -> http::Response {
        auto who = authenticate(req, api.identity);
        if (!who) return error_response(who.error());
        const std::string ct(req.header("Content-Type").value_or(""));
        if (!ct.starts_with("multipart/"))
            return error_response(errors::unsupported_media("multipart/form-data with a 'circuit' part and a PDF"));
        auto parts = http::parse_multipart(ct, req.body, api.multipart);
        if (!parts) return error_response(parts.error());
        std::optional<json::object> obj;
        std::optional<http::Part> file;
        for (auto& p : *parts) {
            if (p.name == "circuit" && !p.filename && !obj) {
                boost::system::error_code ec;
                auto v = json::parse(p.body, ec);
                if (ec) return error_response(errors::malformed_json(ec.message()));
                if (!v.is_object()) return error_response(errors::bad_request("circuit must be an object"));
                obj = std::move(v.as_object());
            } else if (p.filename && !file) {
                file = std::move(p);
            } else {
                return error_response(errors::bad_request("expected one 'circuit' part and one PDF file"));
            }
        }
        if (!obj) return error_response(errors::bad_request("no 'circuit' part"));
        if (!file) return error_response(Error{"parapheur.not_pdf", 400, "no file"});
        auto code = required_string(*obj, "template", 64);
        if (!code) return error_response(code.error());
        auto title = optional_string(*obj, "title", 4000);
        if (!title) return error_response(title.error());
        parapheur::NewCircuit n;
        n.template_code = *code;
        n.title = title->value_or("");
        n.file_name = *file->filename;
        n.pdf = std::move(file->body);
        auto c = api.circuits.start(parapheur::Actor{*who, origin(req)}, std::move(n));
        if (!c) return error_response(c.error());
        auto out = json_no_store(201, circuit_json(*c));
        out.headers.set("Location", "/api/v1/circuits/" + std::to_string(c->id));
        return out;
    });

    r.get("/api/v1/circuits/{id}", [api](http::Request& req) -> http::Response {
        auto who = authenticate(req, api.identity);
        if (!who) return error_response(who.error());
        auto id = parse_id(req.param("id"));
        if (!id) return error_response(errors::not_found("circuit"));
        return with_circuit(api.circuits.get(*who, *id));
    });

    r.get("/api/v1/circuits/{id}/document.pdf", [api](http::Request& req) -> http::Response {
        auto who = authenticate(req, api.identity);
        if (!who) return error_response(who.error());
        auto id = parse_id(req.param("id"));
        if (!id) return error_response(errors::not_found("circuit"));
        int number = 0;
        if (auto v = req.query_param("version")) {
            auto n = parse_id(*v);
            if (!n || *n > 100000) return error_response(errors::not_found("document version"));
            number = static_cast<int>(*n);
        }
        auto pdf = api.circuits.document_version(*who, *id, number);
        if (!pdf) return error_response(pdf.error());
        http::Response out;
        out.status = 200;
        out.body = std::move(*pdf);
        out.headers.set("Content-Type", "application/pdf");
        out.headers.set("Content-Disposition", "attachment; filename=\"circuit-" + std::to_string(*id) + ".pdf\"");
        out.headers.set("Cache-Control", "no-store");
        return out;
    });

    r.post("/api/v1/circuits/{id}/approve", [api](http::Request& req) {
        return versioned(api, req, [&](const parapheur::Actor& a, std::int64_t id, std::int64_t v, const json::object& o)
                                       -> Result<Circuit> {
            auto comment = text_field(o, "comment");
            if (!comment) return comment.error();
            return api.circuits.approve(a, id, v, *comment);
        });
    });
    r.post("/api/v1/circuits/{id}/sign", [api](http::Request& req) {
        return versioned(api, req, [&](const parapheur::Actor& a, std::int64_t id, std::int64_t v, const json::object& o)
                                       -> Result<Circuit> {
            auto password = optional_string(o, "password", 1024);
            if (!password) return password.error();
            auto totp = optional_string(o, "totp", 16);
            if (!totp) return totp.error();
            return api.circuits.sign(a, id, v, {password->value_or(""), totp->value_or("")});
        });
    });
    r.post("/api/v1/circuits/{id}/reject", [api](http::Request& req) {
        return versioned(api, req, [&](const parapheur::Actor& a, std::int64_t id, std::int64_t v, const json::object& o)
                                       -> Result<Circuit> {
            auto reason = text_field(o, "reason");
            if (!reason) return reason.error();
            return api.circuits.reject(a, id, v, *reason);
        });
    });
    r.post("/api/v1/circuits/{id}/return", [api](http::Request& req) {
        return versioned(api, req, [&](const parapheur::Actor& a, std::int64_t id, std::int64_t v, const json::object& o)
                                       -> Result<Circuit> {
            auto reason = text_field(o, "reason");
            if (!reason) return reason.error();
            return api.circuits.return_to_previous(a, id, v, *reason);
        });
    });
    r.post("/api/v1/circuits/{id}/cancel", [api](http::Request& req) {
        return versioned(api, req, [&](const parapheur::Actor& a, std::int64_t id, std::int64_t v, const json::object& o)
                                       -> Result<Circuit> {
            auto reason = text_field(o, "reason");
            if (!reason) return reason.error();
            return api.circuits.cancel(a, id, v, *reason);
        });
    });
    r.post("/api/v1/circuits/{id}/opinion-request", [api](http::Request& req) {
        return action(api, req, [&](const parapheur::Actor& a, std::int64_t id, const json::object& o) -> Result<Circuit> {
            auto colleague = optional_int(o, "colleague_id");
            if (!colleague) return colleague.error();
            if (!*colleague) return Error{"parapheur.opinion_colleague", 400, "colleague_id"};
            auto question = text_field(o, "question");
            if (!question) return question.error();
            return api.circuits.request_opinion(a, id, **colleague, *question);
        });
    });
    r.post("/api/v1/circuits/{id}/opinion", [api](http::Request& req) {
        return action(api, req, [&](const parapheur::Actor& a, std::int64_t id, const json::object& o) -> Result<Circuit> {
            auto opinion = text_field(o, "opinion");
            if (!opinion) return opinion.error();
            return api.circuits.give_opinion(a, id, *opinion);
        });
    });

    r.get("/api/v1/circuit-templates", [api](http::Request& req) -> http::Response {
        auto who = authenticate(req, api.identity);
        if (!who) return error_response(who.error());
        auto list = api.circuits.templates(*who);
        if (!list) return error_response(list.error());
        json::array a;
        for (const auto& t : *list) a.push_back(template_json(t));
        return json_no_store(200, json::object{{"templates", std::move(a)}});
    });
    r.get("/api/v1/circuit-templates/{code}", [api](http::Request& req) -> http::Response {
        auto who = authenticate(req, api.identity);
        if (!who) return error_response(who.error());
        auto t = api.circuits.template_by_code(*who, req.param("code"));
        if (!t) return error_response(t.error());
        return json_no_store(200, template_json(*t));
    });
    r.add(http::Method::put, "/api/v1/circuit-templates/{code}", [api](http::Request& req) -> http::Response {
        auto who = authenticate(req, api.identity);
        if (!who) return error_response(who.error());
        auto o = parse_json_object(req);
        if (!o) return error_response(o.error());
        parapheur::CircuitTemplate t;
        t.code = std::string(req.param("code"));
        auto ar = optional_string(*o, "name_ar", 2000);
        if (!ar) return error_response(ar.error());
        auto fr = optional_string(*o, "name_fr", 2000);
        if (!fr) return error_response(fr.error());
        t.name_ar = ar->value_or("");
        t.name_fr = fr->value_or("");
        auto steps = read_steps(*o);
        if (!steps) return error_response(steps.error());
        t.steps = std::move(*steps);
        auto saved = api.circuits.put_template(*who, std::move(t));
        if (!saved) return error_response(saved.error());
        return json_no_store(200, template_json(*saved));
    });
    r.add(http::Method::del, "/api/v1/circuit-templates/{code}", [api](http::Request& req) -> http::Response {
        auto who = authenticate(req, api.identity);
        if (!who) return error_response(who.error());
        auto s = api.circuits.delete_template(*who, req.param("code"));
        if (!s) return error_response(s.error());
        http::Response out;
        out.status = 204;
        return out;
    });
}

}  // namespace idara::api
