#include "api/govstack_common.hpp"

#include "api/auth.hpp"
#include "api/json_io.hpp"
#include "core/dates.hpp"
#include "core/error_json.hpp"
#include "core/i18n.hpp"

#include <boost/json.hpp>

#include <algorithm>

namespace idara::api::govstack {

namespace json = boost::json;

bool valid_client_id(std::string_view s) {
    if (s.empty() || s.size() > 255) return false;
    int segments = 1;
    std::size_t len = 0;
    for (char c : s) {
        if (c == '/') {
            if (len == 0) return false;
            ++segments;
            len = 0;
            continue;
        }
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                        c == '_' || c == '-';
        if (!ok) return false;
        ++len;
    }
    return segments == 4 && len > 0;
}

Result<Caller> caller(const http::Request& req, identity::Service& ids, bool client_required) {
    std::string client;
    if (auto h = req.header("Information-Mediator-Client")) {
        if (!valid_client_id(*h))
            return errors::bad_request("Information-Mediator-Client must be INSTANCE/CLASS/MEMBER/SUBSYSTEM");
        client = std::string(*h);
    } else if (client_required) {
        return errors::bad_request("Information-Mediator-Client is required");
    }
    auto who = authenticate(req, ids);
    if (!who) return who.error();
    Caller c{std::move(*who), std::move(client), {}};
    c.origin = "api govstack " + (c.client.empty() ? std::string() : c.client + " ") + req.remote_addr;
    return c;
}

std::string eform_id(std::string_view code, int version) {
    return std::string(code) + ".v" + std::to_string(version);
}

std::optional<std::pair<std::string, int>> parse_eform_id(std::string_view id) {
    auto dot = id.rfind(".v");
    if (dot == std::string_view::npos || dot == 0) return std::nullopt;
    auto v = parse_decimal(id.substr(dot + 2));
    if (!v || *v < 1 || *v > 100000 || id[dot + 2] == '-' || id[dot + 2] == '0') return std::nullopt;
    return std::pair{std::string(id.substr(0, dot)), static_cast<int>(*v)};
}

std::string task_id(std::string_view file_id, std::int64_t version) {
    return std::string(file_id) + "." + std::to_string(version);
}

std::optional<std::pair<std::string, std::int64_t>> parse_task_id(std::string_view id) {
    auto dot = id.rfind('.');
    if (dot == std::string_view::npos || dot == 0) return std::nullopt;
    auto v = parse_id(id.substr(dot + 1));
    if (!v) return std::nullopt;
    return std::pair{std::string(id.substr(0, dot)), *v};
}

std::string document_url(std::string_view file_id, std::string_view code) {
    return "/api/govstack/applications/" + std::string(file_id) + "/documents/" + std::string(code);
}

namespace {
bool has_event(const processing::Dossier& d, std::string_view kind) {
    return std::any_of(d.timeline.begin(), d.timeline.end(), [&](const auto& e) { return e.kind == kind; });
}
}  // namespace

FileStatus status_of(procedures::State app, const std::optional<processing::Dossier>& d) {
    using PS = processing::State;
    if (app != procedures::State::submitted) return {"PENDING", std::string(procedures::state_name(app)), false};
    if (!d) return {"PENDING", "submitted", false};
    FileStatus s{"PENDING", std::string(processing::state_name(d->state)), processing::is_finished(d->state)};
    switch (d->state) {
    case PS::missing_documents: s.code = "SENDBACK"; break;
    case PS::answered: s.code = "APPROVED"; break;
    case PS::rejected:
    case PS::cancelled: s.code = "REJECTED"; break;
    case PS::closed:
        s.code = has_event(*d, "rejected") ? "REJECTED" : has_event(*d, "answered") ? "APPROVED" : "PENDING";
        break;
    default: break;
    }
    return s;
}

json::object status_json(const FileStatus& s, i18n::Lang lang) {
    const auto& cat = i18n::catalogue();
    std::string key = "processing.state." + s.state;
    if (!cat.has(lang, key)) key = "web.portal.state." + s.state;
    std::string title = cat.has(lang, key) ? cat.get(lang, key) : s.state;
    return json::object{{"code", s.code}, {"title", title}, {"state", s.state}};
}

Result<Page> page_of(const http::Request& req) {
    Page p;
    if (auto f = req.query_param("firstResult")) {
        auto v = parse_decimal(*f);
        if (!v || *v < 0) return errors::bad_request("firstResult must be a non-negative integer");
        p.first = static_cast<std::size_t>(*v);
    }
    if (auto m = req.query_param("maxResult")) {
        auto v = parse_decimal(*m);
        if (!v || *v < 0 || *v > 1000) return errors::bad_request("maxResult must be an integer from 0 to 1000");
        p.max = static_cast<std::size_t>(*v);
    }
    return p;
}

http::Response problems_response(const std::vector<procedures::FieldProblem>& problems, std::string_view file_id) {
    auto e = errors::bad_request("form data does not fit the e-form");
    json::value v = json::parse(error_json(e));
    json::array a;
    for (const auto& p : problems) a.push_back(json::object{{"field", p.field}, {"code", p.code}, {"detail", p.detail}});
    v.as_object()["problems"] = std::move(a);
    if (!file_id.empty()) v.as_object()["fileId"] = file_id;
    return json_no_store(400, v);
}

json::object application_json(const procedures::Application& a, const procedures::Published& p,
                              const std::optional<processing::Dossier>& d, i18n::Lang lang) {
    const auto st = status_of(a.state, d);
    json::array urls, docs;
    for (const auto& doc : a.documents) {
        urls.push_back(json::value(document_url(a.id, doc.code)));
        docs.push_back(json::object{{"code", doc.code}, {"name", doc.name}, {"mediaType", doc.media_type},
                                    {"size", doc.size}, {"sha256", doc.sha256}, {"url", document_url(a.id, doc.code)}});
    }
    json::object sources;
    for (const auto& [field, lookup] : a.sources) sources[field] = lookup;
    json::array consents;
    for (const auto& c : a.consents)
        consents.push_back(json::object{{"lookup", c.lookup}, {"agreed", c.agreed}, {"at", i18n::iso_utc(c.at_ms)}});
    const std::string form = eform_id(a.procedure_code, a.procedure_version);
    json::object data{{"applicantId", std::to_string(a.applicant_account_id)},
                      {"created", i18n::iso_utc(a.created_at_ms)},
                      {"formData", json::object{{"eFormId", form}, {"data", a.answers}}},
                      {"documentUrls", std::move(urls)}};
    json::object o{{"fileId", a.id},
                   {"serviceId", a.procedure_code},
                   {"serviceName", p.procedure->title.in(lang)},
                   {"eFormId", form},
                   {"status", status_json(st, lang)},
                   {"ended", st.ended},
                   {"applicationData", std::move(data)},
                   {"documents", std::move(docs)},
                   {"sources", std::move(sources)},
                   {"consents", std::move(consents)},
                   {"updated", i18n::iso_utc(a.updated_at_ms)}};
    if (a.submitted_at_ms) o["registered"] = i18n::iso_utc(*a.submitted_at_ms);
    if (a.register_number) o["registerNumber"] = *a.register_number;
    if (a.state == procedures::State::draft) {
        static constexpr std::string_view kinds[] = {"step", "lookup", "documents", "check"};
        auto n = procedures::ApplicationService::next(*p.procedure, a);
        json::object next{{"kind", kinds[static_cast<int>(n.kind)]}};
        if (!n.id.empty()) next["id"] = n.id;
        o["next"] = std::move(next);
    }
    if (d && d->assignee_id) o["assigneeId"] = std::to_string(*d->assignee_id);
    return o;
}

Result<std::optional<processing::Dossier>> dossier_of(const GovStackApi& api, const identity::Principal& who,
                                                      const procedures::Application& a) {
    if (!a.register_number) return std::optional<processing::Dossier>{};
    auto d = api.workflow.dossier(who, *a.register_number);
    if (!d) {
        if (d.error().status == 404 || d.error().status == 403) return std::optional<processing::Dossier>{};
        return d.error();
    }
    return std::optional<processing::Dossier>{std::move(*d)};
}

}  // namespace idara::api::govstack
