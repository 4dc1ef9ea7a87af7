#include "dashboard/svg.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace idara::dashboard::svg {

namespace {

constexpr const char* kGrid = "#b1b4b6";
constexpr const char* kAxis = "#0b0c0c";
constexpr const char* kFont = "system-ui, 'Noto Sans', 'Noto Sans Arabic', Arial, sans-serif";

std::string f1(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", v);
    return buf;
}

enum class Align { start, middle, end };  // where the visual text sits relative to x

// A <text> label isolated from its neighbours, in its own direction, placed so that its
// visual left edge (start), centre or right edge (end) is at x whatever that direction.
std::string label(double x, double y, std::string_view text, Align a, const std::string& extra = {}) {
    const bool rtl = starts_rtl(text);
    const char* anchor = "middle";
    if (a == Align::start) anchor = rtl ? "end" : "start";
    if (a == Align::end) anchor = rtl ? "start" : "end";
    return "<text x=\"" + f1(x) + "\" y=\"" + f1(y) + "\" text-anchor=\"" + anchor + "\" direction=\"" +
           (rtl ? "rtl" : "ltr") + "\" unicode-bidi=\"isolate\"" + extra + ">" + escape(text) + "</text>";
}

std::string line(double x1, double y1, double x2, double y2, const char* stroke) {
    return "<line x1=\"" + f1(x1) + "\" y1=\"" + f1(y1) + "\" x2=\"" + f1(x2) + "\" y2=\"" + f1(y2) +
           "\" stroke=\"" + stroke + "\" stroke-width=\"1\"/>";
}

std::string rect(double x, double y, double w, double h, const char* fill) {
    return "<rect x=\"" + f1(x) + "\" y=\"" + f1(y) + "\" width=\"" + f1(w) + "\" height=\"" + f1(h) + "\" fill=\"" +
           fill + "\"/>";
}

std::string open(const std::string& id, double w, double h, const std::string& title, const std::string& desc) {
    const std::string eid = escape(id);
    return "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 " + f1(w) + " " + f1(h) +
           "\" role=\"img\" aria-labelledby=\"" + eid + "-title " + eid + "-desc\" direction=\"ltr\" font-family=\"" +
           kFont + "\" font-size=\"12\" fill=\"" + kTextColour + "\"><title id=\"" + eid + "-title\">" +
           escape(title) + "</title><desc id=\"" + eid + "-desc\">" + escape(desc) + "</desc>";
}

// At most `max` code points, with "…" when cut (the full text is in the page's table).
std::string shorten(std::string_view s, std::size_t max) {
    std::size_t points = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if ((static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) continue;
        if (++points > max) return std::string(s.substr(0, i)) + "…";
    }
    return std::string(s);
}

const char* colour(std::size_t i) { return kPalette[i % std::size(kPalette)]; }

double linear(int c) {
    const double v = c / 255.0;
    return v <= 0.04045 ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4);
}

double luminance(std::string_view hex) {
    if (hex.size() != 7 || hex[0] != '#') return 0;
    auto channel = [&](std::size_t i) { return std::stoi(std::string(hex.substr(i, 2)), nullptr, 16); };
    return 0.2126 * linear(channel(1)) + 0.7152 * linear(channel(3)) + 0.0722 * linear(channel(5));
}

}  // namespace

std::string escape(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (char c : s) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&#39;"; break;
            default:
                // Control characters other than tab/newline are not allowed in XML 1.0.
                if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n') out += ' ';
                else out += c;
        }
    }
    return out;
}

bool starts_rtl(std::string_view s) {
    for (std::size_t i = 0; i < s.size();) {
        const auto b = static_cast<unsigned char>(s[i]);
        char32_t cp = b;
        std::size_t len = 1;
        if (b >= 0xF0 && i + 3 < s.size()) {
            cp = ((b & 0x07u) << 18) | ((s[i + 1] & 0x3Fu) << 12) | ((s[i + 2] & 0x3Fu) << 6) | (s[i + 3] & 0x3Fu);
            len = 4;
        } else if (b >= 0xE0 && i + 2 < s.size()) {
            cp = ((b & 0x0Fu) << 12) | ((s[i + 1] & 0x3Fu) << 6) | (s[i + 2] & 0x3Fu);
            len = 3;
        } else if (b >= 0xC0 && i + 1 < s.size()) {
            cp = ((b & 0x1Fu) << 6) | (s[i + 1] & 0x3Fu);
            len = 2;
        }
        i += len;
        if ((cp >= 0x0590 && cp <= 0x08FF) || (cp >= 0xFB1D && cp <= 0xFDFF) || (cp >= 0xFE70 && cp <= 0xFEFF))
            return true;
        if ((cp >= 'A' && cp <= 'Z') || (cp >= 'a' && cp <= 'z') || (cp >= 0xC0 && cp < 0x0590)) return false;
    }
    return false;
}

std::string number(double v) {
    char buf[32];
    if (std::abs(v - std::round(v)) < 1e-9) std::snprintf(buf, sizeof buf, "%.0f", v);
    else std::snprintf(buf, sizeof buf, "%.1f", v);
    return buf;
}

