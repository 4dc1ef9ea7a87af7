#include "api/json_io.hpp"

#include "core/dates.hpp"
#include "core/error_json.hpp"

#include <boost/json.hpp>

#include <charconv>

namespace idara::api {

Result<boost::json::object> parse_json_object(const http::Request& req) {
    auto ct = req.header("Content-Type").value_or("");
    auto semi = ct.find(';');
    auto mime = ct.substr(0, semi);
    while (!mime.empty() && mime.back() == ' ') mime.remove_suffix(1);
    if (mime != "application/json") return errors::unsupported_media("expected application/json");
    boost::system::error_code ec;
    boost::json::value v = boost::json::parse(req.body, ec);
    if (ec) return errors::malformed_json(ec.message());
    if (!v.is_object()) return errors::bad_request("body must be a JSON object");
    return std::move(v.as_object());
}

http::Response json_response(int status, const boost::json::value& v) {
    return http::Response::json(status, boost::json::serialize(v));
}

http::Response json_no_store(int status, const boost::json::value& v) {
    auto r = json_response(status, v);
    r.headers.set("Cache-Control", "no-store");
    return r;
}

boost::json::value iso_or_null(const std::optional<std::int64_t>& ms) {
    return ms ? boost::json::value(i18n::iso_utc(*ms)) : boost::json::value(nullptr);
}

std::optional<std::int64_t> parse_decimal(std::string_view s) {
    std::int64_t v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
    return v;
}

std::optional<std::int64_t> parse_id(std::string_view s) {
    auto v = parse_decimal(s);
    if (!v || *v < 1) return std::nullopt;
    return v;
}

http::Response error_response(const Error& e) { return http::Response::json(e.status, error_json(e)); }

Result<std::string> required_string(const boost::json::object& o, std::string_view field, std::size_t max_len) {
    auto r = optional_string(o, field, max_len);
    if (!r) return r.error();
    if (!*r || (*r)->empty()) return errors::bad_request("missing field '" + std::string(field) + "'");
    return std::move(**r);
}

Result<std::optional<std::string>> optional_string(const boost::json::object& o, std::string_view field,
                                                   std::size_t max_len) {
    auto it = o.find(field);
    if (it == o.end() || it->value().is_null()) return std::optional<std::string>{};
    if (!it->value().is_string()) return errors::bad_request("field '" + std::string(field) + "' must be a string");
    const auto& s = it->value().as_string();
    if (s.size() > max_len) return errors::bad_request("field '" + std::string(field) + "' is too long");
    return std::optional<std::string>{std::string(s)};
}

Result<std::optional<std::int64_t>> optional_int(const boost::json::object& o, std::string_view field) {
    auto it = o.find(field);
    if (it == o.end() || it->value().is_null()) return std::optional<std::int64_t>{};
    if (!it->value().is_int64()) return errors::bad_request("field '" + std::string(field) + "' must be an integer");
    return std::optional<std::int64_t>{it->value().as_int64()};
}

}  // namespace idara::api
