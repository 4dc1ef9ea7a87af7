#include "core/error_json.hpp"

#include "core/i18n.hpp"

#include <boost/json.hpp>

namespace idara {

std::string error_json(const Error& e) {
    const auto& cat = i18n::catalogue();
    const std::string key = "error." + e.code;
    boost::json::object msg;
    for (auto l : i18n::kAllLangs) {
        // An unknown code falls back to the generic message, never to the raw key.
        const std::string& text = cat.has(l, key) ? cat.get(l, key) : cat.get(l, "error.internal");
        msg[i18n::code(l)] = text;
    }
    boost::json::object err{{"code", e.code}, {"message", std::move(msg)}};
    return boost::json::serialize(boost::json::object{{"error", std::move(err)}});
}

}  // namespace idara