Scale nice_scale(double max, int ticks) {
    if (!(max > 0)) return {1, 1};
    const double raw = max / std::max(1, ticks);
    const double mag = std::pow(10.0, std::floor(std::log10(raw)));
    double step = mag;
    for (double m : {1.0, 2.0, 5.0, 10.0})
        if (m * mag >= raw) {
            step = m * mag;
            break;
        }
    if (step < 1) step = 1;  // counts and days: whole ticks are enough
    return {std::ceil(max / step) * step, step};
}

double contrast_ratio(std::string_view a, std::string_view b) {
    const double la = luminance(a), lb = luminance(b);
    return (std::max(la, lb) + 0.05) / (std::min(la, lb) + 0.05);
}

std::string grouped_bar_chart(const GroupedBarChart& c) {
    const std::size_t n = std::max<std::size_t>(1, c.categories.size());
    const std::size_t k = std::max<std::size_t>(1, c.series.size());
    const double left = 56, right = 16, top = 44, plot_h = 200;
    const double group = std::max(16.0 * static_cast<double>(k) + 16, 656.0 / static_cast<double>(n));
    const bool slanted = group < 64;
    const double bottom = slanted ? 72 : 40;
    const double width = left + right + group * static_cast<double>(n), height = top + plot_h + bottom;
    double max = 0;
    for (const auto& s : c.series)
        for (double v : s.values) max = std::max(max, v);
    const Scale sc = nice_scale(max);
    const double base = top + plot_h;
    auto y_of = [&](double v) { return base - v / sc.top * plot_h; };

    std::string out = open(c.id, width, height, c.title, c.desc);
    // Legend.
    for (std::size_t s = 0; s < c.series.size(); ++s) {
        const double x = left + 220.0 * static_cast<double>(s);
        out += rect(x, 12, 14, 14, colour(s));
        out += label(x + 20, 24, shorten(c.series[s].name, 28), Align::start);
    }
    // Y axis with ticks and light grid lines.
    out += "<g class=\"axis\">" + line(left, top, left, base, kAxis);
    for (double v = 0; v <= sc.top + 1e-9; v += sc.step) {
        out += line(left - 5, y_of(v), left, y_of(v), kAxis);
        if (v > 0) out += line(left, y_of(v), width - right, y_of(v), kGrid);
        out += label(left - 8, y_of(v) + 4, number(v), Align::end);
    }
    out += line(left, base, width - right, base, kAxis) + "</g>";
    // Bars, values above them, category labels below.
    const double bar = std::min(28.0, (group - 12) / static_cast<double>(k));
    for (std::size_t i = 0; i < c.categories.size(); ++i) {
        const double gx = left + group * static_cast<double>(i);
        const double x0 = gx + (group - bar * static_cast<double>(k)) / 2;
        for (std::size_t s = 0; s < c.series.size(); ++s) {
            const double v = i < c.series[s].values.size() ? c.series[s].values[i] : 0;
            const double x = x0 + bar * static_cast<double>(s);
            out += rect(x + 1, y_of(v), bar - 2, base - y_of(v), colour(s));
            out += label(x + bar / 2, y_of(v) - 4, number(v), Align::middle, " font-size=\"10\"");
        }
        out += line(gx + group / 2, base, gx + group / 2, base + 5, kAxis);
        const double cx = gx + group / 2, cy = base + 18;
        if (slanted)
            out += label(cx, cy, c.categories[i], Align::end, " transform=\"rotate(-40 " + f1(cx) + " " + f1(cy) + ")\"");
        else
            out += label(cx, cy, c.categories[i], Align::middle);
    }
    return out + "</svg>";
}

std::string bar_chart(const BarChart& c) {
    const double left = 232, right = 64, top = 12, row = 28, plot_w = 720 - left - right;
    const double rows = static_cast<double>(std::max<std::size_t>(1, c.bars.size()));
    const double base = top + row * rows, height = base + 36;
    double max = 0;
    for (const auto& b : c.bars) max = std::max(max, b.value);
    const Scale sc = nice_scale(max);
    auto x_of = [&](double v) { return left + v / sc.top * plot_w; };

    std::string out = open(c.id, 720, height, c.title, c.desc);
    if (c.bars.empty()) out += label(left + plot_w / 2, top + row / 2 + 4, c.empty_text, Align::middle);
    for (std::size_t i = 0; i < c.bars.size(); ++i) {
        const double y = top + row * static_cast<double>(i);
        const auto& b = c.bars[i];
        out += label(left - 10, y + row / 2 + 4, shorten(b.label, 32), Align::end);
        out += rect(left, y + 5, x_of(b.value) - left, row - 10, colour(0));
        out += label(x_of(b.value) + 6, y + row / 2 + 4, number(b.value), Align::start);
    }
    out += "<g class=\"axis\">" + line(left, top, left, base, kAxis) + line(left, base, left + plot_w, base, kAxis);
    for (double v = 0; v <= sc.top + 1e-9; v += sc.step) {
        out += line(x_of(v), base, x_of(v), base + 5, kAxis);
        out += label(x_of(v), base + 18, number(v), Align::middle);
    }
    return out + "</g></svg>";
}

}  // namespace idara::dashboard::svg
