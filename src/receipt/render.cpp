#include "receipt/render.hpp"

#include "core/i18n.hpp"

#include <cairo-pdf.h>
#include <pango/pangocairo.h>
#include <qrencode.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <vector>

namespace idara::receipt {

namespace {

using i18n::Lang;

constexpr double kPageW = 595.28, kPageH = 841.89, kMargin = 48, kGutter = 24;
constexpr const char* kArabicFont = "Noto Naskh Arabic, Noto Sans 9.5";
constexpr const char* kLatinFont = "Noto Sans, Noto Naskh Arabic 9";
constexpr const char* kMonoFont = "DejaVu Sans Mono, monospace 7";

struct CairoDeleter {
    void operator()(cairo_t* c) const { cairo_destroy(c); }
    void operator()(cairo_surface_t* s) const { cairo_surface_destroy(s); }
};

cairo_status_t append(void* out, const unsigned char* data, unsigned int len) {
    static_cast<std::string*>(out)->append(reinterpret_cast<const char*>(data), len);
    return CAIRO_STATUS_SUCCESS;
}

std::string esc(const std::string& s) {
    char* e = g_markup_escape_text(s.c_str(), static_cast<gssize>(s.size()));
    std::string out(e);
    g_free(e);
    return out;
}

const std::string& label(Lang l, const char* key) { return i18n::catalogue().get(l, key); }

struct LayoutDeleter {
    void operator()(PangoLayout* l) const { g_object_unref(l); }
};
using Layout = std::unique_ptr<PangoLayout, LayoutDeleter>;

// Pango markup laid out in a box of `width` (shaped once; drawn with draw()).
Layout layout(cairo_t* cr, double width, const std::string& markup, const char* font, bool rtl) {
    Layout l(pango_cairo_create_layout(cr));
    pango_context_set_base_dir(pango_layout_get_context(l.get()), rtl ? PANGO_DIRECTION_RTL : PANGO_DIRECTION_LTR);
    pango_layout_set_auto_dir(l.get(), FALSE);
    pango_layout_context_changed(l.get());
    PangoFontDescription* fd = pango_font_description_from_string(font);
    pango_layout_set_font_description(l.get(), fd);
    pango_font_description_free(fd);
    pango_layout_set_width(l.get(), static_cast<int>(width * PANGO_SCALE));
    pango_layout_set_wrap(l.get(), PANGO_WRAP_WORD_CHAR);
    // Pango does not mirror alignment by base direction: right-to-left blocks align right explicitly.
    pango_layout_set_alignment(l.get(), rtl ? PANGO_ALIGN_RIGHT : PANGO_ALIGN_LEFT);
    pango_layout_set_markup(l.get(), markup.c_str(), -1);
    return l;
}

double height(PangoLayout* l) {
    int w = 0, h = 0;
    pango_layout_get_size(l, &w, &h);
    return static_cast<double>(h) / PANGO_SCALE;
}

// Draws a layout at (x, y); returns the y below it.
double draw(cairo_t* cr, double x, double y, PangoLayout* l) {
    cairo_move_to(cr, x, y);
    pango_cairo_show_layout(cr, l);
    return y + height(l);
}

// Lays out and draws Pango markup in a box of `width` at (x, y); returns the y below it.
double block(cairo_t* cr, double x, double y, double width, const std::string& markup, const char* font, bool rtl) {
    return draw(cr, x, y, layout(cr, width, markup, font, rtl).get());
}

// One language's half of the receipt: a title and "label: value" lines, one markup block each.
std::vector<std::string> section(const ReceiptContent& c, Lang l) {
    const bool ar = l == Lang::ar;
    auto pick = [&](const Bilingual& b) { return esc(ar ? b.ar : b.fr); };
    auto ltr = [&](const std::string& s) { return esc(ar ? isolate_ltr(s) : s); };
    std::vector<std::string> out;
    auto line = [&](const char* key, const std::string& value_markup) {
        out.push_back("<b>" + esc(label(l, key)) + "</b> " + value_markup);
    };
    out.push_back("<span size='x-large' weight='bold'>" + esc(label(l, "receipt.title")) + "</span>");
    line("receipt.register_number", "<b>" + ltr(c.register_number) + "</b>");
    if (!c.tracking_code.empty()) line("receipt.tracking_code", "<b>" + ltr(c.tracking_code) + "</b>");
    line("receipt.registered_at", pick(c.registered_at));
    line("receipt.administration", pick(c.administration));
    line("receipt.unit", pick(c.unit));
    line("receipt.contact", ltr(c.contact));
    line("receipt.depositor", esc(c.depositor));
    line("receipt.subject", esc(c.subject));
    line("receipt.type", pick(c.type));
    line("receipt.deadline", pick(c.deadline));
    line("receipt.silence", pick(c.silence_regime));
    line("receipt.appeal", pick(c.appeal));
    return out;
}

std::string attachments_title() {
    return "<b>" + esc(label(Lang::fr, "receipt.attachments")) + " — " + esc(label(Lang::ar, "receipt.attachments")) + "</b>";
}

// One markup block per attachment line, so the list can continue on the next page.
std::vector<std::string> attachment_lines(const ReceiptContent& c) {
    std::vector<std::string> out;
    if (c.attachments.empty())
        out.push_back(esc(label(Lang::fr, "receipt.no_attachments")) + " — " + esc(label(Lang::ar, "receipt.no_attachments")));
    for (std::size_t i = 0; i < c.attachments.size(); ++i)
        out.push_back(std::to_string(i + 1) + ". " + esc(c.attachments[i].name) + "\n   SHA-256 " + esc(c.attachments[i].sha256));
    return out;
}

// Blocks laid out top to bottom, continuing on a new page when the next one does not fit.
struct Flow {
    cairo_t* cr;
    double width;
    double y;
    double limit;  // the first page stops above the QR code
    int pages = 1;

