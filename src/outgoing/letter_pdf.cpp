#include "outgoing/letter_pdf.hpp"

#include "receipt/pdf_text.hpp"
#include "receipt/render.hpp"

#include <sstream>
#include <vector>

namespace idara::outgoing {

namespace {

using i18n::Lang;
namespace pdf = receipt::pdf;
using pdf::escape;

constexpr double kPageW = pdf::kA4Width, kPageH = pdf::kA4Height, kMargin = 56, kGutter = 24;
constexpr pdf::Fonts kFonts{.latin = "Noto Sans, Noto Naskh Arabic 10", .arabic = "Noto Naskh Arabic, Noto Sans 11"};

std::string label(Lang l, const char* key) { return escape(i18n::catalogue().get(l, key)); }

// Left-to-right tokens (numbers, dates in digits) isolated inside Arabic lines.
std::string ltr(Lang l, const std::string& s) { return escape(l == Lang::ar ? receipt::isolate_ltr(s) : s); }

std::vector<std::string> lines(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        out.push_back(line);
    }
    return out;
}

void letterhead(pdf::Flow& f, const LetterDocument& d) {
    f.add_row("<b>" + label(Lang::fr, "outgoing.pdf.kingdom") + "</b>\n" + escape(d.administration_fr),
              "<b>" + label(Lang::ar, "outgoing.pdf.kingdom") + "</b>\n" + escape(d.administration_ar), 0);
    if (!d.unit.empty()) f.add(escape(d.unit), d.lang == Lang::ar, 4);
    cairo_set_source_rgb(f.cr(), 0, 0.3, 0.2);
    cairo_rectangle(f.cr(), kMargin, f.y() + 8, kPageW - 2 * kMargin, 1.2);
    cairo_fill(f.cr());
    cairo_set_source_rgb(f.cr(), 0.1, 0.1, 0.1);
    f.skip(12);
}

void body(pdf::Flow& f, const LetterDocument& d) {
    const Lang l = d.lang;
    const bool rtl = l == Lang::ar;
    f.add("<b>" + label(l, "outgoing.pdf.number") + "</b> " + ltr(l, d.number), rtl, 14);
    f.add("<b>" + label(l, "outgoing.pdf.date") + "</b> " + escape(d.date), rtl, 4);
    std::string to = "<b>" + label(l, "outgoing.pdf.to") + "</b> " + escape(d.recipient_name);
    if (!d.recipient_address.empty()) to += "\n" + escape(d.recipient_address);
    f.add(to, rtl, 14);
    f.add("<b>" + label(l, "outgoing.pdf.subject") + "</b> " + escape(d.subject), rtl, 14);
    double gap = 16;
    for (const auto& line : lines(d.text)) {
        if (line.empty()) {
            gap = 8;
            continue;
        }
        f.add(escape(line), rtl, gap);
        gap = 2;
    }
    f.add("<b>" + label(l, "outgoing.pdf.signed_by") + "</b>\n" + escape(d.signer), rtl, 28);
    f.add("<span size='small'>" + label(l, "outgoing.pdf.sealed") + "</span>", rtl, 10);
}

}  // namespace

Result<std::string> render_letter_pdf(const LetterDocument& d) {
    pdf::Document doc(kPageW, kPageH, d.title);
    pdf::top_band(doc.cr(), kPageW);
    // Blocks top to bottom, continuing on a new page when one does not fit.
    pdf::Flow flow(doc.cr(), {.page_height = kPageH, .margin = kMargin, .width = kPageW - 2 * kMargin, .gutter = kGutter},
                   kFonts, kMargin);
    letterhead(flow, d);
    body(flow, d);
    return doc.finish();
}

}  // namespace idara::outgoing
