#include "exchange/xerror.hpp"

#include "core/random.hpp"

#include <boost/json.hpp>

#include <algorithm>

namespace idara::exchange {

namespace json = boost::json;

int XError::status() const { return type.rfind("Client.", 0) == 0 ? 400 : 500; }

std::string new_detail_id() {
    std::string h = random::hex_token(16);  // 32 hex digits
    h[12] = '4';  // version 4
    const int nibble = h[16] <= '9' ? h[16] - '0' : h[16] - 'a' + 10;
    h[16] = "89ab"[nibble & 3];  // RFC 4122 variant, keeping two random bits
    return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) + "-" + h.substr(20);
}

std::string xerror_body(const XError& e, const i18n::Catalogue& cat, std::string_view detail_id) {
    const std::string key = "xroad." + e.type;
    const std::string& fr = cat.get(i18n::Lang::fr, key);
    json::object o{{"type", e.type},
                   {"message", fr},
                   {"message_ar", cat.get(i18n::Lang::ar, key)},
                   {"message_fr", fr},
                   {"detail", detail_id}};
    return json::serialize(o);
}

std::string xerror_type_of(std::string_view body) {
    if (body.size() > 64 * 1024) return {};
    boost::system::error_code ec;
    json::parse_options opt;
    opt.max_depth = 4;
    const json::value v = json::parse(body, ec, {}, opt);
    if (ec) return {};
    const auto* o = v.if_object();
    if (o == nullptr) return {};
    const auto* type = o->if_contains("type");
    const auto* detail = o->if_contains("detail");
    if (type == nullptr || !type->is_string() || detail == nullptr || !detail->is_string()) return {};
    const std::string_view t = type->get_string();
    if (t.size() > 128 || !(t.starts_with("Client.") || t.starts_with("Server."))) return {};
    const bool clean = std::all_of(t.begin(), t.end(), [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.';
    });
    return clean ? std::string(t.data(), t.size()) : std::string();
}

}  // namespace idara::exchange
