// Where and what the visible stamp of a circuit's n-th signature is: on the last page of the
// document, in a grid from the bottom right (right-to-left first, then upwards), so successive
// stamps never overlap; the text lines in Arabic and French from web/i18n/*/parapheur.json.
//
// Errors: parapheur.not_pdf (400) when qpdf cannot read the document or it has no page.
// Thread-safety: pure functions.
#pragma once

#include "core/error.hpp"
#include "trust/stamp.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace idara::parapheur {

struct PageBox {
    int pages = 0;                 // page count
    double width = 0, height = 0;  // the last page's media box, points
};
Result<PageBox> last_page_box(std::string_view pdf);

// The rectangle of the n-th stamp (0-based) on a page of that size.
trust::VisibleStamp stamp_slot(const PageBox& box, int n);

struct StampFacts {
    bool seal = false;                   // the administration's seal rather than a person
    std::string signer_name;             // the person who signs (for a seal: who applied it)
    std::string label_ar, label_fr;      // the step's label (the signer's role in the circuit)
    std::string administration_ar, administration_fr;
    std::int64_t at_ms = 0;              // shown in Africa/Casablanca
    std::optional<std::string> on_behalf_of_name;  // "by delegation of"
};
// Lines: who (ar), who (fr), role — administration (ar), (fr), date/time (ar), (fr),
// and the delegation lines (ar, fr) when on_behalf_of_name is set.
std::vector<std::string> stamp_lines(const StampFacts& f);

}  // namespace idara::parapheur
