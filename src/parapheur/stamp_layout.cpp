// The visible stamps' positions (qpdf reads the last page's size) and their bilingual text.
#include "parapheur/stamp_layout.hpp"

#include "core/dates.hpp"
#include "core/i18n.hpp"

#include <qpdf/QPDF.hh>
#include <qpdf/QPDFPageDocumentHelper.hh>
#include <qpdf/QPDFPageObjectHelper.hh>

#include <algorithm>
#include <cmath>
#include <chrono>

namespace idara::parapheur {

namespace {
constexpr double kWidth = 190, kHeight = 76, kMargin = 24, kGap = 8;
}

Result<PageBox> last_page_box(std::string_view pdf) {
    try {
        QPDF q;
        q.setSuppressWarnings(true);
        q.processMemoryFile("document", pdf.data(), pdf.size());
        auto pages = QPDFPageDocumentHelper(q).getAllPages();
        if (pages.empty()) return Error{"parapheur.not_pdf", 400, "no page"};
        PageBox b;
        b.pages = static_cast<int>(pages.size());
        auto mb = pages.back().getMediaBox().getArrayAsRectangle();
        b.width = std::abs(mb.urx - mb.llx);
        b.height = std::abs(mb.ury - mb.lly);
        if (!std::isfinite(b.width) || !std::isfinite(b.height) || b.width < 1 || b.height < 1 || b.width > 1e6 ||
            b.height > 1e6)
            return Error{"parapheur.not_pdf", 400, "page size"};
        return b;
    } catch (const std::exception& e) {
        return Error{"parapheur.not_pdf", 400, e.what()};
    }
}

trust::VisibleStamp stamp_slot(const PageBox& box, int n) {
    const int cols = static_cast<int>(std::clamp((box.width - 2 * kMargin + kGap) / (kWidth + kGap), 1.0, 1000.0));
    const int rows = static_cast<int>(std::clamp((box.height - 2 * kMargin + kGap) / (kHeight + kGap), 1.0, 1000.0));
    const int slot = n % (cols * rows);
    const int col = slot % cols, row = slot / cols;
    trust::VisibleStamp s;
    s.page = box.pages;
    s.width = std::min(kWidth, box.width - 2 * kMargin > 10 ? box.width - 2 * kMargin : box.width);
    s.height = std::min(kHeight, box.height);
    s.x = std::max(0.0, box.width - kMargin - s.width - col * (kWidth + kGap));
    s.y = std::min(box.height - s.height, kMargin + row * (kHeight + kGap));
    return s;
}

std::vector<std::string> stamp_lines(const StampFacts& f) {
    const auto& c = i18n::catalogue();
    const auto t = std::chrono::sys_seconds(std::chrono::seconds(f.at_ms / 1000));
    std::vector<std::string> lines;
    for (auto l : {i18n::Lang::ar, i18n::Lang::fr}) {
        const std::string key = f.seal ? "parapheur.stamp.sealed" : "parapheur.stamp.signed";
        lines.push_back(c.format(l, key,
                                 {{"name", f.signer_name},
                                  {"administration", l == i18n::Lang::ar ? f.administration_ar : f.administration_fr}}));
    }
    for (auto l : {i18n::Lang::ar, i18n::Lang::fr})
        lines.push_back(c.format(l, "parapheur.stamp.role",
                                 {{"role", l == i18n::Lang::ar ? f.label_ar : f.label_fr},
                                  {"administration", l == i18n::Lang::ar ? f.administration_ar : f.administration_fr}}));
    for (auto l : {i18n::Lang::ar, i18n::Lang::fr})
        lines.push_back(c.format(l, "parapheur.stamp.date", {{"date", i18n::format_date_time(t, l)}}));
    if (f.on_behalf_of_name)
        for (auto l : {i18n::Lang::ar, i18n::Lang::fr})
            lines.push_back(c.format(l, "parapheur.stamp.delegation", {{"name", *f.on_behalf_of_name}}));
    return lines;
}

}  // namespace idara::parapheur
