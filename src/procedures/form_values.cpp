// Answers against the form schema: typing form strings, per-field validation, where the journey
// continues.
#include "procedures/applications_impl.hpp"
#include "core/text_normalize.hpp"
#include "procedures/form_schema.hpp"

#include <algorithm>
#include <charconv>
#include <map>
#include <mutex>
#include <set>

namespace idara::procedures {

namespace json = boost::json;

namespace {

// A procedure's form schema, parsed, and one compiled schema per property.
struct CompiledForm {
    json::object root;
    std::set<std::string> required;
    std::map<std::string, std::shared_ptr<const JsonSchema>> property;
};

const CompiledForm& compiled(const Procedure& p) {
    static std::mutex mu;
    static std::map<std::pair<std::string, int>, std::unique_ptr<CompiledForm>> cache;
    std::lock_guard lock(mu);
    auto& slot = cache[{p.code, p.version}];
    if (slot) return *slot;
    auto f = std::make_unique<CompiledForm>();
    f->root = json::parse(p.form_schema).as_object();
    if (auto it = f->root.find("required"); it != f->root.end())
        for (const auto& r : it->value().as_array()) f->required.insert(std::string(r.as_string()));
    for (const auto& [name, sub] : f->root.at("properties").as_object()) {
        // Each property alone, with the root's definitions so that local $refs still resolve.
        json::object one = sub.is_object() ? sub.as_object() : json::object{};
        for (const char* k : {"definitions", "$defs"})
            if (auto d = f->root.find(k); d != f->root.end()) one[k] = d->value();
        auto s = JsonSchema::compile(one);
        if (s) f->property[std::string(name)] = *s;  // parse_procedure compiled the whole form already
    }
    slot = std::move(f);
    return *slot;
}

std::string schema_type(const Procedure& p, std::string_view field) {
    const auto& props = compiled(p).root.at("properties").as_object();
    auto it = props.find(field);
    if (it == props.end() || !it->value().is_object()) return {};
    auto t = it->value().as_object().find("type");
    if (t == it->value().as_object().end() || !t->value().is_string()) return {};
    return std::string(t->value().as_string());
}

}  // namespace

std::optional<json::value> typed_value(const Procedure& p, std::string_view field, std::string_view raw) {
    const std::string type = schema_type(p, field);
    const Field* f = p.field(field);
    std::string s(text::trim(raw));
    if (type == "boolean" || (f && f->widget == Widget::checkbox)) {
        return json::value(s == "true" || s == "on" || s == "yes" || s == "1");
    }
    if (s.empty()) return std::nullopt;
    if (type == "integer") {
        long long v = 0;
        auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
        if (ec == std::errc() && ptr == s.data() + s.size()) return json::value(static_cast<std::int64_t>(v));
        return json::value(s);  // the schema reports the wrong type
    }
    if (type == "number") {
        std::string d = s;
        std::replace(d.begin(), d.end(), ',', '.');  // "16,5": the French decimal comma
        double v = 0;
        auto [ptr, ec] = std::from_chars(d.data(), d.data() + d.size(), v);
        if (ec == std::errc() && ptr == d.data() + d.size()) return json::value(v);
        return json::value(s);
    }
    return json::value(s);
}

bool excused(const Procedure&, const Application& a, const Field& f) {
    if (!f.from) return false;
    const auto* c = a.consent(*f.from);
    return c && !c->agreed;
}

std::vector<FieldProblem> field_problems(const Procedure& p, const Application& a, const std::vector<std::string>& fields) {
    const auto& form = compiled(p);
    std::vector<FieldProblem> out;
    for (const auto& name : fields) {
        const Field* f = p.field(name);
        if (!f) continue;
        auto it = a.answers.find(name);
        if (it == a.answers.end()) {
            if (form.required.count(name) && !excused(p, a, *f)) out.push_back({name, "required", "no answer"});
            continue;
        }
        auto s = form.property.find(name);
        if (s == form.property.end()) continue;
        auto v = s->second->validate(it->value());
        if (!v.empty()) out.push_back({name, "invalid", v.front().reason});
    }
    return out;
}

bool uploadable(const Application& a, const Document& d) {
    if (!d.fetched_by) return true;
    const auto* c = a.consent(*d.fetched_by);
    return c && !c->agreed;
}

bool upload_needed(const Application& a, const Document& d) { return d.required && uploadable(a, d); }

std::vector<FieldProblem> ApplicationService::step_problems(const Procedure& p, const Application& a, std::string_view step) {
    const Step* s = p.step(step);
    if (!s) return {};
    return field_problems(p, a, s->fields);
}

Next ApplicationService::next(const Procedure& p, const Application& a) {
    auto visited = [&](std::string_view id) { return std::find(a.visited.begin(), a.visited.end(), id) != a.visited.end(); };
    for (const auto& s : p.steps) {
        if (!visited(s.id) || !step_problems(p, a, s.id).empty()) return {Next::Kind::step, s.id};
        if (s.lookup && !a.consent(*s.lookup)) return {Next::Kind::lookup, *s.lookup};
    }
    bool any_upload = false;
    for (const auto& d : p.documents) {
        if (!uploadable(a, d)) continue;
        any_upload = true;
        if (upload_needed(a, d) && !a.document(d.code)) return {Next::Kind::documents, d.code};
    }
    if (any_upload && !visited("documents")) return {Next::Kind::documents, {}};
    return {Next::Kind::check, {}};
}

std::string answer_text(const Procedure&, const Field& f, const json::value& v, i18n::Lang l) {
    if (v.is_string()) {
        for (const auto& o : f.options)
            if (o.value == v.as_string()) return o.label.in(l);
        return std::string(v.as_string());
    }
    if (v.is_bool()) return i18n::catalogue().get(l, v.as_bool() ? "procedures.answer.yes" : "procedures.answer.no");
    if (v.is_int64()) return std::to_string(v.as_int64());
    if (v.is_uint64()) return std::to_string(v.as_uint64());
    if (v.is_double()) {
        // The shortest fixed notation that reads back the same number ("16.42", never "1.642E1").
        char buf[400];
        auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v.as_double(), std::chars_format::fixed);
        std::string s = ec == std::errc{} ? std::string(buf, end) : json::serialize(v);
        if (l == i18n::Lang::fr) std::replace(s.begin(), s.end(), '.', ',');
        return s;
    }
    return json::serialize(v);
}

}  // namespace idara::procedures
