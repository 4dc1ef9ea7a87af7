// GovStack tasks: the staff's work on received applications, in the correspondence window.
//
// A submitted application is a registered entry; its open task is the next action of the
// correspondence window on that entry, named by the entry's state (processing/workflow.hpp):
//   registered                    route     registry clerk/admin: assign to the lead unit
//                                           (data.unit, default the procedure's unit; data.copyUnits)
//   assigned, nobody dispatched   dispatch  head of the lead unit: data.assigneeId (an agent)
//   assigned to an agent          start     the assignee
//   in_progress                   review    data.decision "sendback" (the single missing-documents
//                                           request, data.reason says what is missing) or "reject"
//                                           (head of the lead unit, data.reason); "approve" is
//                                           refused: an approval is a signed reply letter
//                                           (/api/v1/letters), which moves the entry to answered
//   answered, rejected, transferred  close  registry clerk/admin or head of the lead unit
//   missing_documents             complete-documents   the applicant (their own task): data.files
//                                           [{"name", "content" (base64)}] (at least one) and
//                                           data.note; the legal clock resumes
// closed and cancelled have none.
// taskId is "<fileId>.<flow version>": every action bumps the version, so a completed task
// disappears (404) and its successor has a new id. GET /tasks lists the tasks the caller may
// complete (WorkflowService::allowed); GET /tasks/{id} shows any task of the caller's
// administration with "canComplete". An applicant sees only the complete-documents tasks of
// their own files.
#include "api/govstack_common.hpp"

#include "api/json_io.hpp"
#include "core/dates.hpp"
#include "identity/service.hpp"

#include <boost/json.hpp>
#include <sodium.h>

#include <algorithm>

