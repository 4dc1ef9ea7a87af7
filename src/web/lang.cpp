#include "web/lang.hpp"

#include "http/message.hpp"
#include "identity/principal.hpp"

#include <cctype>
#include <string>

namespace idara::web {
namespace {

// Quality of one "tag;q=0.5" entry, in thousandths; 1000 when absent, -1 when malformed.
int quality(std::string_view params) {
    params = http::trim_ows(params);
    if (params.empty()) return 1000;
    if (params.size() < 3 || (params[0] != 'q' && params[0] != 'Q') || params[1] != '=') return -1;
    std::string_view v = params.substr(2);
    if (v.empty() || (v[0] != '0' && v[0] != '1')) return -1;
    int q = (v[0] - '0') * 1000;
    if (v.size() > 1) {
        if (v[1] != '.') return -1;
        int scale = 100;
        for (char c : v.substr(2)) {
            if (!std::isdigit(static_cast<unsigned char>(c)) || scale == 0) return -1;
            q += (c - '0') * scale;
            scale /= 10;
        }
    }
    return q > 1000 ? -1 : q;
}

}  // namespace

std::optional<i18n::Lang> parse_accept_language(std::string_view header) {
    std::optional<i18n::Lang> best;
    int best_q = 0;
    while (!header.empty()) {
        std::size_t comma = header.find(',');
        std::string_view item = http::trim_ows(header.substr(0, comma));
        header = comma == std::string_view::npos ? std::string_view{} : header.substr(comma + 1);
        std::size_t semi = item.find(';');
        std::string_view tag = http::trim_ows(item.substr(0, semi));
        int q = semi == std::string_view::npos ? 1000 : quality(item.substr(semi + 1));
        std::string_view primary = tag.substr(0, tag.find('-'));
        auto lang = i18n::parse_lang(primary);
        if (lang && q > best_q) {
            best = lang;
            best_q = q;
        }
    }
    return best;
}

i18n::Lang resolve_lang(const http::Request& r, const identity::Principal* principal) {
    if (auto c = r.cookie(kLangCookie))
        if (auto l = i18n::parse_lang(*c)) return *l;
    if (principal != nullptr) return principal->lang;
    if (auto h = r.header("Accept-Language"))
        if (auto l = parse_accept_language(*h)) return *l;
    return i18n::kDefaultLang;
}

}  // namespace idara::web
