#include "core/i18n.hpp"

#include "core/resources.hpp"

#include <boost/json.hpp>

#include <stdexcept>

namespace idara::i18n {

std::string_view code(Lang l) { return l == Lang::ar ? "ar" : "fr"; }
std::string_view dir(Lang l) { return l == Lang::ar ? "rtl" : "ltr"; }

std::optional<Lang> parse_lang(std::string_view s) {
    if (s.size() != 2) return std::nullopt;
    auto lower = [](char c) { return static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c); };
    std::string t{lower(s[0]), lower(s[1])};
    if (t == "ar") return Lang::ar;
    if (t == "fr") return Lang::fr;
    return std::nullopt;
}

namespace {
using Table = std::map<std::string, std::string, std::less<>>;

Result<Table> parse_table(std::string_view text) {
    boost::system::error_code ec;
    boost::json::value v = boost::json::parse(text, ec);
    if (ec) return errors::malformed_json(ec.message());
    if (!v.is_object()) return errors::bad_request("catalogue is not a JSON object");
    Table t;
    for (const auto& kv : v.as_object()) {
        if (!kv.value().is_string()) return errors::bad_request("catalogue value is not a string: " + std::string(kv.key()));
        t.emplace(std::string(kv.key()), std::string(kv.value().as_string()));
    }
    return t;
}
}  // namespace

Result<Catalogue> Catalogue::parse(std::string_view ar_json, std::string_view fr_json) {
    auto ar = parse_table(ar_json);
    if (!ar) return ar.error();
    auto fr = parse_table(fr_json);
    if (!fr) return fr.error();
    Catalogue c;
    c.ar_ = std::move(*ar);
    c.fr_ = std::move(*fr);
    return c;
}

Catalogue Catalogue::load_embedded() {
    // Each language is a folder of JSON files (one per module) merged together.
    std::string merged[2];
    int idx = 0;
    for (auto l : kAllLangs) {
        boost::json::object all;
        const std::string prefix = "web/i18n/" + std::string(code(l)) + "/";
        auto files = resources::list(prefix);
        if (files.empty()) throw std::runtime_error("no message catalogue under " + prefix);
        for (const auto& f : files) {
            auto text = resources::find(f);
            auto t = parse_table(text.value_or(""));
            if (!t) throw std::runtime_error("message catalogue " + f + " is invalid: " + t.error().detail);
            for (const auto& [k, v] : *t) {
                if (all.contains(k)) throw std::runtime_error("message key " + k + " defined twice (" + f + ")");
                all[k] = v;
            }
        }
        merged[idx++] = boost::json::serialize(all);
    }
    auto c = parse(merged[0], merged[1]);
    if (!c) throw std::runtime_error("message catalogue is invalid: " + c.error().detail);
    return std::move(*c);
}

const Catalogue& catalogue() {
    static const Catalogue c = Catalogue::load_embedded();
    return c;
}

const std::string& Catalogue::get(Lang l, std::string_view key) const {
    const auto& t = table(l);
    if (auto it = t.find(key); it != t.end()) return it->second;
    // Missing keys are rare defects; return a stable per-key string.
    static thread_local std::string fallback;
    fallback.assign(key);
    return fallback;
}

bool Catalogue::has(Lang l, std::string_view key) const { return table(l).count(key) != 0; }

std::string Catalogue::format(Lang l, std::string_view key,
                              const std::vector<std::pair<std::string, std::string>>& args) const {
    std::string s = get(l, key);
    for (const auto& [name, value] : args) {
        const std::string ph = "{" + name + "}";
        for (std::size_t pos = s.find(ph); pos != std::string::npos; pos = s.find(ph, pos + value.size()))
            s.replace(pos, ph.size(), value);
    }
    return s;
}

std::vector<std::string> Catalogue::keys(Lang l) const {
    std::vector<std::string> out;
    for (const auto& kv : table(l)) out.push_back(kv.first);
    return out;
}

const std::map<std::string, std::string, std::less<>>& Catalogue::table(Lang l) const {
    return l == Lang::ar ? ar_ : fr_;
}

}  // namespace idara::i18n
