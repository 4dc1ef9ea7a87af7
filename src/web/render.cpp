#include "web/render.hpp"

#include "core/resources.hpp"

#include <map>
#include <memory>
#include <stdexcept>

namespace idara::web {
namespace {

namespace mus = kainjow::mustache;

constexpr std::string_view kDir = "web/templates/";
constexpr std::string_view kExt = ".mustache";
constexpr std::string_view kCatalogueScope = "t.";

struct Template {
    std::unique_ptr<mus::mustache> parsed;
    std::vector<std::string> keys;  // t.<key> references
};

// The catalogue messages of one language as mustache string data, built once.
using MessageData = std::map<std::string, Data, std::less<>>;

// Looks names up in the render data, except "t.<key>", which is a catalogue message.
class PageContext final : public mus::basic_context<std::string> {
public:
    PageContext(const Data& root, const MessageData& messages) : inner_(&root), messages_(messages) {}
    void push(const Data* d) override { inner_.push(d); }
    void pop() override { inner_.pop(); }
    const Data* get(const std::string& name) const override {
        if (name.size() > kCatalogueScope.size() && name.starts_with(kCatalogueScope)) {
            auto it = messages_.find(std::string_view(name).substr(kCatalogueScope.size()));
            return it == messages_.end() ? nullptr : &it->second;
        }
        return inner_.get(name);
    }
    const Data* get_partial(const std::string&) const override { return nullptr; }

private:
    mus::context<std::string> inner_;
    const MessageData& messages_;
};

// Collects the t.<key> names of {{...}} tags in a template source.
std::vector<std::string> scan_keys(std::string_view src) {
    std::vector<std::string> keys;
    for (std::size_t pos = src.find("{{"); pos != std::string_view::npos; pos = src.find("{{", pos + 2)) {
        std::size_t end = src.find("}}", pos);
        if (end == std::string_view::npos) break;
        std::string_view tag = src.substr(pos + 2, end - pos - 2);
        while (!tag.empty() && (tag.front() == ' ' || tag.front() == '{' || tag.front() == '&')) tag.remove_prefix(1);
        while (!tag.empty() && tag.back() == ' ') tag.remove_suffix(1);
        if (tag.starts_with(kCatalogueScope)) keys.emplace_back(tag.substr(kCatalogueScope.size()));
    }
    return keys;
}

class Cache {
public:
    Cache() {
        const auto& cat = i18n::catalogue();
        for (auto l : i18n::kAllLangs) {
            auto& m = messages_[static_cast<int>(l)];
            for (const auto& [k, v] : cat.table(l)) m.emplace(k, Data(v));
        }
        for (const auto& path : resources::list(kDir)) {
            if (!path.ends_with(kExt)) continue;
            std::string name = path.substr(kDir.size(), path.size() - kDir.size() - kExt.size());
            auto src = resources::find(path);
            if (!src) throw std::runtime_error("template unreadable: " + path);
            Template t{std::make_unique<mus::mustache>(*src), scan_keys(*src)};
            if (!t.parsed->is_valid())
                throw std::runtime_error("template " + name + ": " + t.parsed->error_message());
            for (const auto& k : t.keys)
                for (auto l : i18n::kAllLangs)
                    if (!cat.has(l, k))
                        throw std::runtime_error("template " + name + " uses missing message " + k);
            templates_.emplace(std::move(name), std::move(t));
        }
    }

    const Template& get(std::string_view name) const {
        auto it = templates_.find(name);
        if (it == templates_.end()) throw std::runtime_error("no template named " + std::string(name));
        return it->second;
    }
    const MessageData& messages(i18n::Lang l) const { return messages_[static_cast<int>(l)]; }
    std::vector<std::string> names() const {
        std::vector<std::string> out;
        for (const auto& [k, v] : templates_) out.push_back(k);
        return out;
    }

private:
    std::map<std::string, Template, std::less<>> templates_;
    MessageData messages_[2];
};

const Cache& cache() {
    static const Cache c;  // thread-safe initialisation (magic statics)
    return c;
}

}  // namespace

std::string render(std::string_view name, const Data& data, i18n::Lang lang) {
    const Template& t = cache().get(name);
    PageContext ctx(data, cache().messages(lang));
    // Rendering does not modify the parsed template (no partials, no lambdas),
    // so the shared instance is used without a lock.
    std::string out = t.parsed->render(ctx);
    if (!t.parsed->is_valid()) throw std::runtime_error("template " + std::string(name) + ": render failed");
    return out;
}

std::vector<std::string> template_names() { return cache().names(); }

std::vector<std::string> template_keys(std::string_view name) { return cache().get(name).keys; }

std::string html_escape(std::string_view s) {
    std::string out;
    out.reserve(s.size() + s.size() / 8);
    for (char c : s) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&#39;"; break;
            default: out += c;
        }
    }
    return out;
}

Data string_list(const std::vector<std::string>& items) {
    Data list{Data::type::list};
    for (const auto& s : items) list.push_back(Data(s));
    return list;
}

}  // namespace idara::web
