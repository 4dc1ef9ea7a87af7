// Request paths come from anyone; route patterns from the code. Input: lines.
// The first four lines, when they start with '/' and contain '{', become extra
// GET/POST patterns beside a fixed set; every other line is matched as a path
// with several methods. Checks the router's invariants on each match.
#include "http/router.hpp"

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace idara::http;

std::vector<std::string> lines(std::string_view s) {
    std::vector<std::string> out;
    while (!s.empty() && out.size() < 64) {
        const auto nl = s.find('\n');
        out.emplace_back(s.substr(0, nl));
        s = nl == std::string_view::npos ? std::string_view{} : s.substr(nl + 1);
    }
    return out;
}

// An upper bound of the parameters of a pattern: segments starting with '{'.
std::size_t count_params(std::string_view pattern) {
    std::size_t n = 0;
    for (std::size_t i = 0; i < pattern.size(); ++i)
        if (pattern[i] == '{' && (i == 0 || pattern[i - 1] == '/')) ++n;
    return n;
}

void check(const Router& r, Method m, const std::string& path) {
    const auto match = r.match(m, path);
    if (match.handler == nullptr) return;
    if (!match.allowed.empty()) std::abort();  // a handler and a 405 at once
    if (match.params.size() > count_params(match.pattern)) std::abort();
    Request req;
    const Response res = (*match.handler)(req);
    if (res.body != match.pattern) std::abort();  // the handler of another route
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    Router r;
    auto add = [&r](Method m, const std::string& p) {
        r.add(m, p, [p](Request&) { return Response::text(200, p); });
    };
    for (const char* p : {"/", "/healthz", "/api/v1/units/{id}", "/api/v1/units/new", "/api/v1/units/{id}/members",
                          "/a/{x}/c", "/a/b/{y}", "/{a}/{b}/{c}", "/static/css/idara.css"})
        add(Method::get, p);
    add(Method::post, "/api/v1/units/{id}/members");
    add(Method::del, "/api/v1/units/{id}");
    const auto ls = lines(std::string_view(reinterpret_cast<const char*>(data), size));
    for (std::size_t i = 0; i < ls.size(); ++i) {
        if (i < 4 && !ls[i].empty() && ls[i].front() == '/' && ls[i].find('{') != std::string::npos) {
            add(i % 2 == 0 ? Method::get : Method::post, ls[i]);
            continue;
        }
        for (Method m : {Method::get, Method::head, Method::post, Method::del, Method::other}) check(r, m, ls[i]);
    }
    return 0;
}
