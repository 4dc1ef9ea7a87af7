// GovStack documents: uploads for an applicant's draft.
//   POST /api/govstack/documents[?additionalMetadata={"fileId":..,"documentCode":..}]
//        multipart/form-data with one file part "file" and, unless additionalMetadata names
//        them, the text parts "fileId" (the draft) and "documentCode" (one of the procedure's
//        uploads). GovStack uploads documents before the file that links them; idara stores
//        each document in its draft at once (checked like every attachment: type sniffed,
//        size limits), so the draft must exist first. Answers uploadResponse with the
//        document's URL, which the application's documentUrls then list.
//   GET  /api/govstack/applications/{fileId}/documents/{documentCode}   the stored bytes
#include "api/govstack_common.hpp"

#include "api/json_io.hpp"
#include "identity/service.hpp"

#include <boost/json.hpp>

namespace idara::api::govstack {

namespace json = boost::json;

namespace {

struct Target {
    std::string file_id, code;
};

Result<Target> metadata_target(std::string_view text) {
    boost::system::error_code ec;
    json::value v = json::parse(text, ec);
    if (ec || !v.is_object()) return errors::bad_request("additionalMetadata must be a JSON object");
    auto f = required_string(v.as_object(), "fileId", 64);
    if (!f) return f.error();
    auto c = required_string(v.as_object(), "documentCode", 64);
    if (!c) return c.error();
    return Target{std::move(*f), std::move(*c)};
}

http::Response upload(const GovStackApi& api, http::Request& req) {
    auto c = caller(req, api.identity);
    if (!c) return error_response(c.error());
    auto parts = http::parse_multipart(req.header("Content-Type").value_or(""), req.body, api.multipart);
    if (!parts) return error_response(parts.error());
    Target t;
    if (auto meta = req.query_param("additionalMetadata")) {
        auto m = metadata_target(*meta);
        if (!m) return error_response(m.error());
        t = std::move(*m);
    }
    std::optional<registry::IncomingFile> file;
    for (auto& p : *parts) {
        if (p.filename) {
            if (p.name != "file" || file) return error_response(errors::bad_request("exactly one file part named 'file'"));
            file = registry::IncomingFile{*p.filename, std::move(p.body)};
        } else if (p.name == "fileId" && t.file_id.empty()) {
            t.file_id = p.body;
        } else if (p.name == "documentCode" && t.code.empty()) {
            t.code = p.body;
        } else {
            return error_response(errors::bad_request("unexpected part '" + p.name + "'"));
        }
    }
    if (!file) return error_response(errors::bad_request("no file part"));
    if (t.file_id.empty() || t.code.empty()) return error_response(errors::bad_request("fileId and documentCode are required"));
    auto a = api.applications.put_document(c->who, t.file_id, t.code, std::move(*file));
    if (!a) return error_response(a.error());
    const auto* doc = a->document(t.code);
    if (!doc) return error_response(errors::internal("document not stored"));
    json::object o{{"code", 200},
                   {"type", "document"},
                   {"message", doc->name},
                   {"url", document_url(a->id, doc->code)},
                   {"fileId", a->id},
                   {"documentCode", doc->code},
                   {"mediaType", doc->media_type},
                   {"size", doc->size},
                   {"sha256", doc->sha256}};
    return json_no_store(200, o);
}

}  // namespace

void register_documents(http::Router& r, const GovStackApi& api) {
    r.post("/api/govstack/documents", [api](http::Request& req) { return upload(api, req); });

    r.get("/api/govstack/applications/{fileId}/documents/{documentCode}", [api](http::Request& req) -> http::Response {
        auto c = caller(req, api.identity);
        if (!c) return error_response(c.error());
        auto a = api.applications.get(c->who, req.param("fileId"));
        if (!a) return error_response(a.error());
        const auto* doc = a->document(req.param("documentCode"));
        if (!doc) return error_response(errors::not_found("document"));
        auto bytes = api.applications.document_bytes(c->who, a->id, doc->code);
        if (!bytes) return error_response(bytes.error());
        http::Response out;
        out.status = 200;
        out.body = std::move(*bytes);
        out.headers.set("Content-Type", doc->media_type);
        out.headers.set("Content-Disposition", "attachment; filename=\"" + doc->code + "\"");
        out.headers.set("Cache-Control", "no-store");
        out.headers.set("X-Content-Type-Options", "nosniff");
        return out;
    });
}

}  // namespace idara::api::govstack
