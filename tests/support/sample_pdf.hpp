// Small, valid PDF files written by hand for tests: object bodies numbered 1..n in
// order, a correct cross-reference table and trailer. Header-only.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

namespace idara::testing {

// A PDF of `objects` (object 1 must be the catalog). `trailer_extra` goes into the
// trailer dictionary (e.g. "/Info 5 0 R"); with `xref_shift` every xref offset is wrong
// by that much (a damaged file that readers can still reconstruct).
inline std::string assemble_pdf(const std::vector<std::string>& objects, const std::string& trailer_extra = "",
                                long xref_shift = 0) {
    std::string pdf = "%PDF-1.4\n%\xE2\xE3\xCF\xD3\n";
    std::vector<std::size_t> offsets;
    for (std::size_t i = 0; i < objects.size(); ++i) {
        offsets.push_back(pdf.size());
        pdf += std::to_string(i + 1) + " 0 obj\n" + objects[i] + "\nendobj\n";
    }
    const std::size_t xref = pdf.size();
    pdf += "xref\n0 " + std::to_string(objects.size() + 1) + "\n0000000000 65535 f \n";
    for (auto off : offsets) {
        char line[32];
        std::snprintf(line, sizeof line, "%010ld 00000 n \n", static_cast<long>(off) + xref_shift);
        pdf += line;
    }
    pdf += "trailer\n<< /Size " + std::to_string(objects.size() + 1) + " /Root 1 0 R " + trailer_extra +
           " >>\nstartxref\n" + std::to_string(xref) + "\n%%EOF\n";
    return pdf;
}

// A PDF of `pages` A4 pages with Helvetica text: `marker` on page 1, "page N" after.
inline std::string sample_pdf(int pages = 1, const std::string& marker = "idara") {
    std::vector<std::string> objs;
    objs.push_back("<< /Type /Catalog /Pages 2 0 R >>");
    std::string kids;
    for (int i = 0; i < pages; ++i) kids += std::to_string(4 + 2 * i) + " 0 R ";
    objs.push_back("<< /Type /Pages /Kids [" + kids + "] /Count " + std::to_string(pages) + " >>");
    objs.push_back("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>");
    for (int i = 0; i < pages; ++i) {
        objs.push_back("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> "
                       "/Contents " + std::to_string(5 + 2 * i) + " 0 R >>");
        const std::string text = "BT /F1 18 Tf 72 760 Td (" + (i == 0 ? marker : "page " + std::to_string(i + 1)) + ") Tj ET";
        objs.push_back("<< /Length " + std::to_string(text.size()) + " >>\nstream\n" + text + "\nendstream");
    }
    return assemble_pdf(objs);
}

}  // namespace idara::testing
