// The payment receipt's page (payments.hpp): a bilingual title, the sandbox warning, "label value"
// rows side by side (French left, Arabic right) and the note on the seal. Sealing is done by the
// caller (PaymentService, with the platform seal).
#include "procedures/payments.hpp"

#include "core/dates.hpp"
#include "core/i18n.hpp"
#include "receipt/pdf_text.hpp"
#include "receipt/render.hpp"

#include <utility>
#include <vector>

namespace idara::procedures {

namespace {

using i18n::Lang;
namespace pdf = receipt::pdf;
using pdf::escape;
using pdf::label;

struct Line {
    std::string key;
    std::string fr, ar;  // values; left-to-right tokens of the Arabic one isolated
};

}  // namespace

std::string format_amount(std::int64_t centimes, std::string_view currency) {
    const std::int64_t units = centimes / 100, cents = centimes % 100;
    std::string digits = std::to_string(units), grouped;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) grouped += ' ';
        grouped += digits[i];
    }
    return grouped + "," + (cents < 10 ? "0" : "") + std::to_string(cents) + " " + std::string(currency);
}

Result<std::string> render_payment_receipt(const PaymentReceiptFacts& f) {
    const auto at = std::chrono::sys_seconds(std::chrono::seconds(f.paid_at_ms / 1000));
    const std::string amount = format_amount(f.amount_centimes, f.currency);
    const std::string provider_fr = i18n::catalogue().get(Lang::fr, "web.payment.sandbox_name");
    const std::string provider_ar = i18n::catalogue().get(Lang::ar, "web.payment.sandbox_name");
    const std::vector<Line> lines{
        {"web.payment.receipt.amount", amount, receipt::isolate_ltr(amount)},
        {"web.payment.receipt.fee", f.fee_label.fr, f.fee_label.ar},
        {"web.payment.receipt.procedure", f.procedure_title.fr + " (" + f.procedure_code + ")",
         f.procedure_title.ar + " " + receipt::isolate_ltr("(" + f.procedure_code + ")")},
        {"web.payment.receipt.application", f.application_id, receipt::isolate_ltr(f.application_id)},
        {"web.payment.receipt.reference", f.payment_id, receipt::isolate_ltr(f.payment_id)},
        {"web.payment.receipt.payer", f.payer, f.payer},
        {"web.payment.receipt.paid_at", i18n::format_date_time(at, Lang::fr), i18n::format_date_time(at, Lang::ar)},
        {"web.payment.receipt.provider", provider_fr + " (" + f.provider + ")",
         provider_ar + " " + receipt::isolate_ltr("(" + f.provider + ")")},
        {"web.payment.receipt.provider_ref", f.provider_ref, receipt::isolate_ltr(f.provider_ref)},
    };

    pdf::Document doc(pdf::kA4Width, pdf::kA4Height, "Payment receipt " + f.payment_id, "idara-payment " + f.payment_id);
    cairo_t* cr = doc.cr();
    pdf::top_band(cr, pdf::kA4Width);
    pdf::Flow page(cr, pdf::kFormGeometry, pdf::kFormFonts, 36);
    auto title = [](Lang l) {
        return "<span size='x-large' weight='bold'>" + label(l, "web.payment.receipt.title") + "</span>";
    };
    page.add_row(title(Lang::fr), title(Lang::ar), 0);
    // The sandbox is said on the receipt itself: no real money was taken.
    if (f.provider == "sandbox")
        page.add_row("<b>" + label(Lang::fr, "web.payment.receipt.sandbox_warning") + "</b>",
                     "<b>" + label(Lang::ar, "web.payment.receipt.sandbox_warning") + "</b>", 12);
    for (const auto& line : lines)
        page.add_row("<b>" + label(Lang::fr, line.key) + "</b> " + escape(line.fr),
                     "<b>" + label(Lang::ar, line.key) + "</b> " + escape(line.ar), 7);
    cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
    page.add_row("<i>" + label(Lang::fr, "web.payment.receipt.seal_note") + "</i>",
                 label(Lang::ar, "web.payment.receipt.seal_note"), 18);
    return doc.finish();
}

}  // namespace idara::procedures
