// HTTP request and response as plain values, free of Boost.Beast, so that the
// rest of idara (handlers, pages, tests) never includes Beast or Asio.
//
// Header names are compared case-insensitively. Bodies are held in memory;
// the server enforces the configured size limits before a handler runs.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace idara::http {

enum class Method { get, head, post, put, patch, del, options, other };
std::string_view method_name(Method m);
Method parse_method(std::string_view s);

// Ordered header list; lookups are case-insensitive.
class Headers {
public:
    std::optional<std::string_view> get(std::string_view name) const;
    void set(std::string_view name, std::string value);   // replaces all of that name
    void add(std::string_view name, std::string value);   // appends (Set-Cookie)
    void remove(std::string_view name);
    const std::vector<std::pair<std::string, std::string>>& all() const { return items_; }

private:
    std::vector<std::pair<std::string, std::string>> items_;
};

struct Request {
    Method method = Method::get;
    std::string target;        // as received: "/path?query"
    std::string path;          // percent-decoded path without the query
    std::string query;         // raw query string without '?'
    Headers headers;
    std::string body;
    std::string remote_addr;   // peer IP address
    std::string request_id;    // X-Request-Id (from the client if sane, else generated)
    std::vector<std::pair<std::string, std::string>> params;  // path parameters set by the router
    std::string route;         // route pattern matched ("/api/v1/units/{id}"), for metrics

    std::optional<std::string_view> header(std::string_view name) const { return headers.get(name); }
    // Path parameter by name; empty string_view if absent.
    std::string_view param(std::string_view name) const;
    // Decoded query parameter (first occurrence).
    std::optional<std::string> query_param(std::string_view name) const;
    // Cookie value by name from the Cookie header.
    std::optional<std::string> cookie(std::string_view name) const;
    // Decoded fields of an application/x-www-form-urlencoded body (first occurrence).
    std::optional<std::string> form(std::string_view name) const;
};

struct Response {
    int status = 200;
    Headers headers;
    std::string body;

    static Response text(int status, std::string body, std::string content_type = "text/plain; charset=utf-8");
    static Response html(int status, std::string body);
    static Response json(int status, std::string body);
    static Response redirect(std::string location, int status = 303);
};

// Parses "a=1&b=x%20y" into decoded pairs ('+' is a space). Invalid percent
// escapes are kept literally. Never throws.
std::vector<std::pair<std::string, std::string>> parse_urlencoded(std::string_view s);
// Removes optional whitespace (spaces and tabs, RFC 9110 OWS) at both ends.
std::string_view trim_ows(std::string_view s);
// Percent-encodes a string for a URL query component.
std::string url_encode(std::string_view s);

}  // namespace idara::http
