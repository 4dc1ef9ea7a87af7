#include "receipt/render.hpp"

#include "core/i18n.hpp"
#include "receipt/pdf_text.hpp"

#include <qrencode.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <vector>

namespace idara::receipt {

namespace {

using i18n::Lang;

constexpr double kPageW = pdf::kA4Width, kPageH = pdf::kA4Height, kMargin = 48, kGutter = 24;
constexpr const char* kArabicFont = "Noto Naskh Arabic, Noto Sans 9.5";
constexpr const char* kLatinFont = "Noto Sans, Noto Naskh Arabic 9";
constexpr const char* kMonoFont = "DejaVu Sans Mono, monospace 7";

using pdf::escape;

const std::string& label(Lang l, const char* key) { return i18n::catalogue().get(l, key); }

// One language's half of the receipt: a title and "label: value" lines, one markup block each.
std::vector<std::string> section(const ReceiptContent& c, Lang l) {
    const bool ar = l == Lang::ar;
    auto pick = [&](const Bilingual& b) { return escape(ar ? b.ar : b.fr); };
    auto ltr = [&](const std::string& s) { return escape(ar ? isolate_ltr(s) : s); };
    std::vector<std::string> out;
    auto line = [&](const char* key, const std::string& value_markup) {
        out.push_back("<b>" + escape(label(l, key)) + "</b> " + value_markup);
    };
    out.push_back("<span size='x-large' weight='bold'>" + escape(label(l, "receipt.title")) + "</span>");
    line("receipt.register_number", "<b>" + ltr(c.register_number) + "</b>");
    if (!c.tracking_code.empty()) line("receipt.tracking_code", "<b>" + ltr(c.tracking_code) + "</b>");
    line("receipt.registered_at", pick(c.registered_at));
    line("receipt.administration", pick(c.administration));
    line("receipt.unit", pick(c.unit));
    line("receipt.contact", ltr(c.contact));
    line("receipt.depositor", escape(c.depositor));
    line("receipt.subject", escape(c.subject));
    line("receipt.type", pick(c.type));
    line("receipt.deadline", pick(c.deadline));
    line("receipt.silence", pick(c.silence_regime));
    line("receipt.appeal", pick(c.appeal));
    return out;
}

std::string attachments_title() {
    return "<b>" + escape(label(Lang::fr, "receipt.attachments")) + " — " + escape(label(Lang::ar, "receipt.attachments")) +
           "</b>";
}

// One markup block per attachment line, so the list can continue on the next page.
std::vector<std::string> attachment_lines(const ReceiptContent& c) {
    std::vector<std::string> out;
    if (c.attachments.empty())
        out.push_back(escape(label(Lang::fr, "receipt.no_attachments")) + " — " +
                      escape(label(Lang::ar, "receipt.no_attachments")));
    for (std::size_t i = 0; i < c.attachments.size(); ++i)
        out.push_back(std::to_string(i + 1) + ". " + escape(c.attachments[i].name) + "\n   SHA-256 " +
                      escape(c.attachments[i].sha256));
    return out;
}

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
    std::unique_ptr<cairo_surface_t, pdf::Deleter> mask(cairo_image_surface_create(CAIRO_FORMAT_A1, side, side));
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
    pdf::Document doc(kPageW, kPageH, c.register_number, c.qr_payload);
    cairo_t* cr = doc.cr();
    const double width = kPageW - 2 * kMargin;
    pdf::top_band(cr, kPageW);
    // The QR sits at the foot of the first page; the text flows above it and continues on
    // further pages when it is long (many attachments, long subjects).
    const double qr = 104;
    const double qy = kPageH - 24 - qr;
    if (auto s = draw_qr(cr, c.qr_payload, kMargin, qy, qr); !s) return s.error();
    cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
    const double cx = kMargin + qr + 16, cw = width - qr - 16;
    const double cy = pdf::block(cr, cx, qy + 10, cw, escape(label(Lang::ar, "receipt.qr_caption")), kArabicFont, true);
    pdf::block(cr, cx, cy + 4, cw, escape(label(Lang::fr, "receipt.qr_caption")), kLatinFont, false);
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    pdf::Flow flow(cr, {.page_height = kPageH, .margin = kMargin, .width = width, .gutter = kGutter},
                   {.latin = kLatinFont, .arabic = kArabicFont}, 30, qy - 8);
    const auto fr = section(c, Lang::fr), ar = section(c, Lang::ar);
    for (std::size_t i = 0; i < fr.size() && i < ar.size(); ++i) flow.add_row(fr[i], ar[i], i == 1 ? 10 : 5);
    flow.add(attachments_title(), kLatinFont, false, 14);
    for (const auto& line : attachment_lines(c)) flow.add(line, kMonoFont, false, 4);
    return doc.finish();
}

}  // namespace idara::receipt
