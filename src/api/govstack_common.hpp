// Shared pieces of the GovStack Registration BB API (govstack*.cpp; the mapping is in
// docs/GOVSTACK.md): the caller, identifiers, the status model, paging and JSON shapes.
//
// Identifiers:
//   serviceId  the procedure's code ("student-registration"), stable across versions
//   eFormId    "<code>.v<version>" ("student-registration.v1"): one immutable version of the form
//   fileId     the application's public id (20 base32 characters)
//   taskId     "<fileId>.<version>": the correspondence-window step of the application's entry at
//              that version of its flow; once the entry moves on the task no longer exists (404)
#pragma once

#include "api/govstack.hpp"
#include "core/error.hpp"
#include "http/message.hpp"
#include "identity/principal.hpp"
#include "procedures/applications.hpp"
#include "processing/workflow.hpp"

#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace idara::api::govstack {

// The authenticated caller and the Information-Mediator-Client header when sent.
struct Caller {
    identity::Principal who;
    std::string client;  // "INSTANCE/CLASS/MEMBER/SUBSYSTEM" or empty
    std::string origin;  // recorded on workflow events: "api govstack <client> <ip>"
};

// Checks the Information-Mediator-Client header — its form when present, and that it is present
// when `client_required` (the specification requires it on application files and statistics):
// request.invalid (400) otherwise, before authentication — then authenticates the bearer token
// (or session, api/auth.hpp).
Result<Caller> caller(const http::Request& req, identity::Service& ids, bool client_required = false);
// True for "A/B/C/D": four non-empty segments of [A-Za-z0-9._-], at most 255 characters.
bool valid_client_id(std::string_view s);

std::string eform_id(std::string_view code, int version);
// "<code>.v<N>" → (code, N); nullopt when malformed.
std::optional<std::pair<std::string, int>> parse_eform_id(std::string_view id);
std::string task_id(std::string_view file_id, std::int64_t version);
std::optional<std::pair<std::string, std::int64_t>> parse_task_id(std::string_view id);
std::string document_url(std::string_view file_id, std::string_view code);

// The statusModel: PENDING, APPROVED, SENDBACK or REJECTED, with a title in the caller's
// language (the catalogue's processing state, or the application's own state before it is
// registered).
struct FileStatus {
    std::string code;
    std::string state;  // the idara state behind it ("draft", "in_progress", ...)
    bool ended = false;
};
FileStatus status_of(procedures::State app, const std::optional<processing::Dossier>& d);
boost::json::object status_json(const FileStatus& s, i18n::Lang lang);

// firstResult / maxResult (defaults 0 and 100; maxResult at most 1000): request.invalid when
// not a non-negative integer.
struct Page {
    std::size_t first = 0, max = 100;
};
Result<Page> page_of(const http::Request& req);

// An error with the field problems of a form (400 request.invalid):
//   {"error":{"code","message"},"problems":[{"field","code","detail"}],"fileId":...}
http::Response problems_response(const std::vector<procedures::FieldProblem>& problems, std::string_view file_id);

// The application file (applicationFileResponse) with idara's additions.
boost::json::object application_json(const procedures::Application& a, const procedures::Published& p,
                                      const std::optional<processing::Dossier>& d, i18n::Lang lang);

// The dossier of a submitted application as `who` may see it (nullopt for drafts).
Result<std::optional<processing::Dossier>> dossier_of(const GovStackApi& api, const identity::Principal& who,
                                                      const procedures::Application& a);

void register_services(http::Router& r, const GovStackApi& api);
void register_applications(http::Router& r, const GovStackApi& api);
void register_documents(http::Router& r, const GovStackApi& api);
void register_tasks(http::Router& r, const GovStackApi& api);
void register_statistics(http::Router& r, const GovStackApi& api);

}  // namespace idara::api::govstack
