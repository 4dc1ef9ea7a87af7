// The stylesheet: WCAG 2.2 AA contrast of its colour pairs, logical properties
// only (one stylesheet for both directions), and a small size.
//
// axe-core skips Arabic text in its colour-contrast rule (see STACK.md), so the
// pairs are checked here from the source, whatever the script of the text.
#include "core/resources.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <vector>
#include <string>

namespace {

const std::string& css() {
    static const std::string s = idara::resources::find("web/static/css/idara.css").value_or("");
    return s;
}

// "--c-name: #rrggbb;" custom properties. (No std::regex: g++ 12 warns falsely about it under -O1 with sanitizers.)
std::map<std::string, std::string> colours() {
    std::map<std::string, std::string> out;
    const std::string& s = css();
    for (auto pos = s.find("--c-"); pos != std::string::npos; pos = s.find("--c-", pos + 4)) {
        auto colon = s.find(':', pos);
        auto end = s.find_first_of(";)", pos);
        if (colon == std::string::npos || end == std::string::npos || end < colon) continue;  // a var() use
        auto hash = s.find_first_not_of(' ', colon + 1);
        if (hash + 7 != end || s[hash] != '#') continue;
        out[s.substr(pos, colon - pos)] = s.substr(hash, 7);
    }
    return out;
}

// The stylesheet without comments.
std::string code() {
    std::string out;
    const std::string& s = css();
    for (std::size_t i = 0; i < s.size();) {
        if (s.compare(i, 2, "/*") == 0) {
            auto e = s.find("*/", i + 2);
            i = e == std::string::npos ? s.size() : e + 2;
        } else {
            out += s[i++];
        }
    }
    return out;
}

// Words made of letters and dashes ("margin-inline-start").
std::vector<std::string> words(const std::string& s) {
    std::vector<std::string> out;
    std::string w;
    for (char c : s + " ") {
        if ((c >= 'a' && c <= 'z') || c == '-') {
            w += c;
        } else if (!w.empty()) {
            out.push_back(w);
            w.clear();
        }
    }
    return out;
}

double luminance(const std::string& hex) {
    auto channel = [&](int i) {
        double c = std::stoi(hex.substr(1 + 2 * i, 2), nullptr, 16) / 255.0;
        return c <= 0.04045 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4);
    };
    return 0.2126 * channel(0) + 0.7152 * channel(1) + 0.0722 * channel(2);
}

double contrast(const std::string& a, const std::string& b) {
    double la = luminance(a), lb = luminance(b);
    if (la < lb) std::swap(la, lb);
    return (la + 0.05) / (lb + 0.05);
}

}  // namespace

TEST(Css, ContrastMeetsAA) {
    auto c = colours();
    ASSERT_GE(c.size(), 15u);
    struct Pair { const char *fg, *bg; double min; };
    const Pair pairs[] = {
        // text: 4.5:1
        {"--c-text", "--c-bg", 4.5},          {"--c-text", "--c-surface", 4.5},
        {"--c-muted", "--c-bg", 4.5},         {"--c-muted", "--c-surface", 4.5},
        {"--c-link", "--c-bg", 4.5},          {"--c-link", "--c-surface", 4.5},
        {"--c-link-visited", "--c-bg", 4.5},  {"--c-header-text", "--c-header-bg", 4.5},
        {"--c-header-muted", "--c-header-bg", 4.5}, {"--c-button-text", "--c-button-bg", 4.5},
        {"--c-button-text", "--c-button-hover", 4.5}, {"--c-error", "--c-bg", 4.5},
        {"--c-text", "--c-success-bg", 4.5},  {"--c-focus-text", "--c-focus", 4.5},
        {"--c-text", "--c-error-bg", 4.5},
        // interface components and focus indicators: 3:1
        {"--c-input-border", "--c-bg", 3.0},  {"--c-border", "--c-bg", 3.0},
        {"--c-focus", "--c-header-bg", 3.0},  {"--c-focus", "--c-text", 3.0},
        {"--c-error", "--c-bg", 3.0},         {"--c-brand", "--c-surface", 3.0},
        {"--c-button-bg", "--c-bg", 3.0},
    };
    for (const auto& p : pairs) {
        ASSERT_TRUE(c.count(p.fg) && c.count(p.bg)) << p.fg << " / " << p.bg;
        EXPECT_GE(contrast(c[p.fg], c[p.bg]), p.min) << p.fg << " on " << p.bg;
    }
}

TEST(Css, ContrastFormula) {
    EXPECT_NEAR(contrast("#000000", "#ffffff"), 21.0, 1e-9);
    EXPECT_NEAR(contrast("#777777", "#ffffff"), 4.48, 0.01);
}

TEST(Css, LogicalPropertiesOnly) {
    ASSERT_FALSE(css().empty());
    for (const auto& w : words(code())) {
        EXPECT_TRUE(w != "left" && w != "right") << w;
        for (const char* side : {"-left", "-right", "-top", "-bottom"})
            EXPECT_FALSE(w.ends_with(side) || w.find(std::string(side) + "-") != std::string::npos) << w;
    }
    // Four-value margin/padding shorthands set left and right separately.
    const std::string c = code();
    for (const char* prop : {"margin:", "padding:"}) {
        for (auto pos = c.find(prop); pos != std::string::npos; pos = c.find(prop, pos + 1)) {
            if (pos > 0 && c[pos - 1] == '-') continue;
            std::string value = c.substr(pos + std::string(prop).size());
            value = value.substr(0, value.find_first_of(";}"));
            std::size_t n = 0;
            std::string w;
            for (char ch : value + " ") {
                if (ch == ' ' && !w.empty()) { ++n; w.clear(); }
                else if (ch != ' ') w += ch;
            }
            EXPECT_LT(n, 4u) << prop << value;
        }
    }
}

TEST(Css, NoWebFontsAndSmall) {
    EXPECT_EQ(css().find("@font-face"), std::string::npos);
    EXPECT_EQ(css().find("@import"), std::string::npos);
    EXPECT_LT(css().size(), 30u * 1024);
}