    // Starts a new page when a block of height h (after `gap`) would pass the limit;
    // the gap before a block at the top of a page is dropped.
    double place(double h, double gap) {
        if (y + gap + h <= limit) return gap;
        cairo_show_page(cr);
        ++pages;
        y = kMargin;
        limit = kPageH - kMargin;
        return 0;
    }

    void add(const std::string& markup, const char* font, bool rtl, double gap) {
        const Layout l = layout(cr, width, markup, font, rtl);
        gap = place(height(l.get()), gap);
        y = draw(cr, kMargin, y + gap, l.get());
    }

    // A bilingual row: French in the left column, Arabic in the right one, side by side.
    void add_row(const std::string& fr, const std::string& ar, double gap) {
        const double col = (width - kGutter) / 2;
        const Layout f = layout(cr, col, fr, kLatinFont, false), a = layout(cr, col, ar, kArabicFont, true);
        gap = place(std::max(height(f.get()), height(a.get())), gap);
        y = std::max(draw(cr, kMargin, y + gap, f.get()), draw(cr, kMargin + col + kGutter, y + gap, a.get()));
    }
};

// The QR code as a 1-bit image mask, kPxPerModule pixels a module, painted black through
// it: a few kilobytes in the PDF instead of hundreds of path operators (which cairo prints
// and deflates: a third of the whole render otherwise). With several pixels a module, a
// viewer that scales the page down averages the edges like anti-aliased vectors, and the
// code scans at screen and print resolutions alike.
Status draw_qr(cairo_t* cr, const std::string& payload, double x, double y, double size) {
    constexpr int kPxPerModule = 4, kQuiet = 4;
    std::unique_ptr<QRcode, decltype(&QRcode_free)> qr(
        QRcode_encodeString8bit(payload.c_str(), 0, QR_ECLEVEL_M), &QRcode_free);
    if (!qr) return Error{"receipt.render", 500, "QR encoding failed"};
    const int n = qr->width, side = (n + 2 * kQuiet) * kPxPerModule;
    std::unique_ptr<cairo_surface_t, CairoDeleter> mask(cairo_image_surface_create(CAIRO_FORMAT_A1, side, side));
    if (cairo_surface_status(mask.get()) != CAIRO_STATUS_SUCCESS) return Error{"receipt.render", 500, "QR mask"};
    cairo_surface_flush(mask.get());
    unsigned char* data = cairo_image_surface_get_data(mask.get());
    const int stride = cairo_image_surface_get_stride(mask.get());
    std::fill(data, data + static_cast<std::size_t>(stride) * side, 0);
    for (int r = 0; r < n; ++r)
        for (int c = 0; c < n; ++c) {
            if (!(qr->data[r * n + c] & 1)) continue;
            for (int py = 0; py < kPxPerModule; ++py) {
                auto* row = reinterpret_cast<std::uint32_t*>(data + ((kQuiet + r) * kPxPerModule + py) * stride);
                for (int px = 0; px < kPxPerModule; ++px) {
                    const int bit = (kQuiet + c) * kPxPerModule + px;
                    // A1 pixels are bits of native-endian 32-bit words (cairo's layout).
                    row[bit / 32] |= std::uint32_t{1} << (bit % 32);
                }
            }
        }
    cairo_surface_mark_dirty(mask.get());
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_rectangle(cr, x, y, size, size);
    cairo_fill(cr);
    cairo_save(cr);
    cairo_translate(cr, x, y);
    cairo_scale(cr, size / side, size / side);
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_mask_surface(cr, mask.get(), 0, 0);
    cairo_restore(cr);
    return {};
}

}  // namespace

std::string isolate_ltr(const std::string& token) { return "\u2066" + token + "\u2069"; }

Result<std::string> render_pdf(const ReceiptContent& c) {
    std::string out;
    std::unique_ptr<cairo_surface_t, CairoDeleter> surface(cairo_pdf_surface_create_for_stream(append, &out, kPageW, kPageH));
    if (!c.qr_payload.empty())
        cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_KEYWORDS, c.qr_payload.c_str());
    cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_TITLE, c.register_number.c_str());
    cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_CREATOR, "idara");
    std::unique_ptr<cairo_t, CairoDeleter> cr(cairo_create(surface.get()));
    const double width = kPageW - 2 * kMargin;
    cairo_set_source_rgb(cr.get(), 0, 0.3, 0.2);
    cairo_rectangle(cr.get(), 0, 0, kPageW, 10);
    cairo_fill(cr.get());
    cairo_set_source_rgb(cr.get(), 0.1, 0.1, 0.1);
    // The QR sits at the foot of the first page; the text flows above it and continues on
    // further pages when it is long (many attachments, long subjects).
    const double qr = 104;
    const double qy = kPageH - 24 - qr;
    if (auto s = draw_qr(cr.get(), c.qr_payload, kMargin, qy, qr); !s) return s.error();
    cairo_set_source_rgb(cr.get(), 0.2, 0.2, 0.2);
    const double cy = block(cr.get(), kMargin + qr + 16, qy + 10, width - qr - 16, esc(label(Lang::ar, "receipt.qr_caption")),
                            kArabicFont, true);
    block(cr.get(), kMargin + qr + 16, cy + 4, width - qr - 16, esc(label(Lang::fr, "receipt.qr_caption")), kLatinFont, false);
    cairo_set_source_rgb(cr.get(), 0.1, 0.1, 0.1);
    Flow flow{cr.get(), width, 30, qy - 8};
    const auto fr = section(c, Lang::fr), ar = section(c, Lang::ar);
    for (std::size_t i = 0; i < fr.size() && i < ar.size(); ++i) flow.add_row(fr[i], ar[i], i == 1 ? 10 : 5);
    flow.add(attachments_title(), kLatinFont, false, 14);
    for (const auto& line : attachment_lines(c)) flow.add(line, kMonoFont, false, 4);
    cairo_show_page(cr.get());
    cr.reset();
    cairo_surface_finish(surface.get());
    if (cairo_surface_status(surface.get()) != CAIRO_STATUS_SUCCESS)
        return Error{"receipt.render", 500, cairo_status_to_string(cairo_surface_status(surface.get()))};
    surface.reset();
    return out;
}

}  // namespace idara::receipt
