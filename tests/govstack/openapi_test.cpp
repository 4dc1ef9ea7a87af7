// /api/openapi.json: served as JSON, OpenAPI 3.0, and in step with the GovStack routes.
#include "govstack_fixture.hpp"

#include <set>

namespace idara::testing {
namespace {

namespace json = boost::json;

// The GovStack routes register_govstack adds (method, pattern).
const std::set<std::pair<std::string, std::string>> kRoutes = {
    {"get", "/api/govstack/services"},
    {"get", "/api/govstack/services/{serviceId}"},
    {"get", "/api/govstack/services/{serviceId}/eForms"},
    {"get", "/api/govstack/eForms/{eFormId}"},
    {"post", "/api/govstack/services/{serviceId}/applications"},
    {"post", "/api/govstack/documents"},
    {"get", "/api/govstack/applications"},
    {"get", "/api/govstack/applications/{fileId}"},
    {"put", "/api/govstack/applications/{fileId}"},
    {"get", "/api/govstack/applications/{fileId}/documents/{documentCode}"},
    {"get", "/api/govstack/tasks"},
    {"get", "/api/govstack/tasks/{taskId}"},
    {"post", "/api/govstack/tasks/{taskId}/complete"},
    {"get", "/api/govstack/data/statistics"},
    {"get", "/api/govstack/data/statistics/1.0"},
};

http::Method method_of(const std::string& m) {
    if (m == "get") return http::Method::get;
    if (m == "post") return http::Method::post;
    if (m == "put") return http::Method::put;
    if (m == "delete") return http::Method::del;
    return http::Method::other;
}

// A concrete path for a pattern ("{x}" → "x1").
std::string concrete(const std::string& pattern) {
    std::string out;
    for (std::size_t i = 0; i < pattern.size(); ++i) {
        if (pattern[i] == '{') {
            auto end = pattern.find('}', i);
            out += pattern.substr(i + 1, end - i - 1) + "1";
            i = end;
        } else {
            out += pattern[i];
        }
    }
    return out;
}

class OpenApi : public GovStackTest {};

TEST_P(OpenApi, IsServedAsJsonAndListsEveryGovStackRoute) {
    auto r = get("/api/openapi.json");
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(r.content_type, "application/json");
    ASSERT_TRUE(r.json.is_object()) << "not JSON";
    const auto& doc = r.json.as_object();
    EXPECT_EQ(std::string(doc.at("openapi").as_string()).substr(0, 4), "3.0.");
    const auto& paths = doc.at("paths").as_object();

    std::set<std::pair<std::string, std::string>> documented;
    for (const auto& [path, item] : paths) {
        for (const auto& [method, op] : item.as_object()) {
            if (method == "parameters") continue;
            const std::string p(path), m(method);
            ASSERT_TRUE(op.as_object().contains("responses")) << m << " " << p;
            if (p.rfind("/api/govstack/", 0) != 0) continue;
            documented.insert({m, p});
            // Every documented GovStack operation is a route of the router, under that pattern.
            auto match = router_.match(method_of(m), concrete(p));
            ASSERT_NE(match.handler, nullptr) << m << " " << p;
            EXPECT_EQ(match.pattern, p);
        }
    }
    EXPECT_EQ(documented, kRoutes);
    // And every route of kRoutes is registered.
    for (const auto& [m, p] : kRoutes) {
        auto match = router_.match(method_of(m), concrete(p));
        ASSERT_NE(match.handler, nullptr) << m << " " << p;
        EXPECT_EQ(match.pattern, p);
    }
    // The main /api/v1 routes are described too.
    for (const char* p : {"/api/v1/deposits", "/api/v1/deposits/{number}", "/api/v1/track/{number}",
                          "/api/v1/entries/{number}", "/api/v1/letters", "/api/v1/search", "/api/openapi.json"})
        EXPECT_TRUE(paths.contains(p)) << p;
    // Every $ref points to a component that exists.
    const auto& schemas = doc.at("components").at("schemas").as_object();
    const std::string text = json::serialize(r.json);  // compact: no spaces around ':'
    const std::string prefix = "\"$ref\":\"#/components/schemas/";
    for (auto at = text.find(prefix); at != std::string::npos; at = text.find(prefix, at + 1)) {
        const auto start = at + prefix.size();
        const auto name = text.substr(start, text.find('"', start) - start);
        EXPECT_TRUE(schemas.contains(name)) << name;
    }
}

INSTANTIATE_TEST_SUITE_P(Backends, OpenApi, ::testing::ValuesIn(all_backends()), backend_param_name);

}  // namespace
}  // namespace idara::testing
