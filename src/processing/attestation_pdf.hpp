// Internal to processing: the silence attestation as an A4 PDF (attestation.hpp), rendered
// in-process with cairo's PDF surface and pango (HarfBuzz, FriBidi), Noto Naskh Arabic and
// Noto Sans: French in the left column, Arabic in the right one, row by row. Labels come
// from the catalogues (attestation.*); values are never read as markup.
//
// Thread-safety: may be called from any thread.
#pragma once

#include "core/error.hpp"
#include "receipt/render.hpp"

#include <string>
#include <utility>
#include <vector>

namespace idara::processing::detail {

struct AttestationDocument {
    std::string title;  // PDF metadata (the register number)
    // (catalogue label key, value in each language); the values are plain text.
    std::vector<std::pair<std::string, receipt::Bilingual>> lines;
};

// The PDF bytes. receipt.render (500) when cairo fails.
Result<std::string> render_attestation_pdf(const AttestationDocument& d);

}  // namespace idara::processing::detail
