#include "http/message.hpp"

#include <algorithm>
#include <cctype>

namespace idara::http {

namespace {

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::string decode_component(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        if (c == '+') {
            out += ' ';
        } else if (c == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
            out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
            i += 2;
        } else {
            out += c;
        }
    }
    return out;
}

std::optional<std::string> find_pair(std::string_view s, std::string_view name) {
    for (auto& [k, v] : parse_urlencoded(s))
        if (k == name) return v;
    return std::nullopt;
}

}  // namespace

std::string_view trim_ows(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

std::string_view method_name(Method m) {
    switch (m) {
        case Method::get: return "GET";
        case Method::head: return "HEAD";
        case Method::post: return "POST";
        case Method::put: return "PUT";
        case Method::patch: return "PATCH";
        case Method::del: return "DELETE";
        case Method::options: return "OPTIONS";
        case Method::other: return "OTHER";
    }
    return "OTHER";
}

Method parse_method(std::string_view s) {
    for (auto m : {Method::get, Method::head, Method::post, Method::put, Method::patch, Method::del, Method::options})
        if (s == method_name(m)) return m;
    return Method::other;
}

std::optional<std::string_view> Headers::get(std::string_view name) const {
    for (const auto& [k, v] : items_)
        if (iequals(k, name)) return std::string_view(v);
    return std::nullopt;
}

void Headers::set(std::string_view name, std::string value) {
    remove(name);
    items_.emplace_back(std::string(name), std::move(value));
}

void Headers::add(std::string_view name, std::string value) { items_.emplace_back(std::string(name), std::move(value)); }

void Headers::remove(std::string_view name) {
    items_.erase(std::remove_if(items_.begin(), items_.end(), [&](const auto& kv) { return iequals(kv.first, name); }),
                 items_.end());
}

std::string_view Request::param(std::string_view name) const {
    for (const auto& [k, v] : params)
        if (k == name) return v;
    return {};
}

std::optional<std::string> Request::query_param(std::string_view name) const { return find_pair(query, name); }

std::optional<std::string> Request::cookie(std::string_view name) const {
    auto h = header("Cookie");
    if (!h) return std::nullopt;
    std::string_view s = *h;
    while (!s.empty()) {
        auto semi = s.find(';');
        std::string_view part = s.substr(0, semi);
        s = semi == std::string_view::npos ? std::string_view{} : s.substr(semi + 1);
        auto eq = part.find('=');
        if (eq == std::string_view::npos) continue;
        const std::string_view k = trim_ows(part.substr(0, eq));
        std::string_view v = trim_ows(part.substr(eq + 1));
        if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
        if (k == name) return std::string(v);
    }
    return std::nullopt;
}

std::optional<std::string> Request::form(std::string_view name) const {
    constexpr std::string_view kForm = "application/x-www-form-urlencoded";
    const std::string_view ct = header("Content-Type").value_or("");
    if (ct.size() < kForm.size() || !iequals(ct.substr(0, kForm.size()), kForm)) return std::nullopt;
    if (ct.size() > kForm.size() && ct[kForm.size()] != ';' && ct[kForm.size()] != ' ') return std::nullopt;
    return find_pair(body, name);
}

Response Response::text(int status, std::string body, std::string content_type) {
    Response r;
    r.status = status;
    r.headers.set("Content-Type", std::move(content_type));
    r.body = std::move(body);
    return r;
}

Response Response::html(int status, std::string body) { return text(status, std::move(body), "text/html; charset=utf-8"); }

Response Response::json(int status, std::string body) { return text(status, std::move(body), "application/json"); }

Response Response::redirect(std::string location, int status) {
    Response r;
    r.status = status;
    r.headers.set("Location", std::move(location));
    return r;
}

std::vector<std::pair<std::string, std::string>> parse_urlencoded(std::string_view s) {
    std::vector<std::pair<std::string, std::string>> out;
    while (!s.empty()) {
        auto amp = s.find('&');
        std::string_view part = s.substr(0, amp);
        s = amp == std::string_view::npos ? std::string_view{} : s.substr(amp + 1);
        if (part.empty()) continue;
        auto eq = part.find('=');
        if (eq == std::string_view::npos) out.emplace_back(decode_component(part), std::string());
        else out.emplace_back(decode_component(part.substr(0, eq)), decode_component(part.substr(eq + 1)));
    }
    return out;
}

std::string url_encode(std::string_view s) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') out += static_cast<char>(c);
        else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

}  // namespace idara::http
