#include "procedures/form_schema.hpp"

#include "procedures/json_text.hpp"

#include <algorithm>
#include <optional>
#include <regex>

#include <valijson/adapters/boost_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

namespace idara::procedures {

struct JsonSchema::Impl {
    valijson::Schema schema;
};

JsonSchema::JsonSchema() : impl_(std::make_unique<Impl>()) {}
JsonSchema::~JsonSchema() = default;

namespace {

// Every "pattern" (and patternProperties key) must be an ECMAScript regular expression std::regex
// accepts: valijson would otherwise fail each later validation of that field. Returns the first bad one.
std::optional<std::string> bad_pattern(const boost::json::value& v) {
    if (v.is_array()) {
        for (const auto& e : v.as_array())
            if (auto b = bad_pattern(e)) return b;
        return std::nullopt;
    }
    if (!v.is_object()) return std::nullopt;
    for (const auto& [k, e] : v.as_object()) {
        std::vector<std::string> patterns;
        if (k == "pattern" && e.is_string()) patterns.emplace_back(e.as_string());
        if (k == "patternProperties" && e.is_object())
            for (const auto& [pk, _] : e.as_object()) patterns.emplace_back(pk);
        for (const auto& p : patterns) {
            try {
                std::regex re(p, std::regex::ECMAScript);
            } catch (const std::regex_error&) {
                return p;
            }
        }
        if (auto b = bad_pattern(e)) return b;
    }
    return std::nullopt;
}

}  // namespace

Result<std::shared_ptr<const JsonSchema>> JsonSchema::compile(const boost::json::value& schema) {
    if (auto b = bad_pattern(schema)) return Error{"procedure.invalid", 400, "not a valid regular expression: " + *b};
    std::shared_ptr<JsonSchema> out(new JsonSchema());
    try {
        valijson::SchemaParser parser;
        valijson::adapters::BoostJsonAdapter adapter(schema);
        parser.populateSchema(adapter, out->impl_->schema);
    } catch (const std::exception& e) {
        return Error{"procedure.invalid", 400, std::string("not a usable JSON Schema: ") + e.what()};
    }
    return std::shared_ptr<const JsonSchema>(std::move(out));
}

namespace {

// valijson's context ("<root>", "[steps]", "[0]", ...) as an RFC 6901 pointer.
std::string pointer_of(const std::vector<std::string>& context) {
    std::string out;
    for (const auto& c : context) {
        if (c == "<root>") continue;
        std::string seg = c;
        if (seg.size() >= 2 && seg.front() == '[' && seg.back() == ']') seg = seg.substr(1, seg.size() - 2);
        out += '/' + pointer_segment(seg);
    }
    return out;
}

std::size_t depth(const std::string& pointer) { return static_cast<std::size_t>(std::count(pointer.begin(), pointer.end(), '/')); }

}  // namespace

std::vector<Violation> JsonSchema::validate(const boost::json::value& v) const {
    std::vector<Violation> out;
    valijson::Validator validator;
    valijson::ValidationResults results;
    valijson::adapters::BoostJsonAdapter target(v);
    try {
        if (validator.validate(impl_->schema, target, &results)) return out;
    } catch (const std::exception& e) {
        out.push_back({"", std::string("validation failed: ") + e.what()});
        return out;
    }
    valijson::ValidationResults::Error e;
    while (results.popError(e)) out.push_back({pointer_of(e.context), e.description});
    // Deepest first: the most precise reason leads.
    std::stable_sort(out.begin(), out.end(),
                     [](const Violation& a, const Violation& b) { return depth(a.pointer) > depth(b.pointer); });
    return out;
}

}  // namespace idara::procedures
