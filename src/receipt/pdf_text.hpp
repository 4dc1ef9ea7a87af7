// The mechanics shared by idara's PDF renderers (the deposit receipt, outgoing letters, the
// silence attestation): a cairo PDF surface written into a string, pango layouts of
// bilingual markup (HarfBuzz shaping, FriBidi; Arabic right-to-left and aligned right,
// French left-to-right), and a flow that places blocks and French|Arabic rows top to bottom,
// continuing on a new page when the next one does not fit. Each renderer keeps its own
// layout decisions (fonts, margins, gaps, what goes where); this only lays out and draws.
//
// Text is Pango markup: callers escape content with escape() so it is never read as markup.
// Left-to-right tokens inside Arabic lines are isolated by the caller (isolate_ltr, render.hpp).
//
// Thread-safety: the functions may be called from any thread; a Document or a Flow is used by
// one thread at a time (pango uses a font map per thread).
//
// Include only from code that links pangocairo and cairo-pdf (the header names their types).
#pragma once

#include "core/error.hpp"
#include "core/i18n.hpp"

#include <cairo-pdf.h>
#include <pango/pangocairo.h>

#include <memory>
#include <string>

namespace idara::receipt::pdf {

inline constexpr double kA4Width = 595.28, kA4Height = 841.89;  // points

struct Deleter {
    void operator()(cairo_t* c) const { cairo_destroy(c); }
    void operator()(cairo_surface_t* s) const { cairo_surface_destroy(s); }
    void operator()(PangoLayout* l) const { g_object_unref(l); }
};
using Layout = std::unique_ptr<PangoLayout, Deleter>;

// Plain text escaped for Pango markup (& < > ' ").
std::string escape(const std::string& text);

// The catalogue message `key` in `l`, escaped for markup (labels of the bilingual pages).
std::string label(i18n::Lang l, std::string_view key);

// Pango markup laid out in a box of `width` points with the font description `font`
// ("Noto Naskh Arabic, Noto Sans 10"): right-to-left and aligned right when `rtl`, else
// left-to-right and aligned left; wrapped at words, inside words when a word is too long.
// Shaped once; measure with height(), draw with draw().
Layout layout(cairo_t* cr, double width, const std::string& markup, const char* font, bool rtl);

// The height of a layout in points.
double height(PangoLayout* l);

// Draws a layout with its top left corner at (x, y) in the current source; returns the y below it.
double draw(cairo_t* cr, double x, double y, PangoLayout* l);

// Lays out and draws markup in a box of `width` at (x, y); returns the y below it.
double block(cairo_t* cr, double x, double y, double width, const std::string& markup, const char* font, bool rtl);

// The band across the top of the first page (idara green, 10 points), then the text colour.
void top_band(cairo_t* cr, double page_width);

// One PDF document written into a string. The creator is "idara"; the title is always set,
// the keywords only when not empty. Draw on cr(), end pages with cairo_show_page, then finish().
class Document {
public:
    Document(double width, double height, const std::string& title, const std::string& keywords = {});
    Document(const Document&) = delete;
    Document& operator=(const Document&) = delete;

    cairo_t* cr() const { return cr_.get(); }

    // Ends the last page and the document; the PDF bytes, or receipt.render (500) with cairo's
    // status when the surface failed. Call once; the document is unusable afterwards.
    Result<std::string> finish();

private:
    std::string out_;  // declared first: the surface writes into it until it is destroyed
    std::unique_ptr<cairo_surface_t, Deleter> surface_;
    std::unique_ptr<cairo_t, Deleter> cr_;
};

// Where text goes on a page.
struct Geometry {
    double page_height = kA4Height;
    double margin = 48;  // left and right; top and bottom of continuation pages
    double width = 0;    // of the text, from the left margin
    double gutter = 24;  // between the French and Arabic columns of a row
};

// Pango font descriptions for each script.
struct Fonts {
    const char* latin;
    const char* arabic;
};

// The fonts of the bilingual A4 forms (payment receipt, silence attestation, evaluation decision,
// questionnaire report): French and Arabic side by side.
inline constexpr Fonts kFormFonts{.latin = "Noto Sans, Noto Naskh Arabic 9.5", .arabic = "Noto Naskh Arabic, Noto Sans 10"};
// Their geometry: A4, 48-point margins, a 24-point gutter between the columns.
inline constexpr Geometry kFormGeometry{.page_height = kA4Height, .margin = 48, .width = kA4Width - 2 * 48, .gutter = 24};

// Blocks laid out top to bottom from the left margin, continuing on a new page (cairo_show_page)
// when the next one, after its gap, would pass the limit; the gap before a block at the top of
// a new page is dropped. Pages after the first run from margin to page_height - margin.
class Flow {
public:
    // Starts at `y` on the current page, whose blocks end above `limit`.
    Flow(cairo_t* cr, const Geometry& g, const Fonts& fonts, double y, double limit);
    // Starts at `y`; every page ends at page_height - margin.
    Flow(cairo_t* cr, const Geometry& g, const Fonts& fonts, double y);

    // Makes room for a block of height `h` after `gap`, on a new page if needed; returns the gap to use.
    double place(double h, double gap);

    // A full-width block in the font of its direction (Arabic for rtl, Latin otherwise), or in `font`.
    void add(const std::string& markup, bool rtl, double gap);
    void add(const std::string& markup, const char* font, bool rtl, double gap);

    // A bilingual row: French in the left column, Arabic in the right one, side by side.
    void add_row(const std::string& fr, const std::string& ar, double gap);

    cairo_t* cr() const { return cr_; }
    double y() const { return y_; }
    void skip(double dy) { y_ += dy; }  // leaves room for something the caller draws itself
    int pages() const { return pages_; }

private:
    cairo_t* cr_;
    Geometry g_;
    Fonts fonts_;
    double y_, limit_;
    int pages_ = 1;
};

}  // namespace idara::receipt::pdf
