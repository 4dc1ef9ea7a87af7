// Maps (method, path) to a handler. Patterns are literal segments and
// "{name}" parameters: "/api/v1/units/{id}". A path that matches no pattern
// gives 404; one that matches with another method gives 405 (with Allow).
//
// Handlers run synchronously on a worker thread (never on the I/O threads)
// unless the route is marked `inline_ok` (cheap, non-blocking handlers such as
// /healthz). A handler that throws produces a 500 with the error shape and a log line.
//
// Thread-safety: add routes before the server starts; match() is const and thread-safe.
#pragma once

#include "http/message.hpp"

#include <functional>
#include <string>
#include <vector>

namespace idara::http {

using Handler = std::function<Response(Request&)>;

struct RouteOptions {
    bool inline_ok = false;  // may run on the I/O thread
};

class Router {
public:
    void add(Method m, std::string pattern, Handler h, RouteOptions o = {});
    void get(std::string pattern, Handler h, RouteOptions o = {}) { add(Method::get, std::move(pattern), std::move(h), o); }
    void post(std::string pattern, Handler h, RouteOptions o = {}) { add(Method::post, std::move(pattern), std::move(h), o); }

    struct Match {
        const Handler* handler = nullptr;    // null when no route matched
        RouteOptions options;
        std::string pattern;
        std::vector<std::pair<std::string, std::string>> params;
        std::vector<Method> allowed;         // non-empty with a null handler → 405
    };
    Match match(Method m, std::string_view path) const;

    // Called instead of the JSON 404 when no route matches a path outside /api/
    // (the web module renders an HTML "page not found" there).
    void set_fallback(Handler h) { fallback_ = std::move(h); }
    const Handler* fallback() const { return fallback_ ? &fallback_ : nullptr; }

private:
    struct Route {
        Method method;
        std::string pattern;
        std::vector<std::string> segments;
        Handler handler;
        RouteOptions options;
    };
    std::vector<Route> routes_;
    Handler fallback_;
};

}  // namespace idara::http
