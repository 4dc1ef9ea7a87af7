// The silence attestation's page: a bilingual title, an introduction, "label value" rows
// side by side, and the note on the seal (attestation_pdf.hpp).
#include "processing/attestation_pdf.hpp"

#include "core/i18n.hpp"
#include "receipt/pdf_text.hpp"

namespace idara::processing::detail {

namespace {

using i18n::Lang;
namespace pdf = receipt::pdf;
using pdf::escape;
using pdf::label;

}  // namespace

Result<std::string> render_attestation_pdf(const AttestationDocument& d) {
    pdf::Document doc(pdf::kA4Width, pdf::kA4Height, d.title);
    cairo_t* cr = doc.cr();
    pdf::top_band(cr, pdf::kA4Width);
    // Rows top to bottom, French left and Arabic right; a new page when a row does not fit.
    pdf::Flow page(cr, pdf::kFormGeometry, pdf::kFormFonts, 36);
    auto title = [](Lang l) {
        return "<span size='x-large' weight='bold'>" + label(l, "attestation.title") + "</span>";
    };
    page.add_row(title(Lang::fr), title(Lang::ar), 0);
    page.add_row(label(Lang::fr, "attestation.intro"), label(Lang::ar, "attestation.intro"), 12);
    for (const auto& [key, value] : d.lines) {
        // Left-to-right tokens (numbers, dates) inside Arabic lines are isolated by the caller.
        page.add_row("<b>" + label(Lang::fr, key) + "</b> " + escape(value.fr),
                     "<b>" + label(Lang::ar, key) + "</b> " + escape(value.ar), 7);
    }
    cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
    page.add_row("<i>" + label(Lang::fr, "attestation.seal_note") + "</i>", label(Lang::ar, "attestation.seal_note"), 18);
    return doc.finish();
}

}  // namespace idara::processing::detail
