#include "receipt/pdf_text.hpp"

#include <algorithm>

namespace idara::receipt::pdf {

namespace {

cairo_status_t append(void* out, const unsigned char* data, unsigned int len) {
    static_cast<std::string*>(out)->append(reinterpret_cast<const char*>(data), len);
    return CAIRO_STATUS_SUCCESS;
}

}  // namespace

std::string label(i18n::Lang l, std::string_view key) { return escape(i18n::catalogue().get(l, key)); }

std::string escape(const std::string& text) {
    char* e = g_markup_escape_text(text.c_str(), static_cast<gssize>(text.size()));
    std::string out(e);
    g_free(e);
    return out;
}

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

double draw(cairo_t* cr, double x, double y, PangoLayout* l) {
    cairo_move_to(cr, x, y);
    pango_cairo_show_layout(cr, l);
    return y + height(l);
}

double block(cairo_t* cr, double x, double y, double width, const std::string& markup, const char* font, bool rtl) {
    return draw(cr, x, y, layout(cr, width, markup, font, rtl).get());
}

void top_band(cairo_t* cr, double page_width) {
    cairo_set_source_rgb(cr, 0, 0.3, 0.2);
    cairo_rectangle(cr, 0, 0, page_width, 10);
    cairo_fill(cr);
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
}

Document::Document(double width, double height, const std::string& title, const std::string& keywords)
    : surface_(cairo_pdf_surface_create_for_stream(append, &out_, width, height)) {
    if (!keywords.empty())
        cairo_pdf_surface_set_metadata(surface_.get(), CAIRO_PDF_METADATA_KEYWORDS, keywords.c_str());
    cairo_pdf_surface_set_metadata(surface_.get(), CAIRO_PDF_METADATA_TITLE, title.c_str());
    cairo_pdf_surface_set_metadata(surface_.get(), CAIRO_PDF_METADATA_CREATOR, "idara");
    cr_.reset(cairo_create(surface_.get()));
}

Result<std::string> Document::finish() {
    cairo_show_page(cr_.get());
    cr_.reset();
    cairo_surface_finish(surface_.get());
    if (cairo_surface_status(surface_.get()) != CAIRO_STATUS_SUCCESS)
        return Error{"receipt.render", 500, cairo_status_to_string(cairo_surface_status(surface_.get()))};
    surface_.reset();
    return std::move(out_);
}

Flow::Flow(cairo_t* cr, const Geometry& g, const Fonts& fonts, double y, double limit)
    : cr_(cr), g_(g), fonts_(fonts), y_(y), limit_(limit) {}

Flow::Flow(cairo_t* cr, const Geometry& g, const Fonts& fonts, double y)
    : Flow(cr, g, fonts, y, g.page_height - g.margin) {}

double Flow::place(double h, double gap) {
    if (y_ + gap + h <= limit_) return gap;
    cairo_show_page(cr_);
    ++pages_;
    y_ = g_.margin;
    limit_ = g_.page_height - g_.margin;
    return 0;
}

void Flow::add(const std::string& markup, bool rtl, double gap) {
    add(markup, rtl ? fonts_.arabic : fonts_.latin, rtl, gap);
}

void Flow::add(const std::string& markup, const char* font, bool rtl, double gap) {
    const Layout l = layout(cr_, g_.width, markup, font, rtl);
    gap = place(height(l.get()), gap);
    y_ = draw(cr_, g_.margin, y_ + gap, l.get());
}

void Flow::add_row(const std::string& fr, const std::string& ar, double gap) {
    const double col = (g_.width - g_.gutter) / 2;
    const Layout f = layout(cr_, col, fr, fonts_.latin, false), a = layout(cr_, col, ar, fonts_.arabic, true);
    gap = place(std::max(height(f.get()), height(a.get())), gap);
    const double top = y_ + gap;
    const double below_fr = draw(cr_, g_.margin, top, f.get());
    y_ = std::max(below_fr, draw(cr_, g_.margin + col + g_.gutter, top, a.get()));
}

}  // namespace idara::receipt::pdf
