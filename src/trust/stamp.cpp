#include "trust/stamp.hpp"

#include "receipt/pdf_text.hpp"

#include <cairo.h>

#include <cmath>
#include <cstdint>
#include <memory>

namespace idara::trust {

namespace {

Error stamp_error(std::string detail) { return Error{"trust.sign_stamp", 400, std::move(detail)}; }

// Decodes one UTF-8 code point at i (advancing i); invalid bytes give U+FFFD.
char32_t next_cp(const std::string& s, std::size_t& i) {
    const auto c = static_cast<unsigned char>(s[i++]);
    int extra = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : c >= 0xc0 ? 1 : 0;
    char32_t cp = extra == 3 ? c & 0x07 : extra == 2 ? c & 0x0f : extra == 1 ? c & 0x1f : c;
    if (c >= 0x80 && extra == 0) return 0xfffd;
    for (; extra > 0; --extra) {
        if (i >= s.size() || (static_cast<unsigned char>(s[i]) & 0xc0) != 0x80) return 0xfffd;
        cp = (cp << 6) | (static_cast<unsigned char>(s[i++]) & 0x3f);
    }
    return cp;
}

bool is_arabic(char32_t c) {
    return (c >= 0x0600 && c <= 0x06ff) || (c >= 0x0750 && c <= 0x077f) || (c >= 0x08a0 && c <= 0x08ff) ||
           (c >= 0xfb50 && c <= 0xfdff) || (c >= 0xfe70 && c <= 0xfeff);
}

bool has_arabic(const std::string& s) {
    for (std::size_t i = 0; i < s.size();)
        if (is_arabic(next_cp(s, i))) return true;
    return false;
}

bool has_strong_ltr_or_digit(const std::string& s) {
    for (std::size_t i = 0; i < s.size();) {
        const char32_t c = next_cp(s, i);
        if ((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= 0xc0 && c < 0x0590))
            return true;
    }
    return false;
}

// In a right-to-left line, each run of words without Arabic letters but with Latin letters or
// digits (a date, a reference, a Latin name) is isolated left-to-right (U+2066 LRI … U+2069 PDI),
// so "2024-05-14" does not show as "14-05-2024". Lines already using isolates are kept as given.
std::string isolate_runs(const std::string& line) {
    if (line.find("\u2066") != std::string::npos) return line;
    std::string out, run, space;
    auto flush = [&] {
        if (!run.empty()) out += "\u2066" + run + "\u2069";
        run.clear();
    };
    std::size_t i = 0;
    while (i < line.size()) {
        const std::size_t start = i;
        while (i < line.size() && line[i] != ' ') ++i;
        const std::string word = line.substr(start, i - start);
        std::size_t spaces = i;
        while (i < line.size() && line[i] == ' ') ++i;
        const std::string gap = line.substr(spaces, i - spaces);
        if (!has_arabic(word) && has_strong_ltr_or_digit(word)) {
            if (!run.empty()) run += space;
            else out += space;
            run += word;
        } else {
            flush();
            out += space + word;
        }
        space = gap;
    }
    flush();
    return out + space;
}

struct Del {
    void operator()(cairo_surface_t* s) const { cairo_surface_destroy(s); }
    void operator()(cairo_t* c) const { cairo_destroy(c); }
};

}  // namespace

std::string stamp_text(const VisibleStamp& s) {
    std::string out;
    for (const auto& l : s.lines) {
        if (!out.empty()) out += '\n';
        out += l;
    }
    return out;
}

Result<StampImage> render_stamp(const VisibleStamp& s, double scale) {
    if (!(s.width > 0) || !(s.height > 0) || !(scale > 0)) return stamp_error("non-positive stamp size");
    const int w = static_cast<int>(std::lround(s.width * scale)), h = static_cast<int>(std::lround(s.height * scale));
    if (s.width > 2000 || s.height > 2000 || w < 1 || h < 1 || static_cast<long>(w) * h > 16'000'000L)
        return stamp_error("stamp size out of range");
    if (s.lines.empty()) return stamp_error("a stamp needs at least one line");

    std::unique_ptr<cairo_surface_t, Del> surface(cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h));
    std::unique_ptr<cairo_t, Del> cr(cairo_create(surface.get()));
    if (cairo_status(cr.get()) != CAIRO_STATUS_SUCCESS) return stamp_error("cairo surface");
    cairo_scale(cr.get(), scale, scale);
    cairo_set_source_rgb(cr.get(), 1, 1, 1);
    cairo_paint(cr.get());
    // A frame in idara green, then the text in near-black.
    const double frame = 0.8, pad = 3;
    cairo_set_source_rgb(cr.get(), 0.0, 0.38, 0.24);
    cairo_set_line_width(cr.get(), frame);
    cairo_rectangle(cr.get(), frame / 2, frame / 2, s.width - frame, s.height - frame);
    cairo_stroke(cr.get());

    const double text_w = std::max(1.0, s.width - 2 * pad), text_h = s.height - 2 * pad;
    std::vector<std::pair<std::string, bool>> lines;  // markup, rtl
    for (const auto& l : s.lines) {
        const bool rtl = has_arabic(l);
        lines.emplace_back(receipt::pdf::escape(rtl ? isolate_runs(l) : l), rtl);
    }
    // The largest size up to 10 points at which every line fits the box (wrapped within its width).
    std::vector<receipt::pdf::Layout> layouts;
    for (int half_points = 20; half_points >= 6; --half_points) {
        const double size = half_points / 2.0;
        layouts.clear();
        double total = 0;
        for (const auto& [markup, rtl] : lines) {
            const std::string font = std::string(rtl ? "Noto Naskh Arabic, Noto Sans " : "Noto Sans, Noto Naskh Arabic ") +
                                     std::to_string(size);
            layouts.push_back(receipt::pdf::layout(cr.get(), text_w, markup, font.c_str(), rtl));
            total += receipt::pdf::height(layouts.back().get());
        }
        if (total <= text_h) break;
    }
    cairo_set_source_rgb(cr.get(), 0.1, 0.1, 0.1);
    double y = pad;
    for (auto& l : layouts) y = receipt::pdf::draw(cr.get(), pad, y, l.get());
    cairo_surface_flush(surface.get());

    StampImage img;
    img.width = w;
    img.height = h;
    img.rgb.resize(static_cast<std::size_t>(w) * h * 3);
    const unsigned char* data = cairo_image_surface_get_data(surface.get());
    const int stride = cairo_image_surface_get_stride(surface.get());
    std::size_t o = 0;
    for (int row = 0; row < h; ++row) {
        const auto* px = reinterpret_cast<const std::uint32_t*>(data + static_cast<std::ptrdiff_t>(row) * stride);
        for (int col = 0; col < w; ++col) {
            const std::uint32_t p = px[col];
            img.rgb[o++] = static_cast<char>((p >> 16) & 0xff);
            img.rgb[o++] = static_cast<char>((p >> 8) & 0xff);
            img.rgb[o++] = static_cast<char>(p & 0xff);
        }
    }
    return img;
}

}  // namespace idara::trust
