#include "http/router.hpp"

#include <algorithm>

namespace idara::http {

namespace {

std::vector<std::string_view> split(std::string_view path) {
    std::vector<std::string_view> out;
    while (!path.empty()) {
        if (path.front() == '/') {
            path.remove_prefix(1);
            continue;
        }
        auto slash = path.find('/');
        out.push_back(path.substr(0, slash));
        path = slash == std::string_view::npos ? std::string_view{} : path.substr(slash);
    }
    return out;
}

bool is_param(std::string_view seg) { return seg.size() > 2 && seg.front() == '{' && seg.back() == '}'; }

// Specificity order: at the first segment where one pattern has a literal and the
// other a parameter, the literal wins ("/a/b/{y}" before "/a/{x}/c"). This is a
// lexicographic order on the segment kinds, hence a strict weak order.
bool more_specific(const std::vector<std::string>& a, const std::vector<std::string>& b) {
    const std::size_t n = std::min(a.size(), b.size());
    for (std::size_t i = 0; i < n; ++i) {
        const bool pa = is_param(a[i]), pb = is_param(b[i]);
        if (pa != pb) return !pa;
    }
    return a.size() < b.size();
}

}  // namespace

void Router::add(Method m, std::string pattern, Handler h, RouteOptions o) {
    Route r{m, pattern, {}, std::move(h), o};
    for (auto seg : split(pattern)) r.segments.emplace_back(seg);
    routes_.push_back(std::move(r));
    // Keep the most specific patterns first so literals take precedence over parameters.
    std::stable_sort(routes_.begin(), routes_.end(),
                     [](const Route& a, const Route& b) { return more_specific(a.segments, b.segments); });
}

Router::Match Router::match(Method m, std::string_view path) const {
    Match out;
    const auto segs = split(path);
    const Method want = m == Method::head ? Method::get : m;
    for (const auto& r : routes_) {
        if (r.segments.size() != segs.size()) continue;
        std::vector<std::pair<std::string, std::string>> params;
        bool ok = true;
        for (std::size_t i = 0; i < segs.size() && ok; ++i) {
            if (is_param(r.segments[i])) params.emplace_back(r.segments[i].substr(1, r.segments[i].size() - 2), segs[i]);
            else ok = r.segments[i] == segs[i];
        }
        if (!ok) continue;
        if (r.method == want) {
            out.handler = &r.handler;
            out.options = r.options;
            out.pattern = r.pattern;
            out.params = std::move(params);
            out.allowed.clear();
            return out;
        }
        if (std::find(out.allowed.begin(), out.allowed.end(), r.method) == out.allowed.end()) out.allowed.push_back(r.method);
    }
    return out;
}

}  // namespace idara::http
