// The deposit receipt as an A4 PDF, in Arabic and in French, rendered
// in-process: cairo's PDF surface, pango for text (HarfBuzz shaping, FriBidi),
// Noto Naskh Arabic for Arabic and Noto Sans for Latin, libqrencode for the QR.
//
// The Arabic block is laid out right-to-left and the French block left-to-right;
// left-to-right tokens inside Arabic lines (register numbers, dates, digests)
// are isolated with U+2066…U+2069 so they are not reordered. Labels come from
// the catalogues (receipt.* keys); the content comes from the caller and is
// never interpreted as markup.
//
// This renders; sealing (PAdES) is a separate step (trust layer).
#pragma once

#include "core/error.hpp"

#include <string>
#include <vector>

namespace idara::receipt {

struct Bilingual {
    std::string ar, fr;
};

struct Attachment {
    std::string name;
    std::string sha256;  // lowercase hex
};

struct ReceiptContent {
    std::string register_number;        // "MEF-2026-000123"
    std::string tracking_code;          // "K7QX-M3PA" (printed for the depositor; empty: no line)
    Bilingual registered_at;            // date and time already formatted per language (Africa/Casablanca)
    Bilingual administration;           // receiving administration
    Bilingual unit;                     // receiving unit
    std::string contact;                // e-mail or phone of the registry office
    std::string depositor;              // name as given
    std::string subject;                // as given, in any language
    Bilingual type;                     // letter, complaint, request, application...
    std::vector<Attachment> attachments;
    Bilingual deadline;                 // the processing deadline that applies
    Bilingual silence_regime;           // what silence past the deadline means
    Bilingual appeal;                   // the appeal route
    std::string qr_payload;             // compact signed payload (no personal data); also the PDF's /Keywords
};

// The PDF bytes: one A4 page, more when the list of attachments runs past the QR code
// at the foot of the first page. Errors: receipt.render (500) when cairo or libqrencode fail.
Result<std::string> render_pdf(const ReceiptContent& c);

// Wraps a left-to-right token for an Arabic line (U+2066 … U+2069).
std::string isolate_ltr(const std::string& token);

}  // namespace idara::receipt
