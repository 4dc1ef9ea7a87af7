// GovStack application files.
//   POST /api/govstack/services/{serviceId}/applications   start a draft of the current version,
//        save formData.data, record `consents`, and submit when nothing is missing
//   GET  /api/govstack/applications[?serviceId&applicantId&firstResult&maxResult&sortOrder]
//        the applicant's own files, or (staff) the files received by their administration
//   GET  /api/govstack/applications/{fileId}
//   PUT  /api/govstack/applications/{fileId}   the applicant updates a draft (then as POST)
// These four require the Information-Mediator-Client header (400 without it), as the
// specification does. Body (applicationFileSubmit): {"applicantId", "applicationName", "formData": {"eFormId",
// "data": {field: value}}, "documentUrls"} plus idara's "consents": {lookupId: true|false}
// (the once-only data consent, which GovStack has no place for) and "submit": false to keep a
// complete draft unsubmitted. The applicant is always the token's account: applicantId is not
// trusted. Answers that do not fit are 400 request.invalid with "problems" and, after a POST,
// the "fileId" of the draft that was started (fix it with PUT). The body may also be
// application/x-www-form-urlencoded (as the specification's test harness sends it): the same
// names, with formData and consents as JSON texts and submit as true/false.
#include "api/govstack_common.hpp"

#include "api/json_io.hpp"
#include "core/dates.hpp"
#include "identity/service.hpp"
#include "procedures/catalogue.hpp"

#include <boost/json.hpp>

#include <algorithm>