namespace idara::api::govstack {

namespace json = boost::json;
using processing::State;

namespace {

struct Task {
    procedures::Application app;
    procedures::Published procedure;
    processing::Dossier dossier;
    std::string kind;  // route, dispatch, start, review, close
    std::string role;  // who completes it
    bool can_complete = false;
};

// The task of the dossier's state for staff, or for the applicant (`staff` false).
std::optional<std::pair<std::string, std::string>> kind_of(const processing::Dossier& d, bool staff) {
    if (!staff) {
        if (d.state == State::missing_documents) return std::pair{std::string("complete-documents"), std::string("applicant")};
        return std::nullopt;
    }
    switch (d.state) {
    case State::registered: return std::pair{std::string("route"), std::string("registry_clerk")};
    case State::assigned:
        if (d.assignee_id) return std::pair{std::string("start"), std::string("assignee")};
        return std::pair{std::string("dispatch"), std::string("unit_head")};
    case State::in_progress: return std::pair{std::string("review"), std::string("unit_head")};
    case State::answered:
    case State::rejected:
    case State::transferred: return std::pair{std::string("close"), std::string("registry_clerk")};
    default: return std::nullopt;
    }
}

bool may_complete(std::string_view kind, const processing::Allowed& al) {
    if (kind == "route") return al.assign;
    if (kind == "dispatch") return al.dispatch;
    if (kind == "start") return al.start;
    if (kind == "review") return al.reject || al.request_documents;
    if (kind == "close") return al.close;
    if (kind == "complete-documents") return al.complete_documents;
    return false;
}

// The open task of application `file_id` as `who` sees it; nullopt when it has none.
Result<std::optional<Task>> task_of(const GovStackApi& api, const identity::Principal& who, std::string_view file_id) {
    auto a = who.is_staff() ? api.applications.get_received(who, file_id) : api.applications.get(who, file_id);
    if (!a) return a.error();
    if (!a->register_number) return std::optional<Task>{};
    auto d = api.workflow.dossier(who, *a->register_number);
    if (!d) return d.error();
    auto k = kind_of(*d, who.is_staff());
    if (!k) return std::optional<Task>{};
    auto al = api.workflow.allowed(who, *a->register_number);
    if (!al) return al.error();
    auto pub = api.applications.procedure_of(*a);
    if (!pub) return pub.error();
    Task t{std::move(*a), std::move(*pub), std::move(*d), k->first, k->second, false};
    t.can_complete = may_complete(t.kind, *al);
    return std::optional<Task>{std::move(t)};
}

std::int64_t created_of(const processing::Dossier& d) {
    std::int64_t at = d.registered_at_ms;
    for (const auto& e : d.timeline)
        if (e.version == d.version) at = std::max(at, e.at_ms);
    return at;
}

json::object task_json(const Task& t, i18n::Lang lang, bool detail) {
    const auto& d = t.dossier;
    json::object o{{"taskId", task_id(t.app.id, d.version)},
                   {"mainTaskId", task_id(t.app.id, d.version)},
                   {detail ? "taskName" : "name", t.kind},
                   {"roleId", t.role},
                   {"created", i18n::iso_utc(created_of(d))},
                   {"description", d.register_number},
                   {"serviceId", t.app.procedure_code},
                   {"serviceName", t.procedure.procedure->title.in(lang)},
                   {"fileId", t.app.id},
                   {"eFormId", eform_id(t.app.procedure_code, t.app.procedure_version)},
                   {"status", status_json(status_of(t.app.state, d), lang)},
                   {"registerNumber", d.register_number},
                   {"dueDate", i18n::iso_utc(d.due_at_ms)},
                   {"canComplete", t.can_complete}};
    if (d.assignee_id) o["assigneeId"] = std::to_string(*d.assignee_id);
    if (detail) {
        o["formVariables"] = t.app.answers;
        // What complete accepts in data, as JSON Schema fragments.
        const json::object str{{"type", "string"}};
        json::object accepts;
        if (t.kind == "route")
            accepts = {{"unit", str}, {"copyUnits", json::object{{"type", "array"}, {"items", str}}}};
        if (t.kind == "dispatch") accepts = {{"assigneeId", str}};
        if (t.kind == "review")
            accepts = {{"decision", json::object{{"type", "string"}, {"enum", json::array{"sendback", "reject"}}}},
                       {"reason", str}};
        if (t.kind == "complete-documents") {
            json::object file{{"type", "object"},
                              {"required", json::array{"name", "content"}},
                              {"properties", json::object{{"name", str}, {"content", str}}}};
            accepts = {{"files", json::object{{"type", "array"}, {"minItems", 1}, {"items", std::move(file)}}},
                       {"note", str}};
        }
        o["data"] = std::move(accepts);
    }
    return o;
}

Result<std::string> data_string(const json::object& data, std::string_view key, bool required) {
    auto s = optional_string(data, key, 20000);
    if (!s) return s.error();
    if (!*s || (*s)->empty()) {
        if (required) return errors::bad_request("data." + std::string(key) + " is required");
        return std::string();
    }
    return std::move(**s);
}

// data.files of complete-documents: [{"name", "content" (standard base64)}], at least one.
Result<std::vector<registry::IncomingFile>> data_files(const json::object& data) {
    const auto* files = data.if_contains("files");
    if (!files || !files->is_array() || files->as_array().empty())
        return Error{"processing.documents_missing", 400, "data.files must list at least one file"};
    std::vector<registry::IncomingFile> out;
    for (const auto& f : files->as_array()) {
        if (!f.is_object()) return errors::bad_request("data.files holds objects");
        auto name = required_string(f.as_object(), "name", 255);
        if (!name) return name.error();
        auto content = required_string(f.as_object(), "content", 64u << 20);
        if (!content) return content.error();
        std::string bytes(content->size() / 4 * 3 + 3, '\0');
        std::size_t len = 0;
        if (sodium_init() < 0 ||
            sodium_base642bin(reinterpret_cast<unsigned char*>(bytes.data()), bytes.size(), content->data(),
                              content->size(), "\r\n", &len, nullptr, sodium_base64_VARIANT_ORIGINAL) != 0)
            return errors::bad_request("data.files content must be base64");
        bytes.resize(len);
        out.push_back({std::move(*name), std::move(bytes)});
    }
    return out;
}

// Performs the task's action; returns the new flow version.
Result<std::int64_t> complete(const GovStackApi& api, const Caller& c, const Task& t, const json::object& data) {
    const processing::Actor actor{c.who, c.origin};
    const auto& number = t.dossier.register_number;
    const auto v = t.dossier.version;
    if (t.kind == "route") {
        auto unit = data_string(data, "unit", false);
        if (!unit) return unit.error();
        processing::Assignment to;
        to.lead_unit_code = !unit->empty() ? *unit : t.procedure.procedure->unit.value_or("");
        if (to.lead_unit_code.empty()) return errors::bad_request("data.unit is required");
        if (auto it = data.find("copyUnits"); it != data.end() && !it->value().is_null()) {
            if (!it->value().is_array()) return errors::bad_request("data.copyUnits must be an array");
            for (const auto& u : it->value().as_array()) {
                if (!u.is_string()) return errors::bad_request("data.copyUnits must hold unit codes");
                to.copy_unit_codes.emplace_back(u.as_string());
            }
        }
        return api.workflow.assign(actor, number, v, to);
    }
    if (t.kind == "dispatch") {
        std::optional<std::int64_t> agent;
        if (auto it = data.find("assigneeId"); it != data.end()) {
            if (it->value().is_int64()) agent = it->value().as_int64();
            else if (it->value().is_string()) agent = parse_id(it->value().as_string());
        }
        if (!agent || *agent < 1) return errors::bad_request("data.assigneeId must be an account id");
        return api.workflow.dispatch(actor, number, v, *agent);
    }
    if (t.kind == "start") return api.workflow.start(actor, number, v);
    if (t.kind == "review") {
        auto decision = data_string(data, "decision", true);
        if (!decision) return decision.error();
        if (*decision == "approve")
            return Error{"processing.invalid_transition", 409, "an approval is a signed reply letter (/api/v1/letters)"};
        if (*decision != "sendback" && *decision != "reject")
            return errors::bad_request("data.decision must be sendback or reject");
        auto reason = data_string(data, "reason", false);
        if (!reason) return reason.error();
        if (*decision == "sendback") return api.workflow.request_documents(actor, number, v, *reason);
        return api.workflow.reject(actor, number, v, *reason);
    }
    if (t.kind == "close") return api.workflow.close(actor, number, v);
    if (t.kind == "complete-documents") {
        auto files = data_files(data);
        if (!files) return files.error();
        auto note = data_string(data, "note", false);
        if (!note) return note.error();
        return api.workflow.complete_documents(actor, number, v, std::move(*files), *note);
    }
    return errors::not_found("task");
}

// The task named by `id` when it is still the open task of its application.
Result<Task> find_task(const GovStackApi& api, const identity::Principal& who, std::string_view id) {
    auto parsed = parse_task_id(id);
    if (!parsed) return errors::not_found("task");
    auto t = task_of(api, who, parsed->first);
    if (!t) return t.error();
    if (!*t || (*t)->dossier.version != parsed->second) return errors::not_found("task");
    return std::move(**t);
}

http::Response list_tasks(const GovStackApi& api, const http::Request& req) {
    auto c = caller(req, api.identity);
    if (!c) return error_response(c.error());
    auto page = page_of(req);
    if (!page) return error_response(page.error());
    const auto order = req.query_param("sortOrder").value_or("desc");
    if (order != "asc" && order != "desc") return error_response(errors::bad_request("sortOrder must be asc or desc"));
    const auto file = req.query_param("fileId").value_or("");
    const auto main = req.query_param("mainTaskId").value_or("");
    const auto assignee = req.query_param("assigneeId").value_or("");
    std::vector<std::string> ids;
    if (!file.empty()) {
        ids.push_back(file);
    } else {
        auto list = c->who.is_staff() ? api.applications.list_received(c->who, {}, 1000)
                                      : api.applications.list_mine(c->who, 1000);
        if (!list) return error_response(list.error());
        for (const auto& s : *list) ids.push_back(s.id);
    }
    std::vector<Task> tasks;
    for (const auto& id : ids) {
        auto t = task_of(api, c->who, id);
        if (!t) {
            if (t.error().status == 404 && !file.empty()) return json_no_store(200, json::array{});
            return error_response(t.error());
        }
        if (!*t || !(*t)->can_complete) continue;
        if (!main.empty() && main != task_id((*t)->app.id, (*t)->dossier.version)) continue;
        if (!assignee.empty() &&
            (!(*t)->dossier.assignee_id || assignee != std::to_string(*(*t)->dossier.assignee_id)))
            continue;
        tasks.push_back(std::move(**t));
    }
    std::stable_sort(tasks.begin(), tasks.end(), [&](const Task& a, const Task& b) {
        return order == "asc" ? created_of(a.dossier) < created_of(b.dossier) : created_of(a.dossier) > created_of(b.dossier);
    });
    json::array out;
    for (std::size_t i = page->first; i < tasks.size() && out.size() < page->max; ++i)
        out.push_back(task_json(tasks[i], c->who.lang, false));
    return json_no_store(200, out);
}

}  // namespace

void register_tasks(http::Router& r, const GovStackApi& api) {
    r.get("/api/govstack/tasks", [api](http::Request& req) { return list_tasks(api, req); });

    r.get("/api/govstack/tasks/{taskId}", [api](http::Request& req) -> http::Response {
        auto c = caller(req, api.identity);
        if (!c) return error_response(c.error());
        auto t = find_task(api, c->who, req.param("taskId"));
        if (!t) return error_response(t.error());
        return json_no_store(200, task_json(*t, c->who.lang, true));
    });

    r.post("/api/govstack/tasks/{taskId}/complete", [api](http::Request& req) -> http::Response {
        auto c = caller(req, api.identity);
        if (!c) return error_response(c.error());
        json::object data;
        if (!req.body.empty()) {
            auto body = parse_json_object(req);
            if (!body) return error_response(body.error());
            if (auto it = body->find("data"); it != body->end() && !it->value().is_null()) {
                if (!it->value().is_object()) return error_response(errors::bad_request("data must be an object"));
                data = it->value().as_object();
            }
        }
        auto t = find_task(api, c->who, req.param("taskId"));
        if (!t) return error_response(t.error());
        if (!t->can_complete) return error_response(errors::forbidden("not this caller's task"));
        auto v = complete(api, *c, *t, data);
        if (!v) return error_response(v.error());
        auto next = task_of(api, c->who, t->app.id);
        if (!next) return error_response(next.error());
        auto d = dossier_of(api, c->who, t->app);
        if (!d) return error_response(d.error());
        json::object o{{"taskId", task_id(t->app.id, t->dossier.version)},
                       {"fileId", t->app.id},
                       {"serviceId", t->app.procedure_code},
                       {"status", status_json(status_of(t->app.state, *d), c->who.lang)},
                       {"variables", json::object{{"data", data}}}};
        if (*next) o["nextTaskId"] = task_id((*next)->app.id, (*next)->dossier.version);
        return json_no_store(200, o);
    });
}

}  // namespace idara::api::govstack
