#include "api/govstack.hpp"

#include "api/govstack_common.hpp"
#include "api/json_io.hpp"
#include "core/resources.hpp"

namespace idara::api {

void register_govstack(http::Router& r, const GovStackApi& api) {
    govstack::register_services(r, api);
    govstack::register_applications(r, api);
    govstack::register_documents(r, api);
    govstack::register_tasks(r, api);
    govstack::register_statistics(r, api);
}

void register_openapi(http::Router& r) {
    r.get("/api/openapi.json", [](http::Request&) -> http::Response {
        auto doc = resources::find("web/api/openapi.json");
        if (!doc) return error_response(errors::not_found("openapi.json"));
        auto out = http::Response::json(200, std::move(*doc));
        out.headers.set("Content-Type", "application/json");
        out.headers.set("Cache-Control", "public, max-age=300");
        out.headers.set("Access-Control-Allow-Origin", "*");
        return out;
    });
}

}  // namespace idara::api
