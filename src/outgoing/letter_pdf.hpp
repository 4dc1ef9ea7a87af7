// A letter as an A4 PDF, rendered in-process (cairo PDF surface, pango with HarfBuzz and
// FriBidi; Noto Naskh Arabic and Noto Sans): a bilingual letterhead (French on the left,
// Arabic on the right), then the letter in its own language — right-to-left for Arabic —
// with its outgoing number, date, recipient, subject, text and signature block. Long texts
// continue on further pages. Labels come from the catalogues (outgoing.pdf.*); the content
// is never read as markup. Sealing (PAdES) is a separate step.
//
// Thread-safety: may be called from any thread.
#pragma once

#include "core/error.hpp"
#include "core/i18n.hpp"

#include <string>

namespace idara::outgoing {

struct LetterDocument {
    i18n::Lang lang = i18n::Lang::ar;
    std::string administration_ar, administration_fr;  // the letterhead
    std::string unit;                                  // optional line under it (letter language)
    std::string number;                                // "MEF-S-2026-000045"
    std::string date;                                  // formatted in the letter's language
    std::string recipient_name, recipient_address;     // address: line breaks kept
    std::string subject;
    std::string text;                                  // the rendered template; '\n' separates paragraphs
    std::string signer;                                // the approver's name
    std::string title;                                 // PDF metadata
};

// The PDF bytes. receipt.render (500) when cairo fails.
Result<std::string> render_letter_pdf(const LetterDocument& d);

}  // namespace idara::outgoing