namespace idara::api::govstack {

namespace json = boost::json;
using procedures::Application;

namespace {

// The request body as an object: JSON, or a form whose formData/consents fields are JSON texts.
Result<json::object> read_body(const http::Request& req) {
    auto ct = std::string(req.header("Content-Type").value_or(""));
    if (ct.substr(0, ct.find(';')) != "application/x-www-form-urlencoded") return parse_json_object(req);
    json::object o;
    for (auto& [k, v] : http::parse_urlencoded(req.body)) {
        if (o.contains(k)) continue;
        if (k == "formData" || k == "consents") {
            boost::system::error_code ec;
            auto parsed = json::parse(v, ec);
            if (ec) return errors::malformed_json(k + ": " + ec.message());
            o[k] = std::move(parsed);
        } else if (k == "submit") {
            if (v != "true" && v != "false") return errors::bad_request("submit must be true or false");
            o[k] = v == "true";
        } else {
            o[k] = v;
        }
    }
    return o;
}

struct FileUpdate {
    std::optional<std::string> eform;
    json::object data;
    std::vector<std::pair<std::string, bool>> consents;
    bool submit = true;
};

Result<FileUpdate> read_update(const json::object& body) {
    FileUpdate u;
    if (auto it = body.find("formData"); it != body.end() && !it->value().is_null()) {
        if (!it->value().is_object()) return errors::bad_request("formData must be an object");
        const auto& fd = it->value().as_object();
        auto eform = optional_string(fd, "eFormId", 200);
        if (!eform) return eform.error();
        u.eform = *eform;
        if (auto d = fd.find("data"); d != fd.end() && !d->value().is_null()) {
            if (!d->value().is_object()) return errors::bad_request("formData.data must be an object");
            u.data = d->value().as_object();
        }
    }
    if (auto it = body.find("consents"); it != body.end() && !it->value().is_null()) {
        if (!it->value().is_object()) return errors::bad_request("consents must be an object");
        for (const auto& [k, v] : it->value().as_object()) {
            if (!v.is_bool()) return errors::bad_request("consents." + std::string(k) + " must be true or false");
            u.consents.emplace_back(std::string(k), v.as_bool());
        }
    }
    if (auto it = body.find("submit"); it != body.end() && !it->value().is_null()) {
        if (!it->value().is_bool()) return errors::bad_request("submit must be true or false");
        u.submit = it->value().as_bool();
    }
    return u;
}

// Saves the update into draft `id`, then submits when complete. `problems` receives the
// answers that do not fit (then nothing else happens).
Result<Application> apply_update(const GovStackApi& api, const identity::Principal& who, const std::string& id,
                                 const FileUpdate& u, std::vector<procedures::FieldProblem>& problems,
                                 std::optional<procedures::Submitted>& submitted) {
    auto a = api.applications.get(who, id);
    if (!a) return a.error();
    if (a->state != procedures::State::draft) return Error{"application.invalid_state", 409, "not a draft"};
    if (u.eform && *u.eform != eform_id(a->procedure_code, a->procedure_version))
        return errors::bad_request("formData.eFormId is not the e-form of this application");
    if (!u.data.empty()) {
        auto p = api.applications.answer_json(who, id, u.data);
        if (!p) return p.error();
        if (!p->empty()) {
            problems = std::move(*p);
            return a;
        }
    }
    for (const auto& [lookup, agree] : u.consents) {
        auto d = api.applications.decide_lookup(who, id, lookup, agree);
        if (!d) return d.error();
    }
    // An API client has no documents page: what it uploaded is what it means to send.
    if (auto seen = api.applications.documents_seen(who, id); !seen) return seen.error();
    a = api.applications.get(who, id);
    if (!a) return a.error();
    if (!u.submit || a->state != procedures::State::draft) return a;
    auto pub = api.applications.procedure_of(*a);
    if (!pub) return pub.error();
    if (procedures::ApplicationService::next(*pub->procedure, *a).kind != procedures::Next::Kind::check) return a;
    auto s = api.applications.submit(who, id);
    if (!s) return s.error();
    submitted = std::move(*s);
    return api.applications.get(who, id);
}

http::Response file_response(const GovStackApi& api, const identity::Principal& who, const Application& a,
                             const std::optional<procedures::Submitted>& submitted, int status) {
    auto pub = api.applications.procedure_of(a);
    if (!pub) return error_response(pub.error());
    auto d = dossier_of(api, who, a);
    if (!d) return error_response(d.error());
    auto o = application_json(a, *pub, *d, who.lang);
    if (submitted && !submitted->tracking_code.empty()) o["trackingCode"] = submitted->tracking_code;
    auto out = json_no_store(status, o);
    out.headers.set("Location", "/api/govstack/applications/" + a.id);
    return out;
}

// Applicant: get(); staff: get_received().
Result<Application> read_file(const GovStackApi& api, const identity::Principal& who, std::string_view id) {
    return who.is_staff() ? api.applications.get_received(who, id) : api.applications.get(who, id);
}

http::Response list_files(const GovStackApi& api, const http::Request& req) {
    auto c = caller(req, api.identity, true);
    if (!c) return error_response(c.error());
    auto page = page_of(req);
    if (!page) return error_response(page.error());
    const std::string service = req.query_param("serviceId").value_or("");
    const std::string applicant = req.query_param("applicantId").value_or("");
    const std::string order = req.query_param("sortOrder").value_or("desc");
    if (order != "asc" && order != "desc") return error_response(errors::bad_request("sortOrder must be asc or desc"));
    const int limit = 1000;
    auto list = c->who.is_staff() ? api.applications.list_received(c->who, service, limit)
                                  : api.applications.list_mine(c->who, limit);
    if (!list) return error_response(list.error());
    std::vector<procedures::ApplicationSummary> rows;
    for (auto& s : *list)
        if (service.empty() || s.procedure_code == service) rows.push_back(std::move(s));
    if (order == "asc") std::reverse(rows.begin(), rows.end());
    json::array out;
    std::size_t seen = 0;
    for (const auto& s : rows) {
        if (out.size() >= page->max) break;
        auto a = read_file(api, c->who, s.id);
        if (!a) return error_response(a.error());
        if (!applicant.empty() && applicant != std::to_string(a->applicant_account_id)) continue;
        if (seen++ < page->first) continue;
        auto d = dossier_of(api, c->who, *a);
        if (!d) return error_response(d.error());
        const auto st = status_of(a->state, *d);
        json::array urls;
        for (const auto& doc : a->documents) urls.push_back(json::value(document_url(a->id, doc.code)));
        json::object o{{"fileId", a->id},
                       {"serviceId", a->procedure_code},
                       {"serviceName", s.title.in(c->who.lang)},
                       {"eformId", eform_id(a->procedure_code, a->procedure_version)},
                       {"applicantId", std::to_string(a->applicant_account_id)},
                       {"created", i18n::iso_utc(a->created_at_ms)},
                       {"status", status_json(st, c->who.lang)},
                       {"documentUrls", std::move(urls)}};
        if (a->submitted_at_ms) o["registered"] = i18n::iso_utc(*a->submitted_at_ms);
        if (a->register_number) {
            o["registerNumber"] = *a->register_number;
            o["description"] = *a->register_number;
        }
        if (*d) {
            if ((*d)->assignee_id) o["assigneeId"] = std::to_string(*(*d)->assignee_id);
            if (!(*d)->assignee_name.empty()) o["operatorName"] = (*d)->assignee_name;
            if (!processing::is_finished((*d)->state)) {
                o["mainTaskId"] = task_id(a->id, (*d)->version);
                o["taskTitle"] = st.state;
            }
        }
        out.push_back(std::move(o));
    }
    return json_no_store(200, out);
}

}  // namespace

void register_applications(http::Router& r, const GovStackApi& api) {
    r.post("/api/govstack/services/{serviceId}/applications", [api](http::Request& req) -> http::Response {
        auto c = caller(req, api.identity, true);
        if (!c) return error_response(c.error());
        auto body = read_body(req);
        if (!body) return error_response(body.error());
        auto u = read_update(*body);
        if (!u) return error_response(u.error());
        auto name = optional_string(*body, "applicationName", 500);
        if (!name) return error_response(name.error());
        // The service must exist before anything is stored, and the form must be its current one.
        auto pub = api.catalogue.current(req.param("serviceId"));
        if (!pub) return error_response(pub.error());
        if (u->eform && *u->eform != eform_id(pub->procedure->code, pub->procedure->version))
            return error_response(errors::bad_request("formData.eFormId is not the current e-form of the service"));
        auto draft = api.applications.start(c->who, req.param("serviceId"));
        if (!draft) return error_response(draft.error());
        std::vector<procedures::FieldProblem> problems;
        std::optional<procedures::Submitted> submitted;
        auto a = apply_update(api, c->who, draft->id, *u, problems, submitted);
        if (!a) return error_response(a.error());
        if (!problems.empty()) return problems_response(problems, draft->id);
        return file_response(api, c->who, *a, submitted, 200);
    });

    r.get("/api/govstack/applications", [api](http::Request& req) { return list_files(api, req); });

    r.get("/api/govstack/applications/{fileId}", [api](http::Request& req) -> http::Response {
        auto c = caller(req, api.identity, true);
        if (!c) return error_response(c.error());
        auto a = read_file(api, c->who, req.param("fileId"));
        if (!a) return error_response(a.error());
        return file_response(api, c->who, *a, std::nullopt, 200);
    });

    r.add(http::Method::put, "/api/govstack/applications/{fileId}", [api](http::Request& req) -> http::Response {
        auto c = caller(req, api.identity, true);
        if (!c) return error_response(c.error());
        // Operators never rewrite an applicant's answers in idara: their work is the tasks.
        if (c->who.is_staff()) return error_response(errors::forbidden("staff work on files through /tasks"));
        auto body = read_body(req);
        if (!body) return error_response(body.error());
        auto u = read_update(*body);
        if (!u) return error_response(u.error());
        std::vector<procedures::FieldProblem> problems;
        std::optional<procedures::Submitted> submitted;
        auto a = apply_update(api, c->who, std::string(req.param("fileId")), *u, problems, submitted);
        if (!a) return error_response(a.error());
        if (!problems.empty()) return problems_response(problems, {});
        return file_response(api, c->who, *a, submitted, 200);
    });
}

}  // namespace idara::api::govstack
