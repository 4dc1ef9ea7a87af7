// The maturity report's pages (scoring.hpp): a bilingual title and facts, the overall percentage
// and level, a bar chart and a radar chart of the dimensions (cairo), then each dimension with its
// percentage and, below advice_below, its advice. French left, Arabic right, as the other PDFs.
// Labels come from the catalogues (scoring.report.*); titles and advice from the procedure file.
#include "procedures/scoring.hpp"

#include "core/dates.hpp"
#include "core/i18n.hpp"
#include "receipt/pdf_text.hpp"
#include "receipt/render.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numbers>
#include <string>
#include <vector>

namespace idara::procedures {

namespace {

using i18n::Lang;
namespace pdf = receipt::pdf;
using pdf::escape;
using pdf::label;

constexpr const char* kSmallLatin = "Noto Sans, Noto Naskh Arabic 8";
constexpr const char* kSmallArabic = "Noto Naskh Arabic, Noto Sans 8.5";

// The colours of the charts: the bars and the radar's outline (a blue that is not in the text
// or the band, so the tests can find it), the empty track and the grid.
struct Rgb {
    double r, g, b;
};
constexpr Rgb kBar{0.0, 0.45, 0.70};
constexpr Rgb kTrack{0.90, 0.91, 0.92};
constexpr Rgb kGrid{0.75, 0.76, 0.78};
constexpr Rgb kText{0.1, 0.1, 0.1};

void source(cairo_t* cr, Rgb c) { cairo_set_source_rgb(cr, c.r, c.g, c.b); }

std::string percent_text(int p) { return std::to_string(p) + " %"; }

// "label value" with the label in bold.
std::string pair(Lang l, const std::string& key, const std::string& value) {
    return "<b>" + label(l, key) + "</b> " + escape(value);
}

// The bar chart: one row per dimension, French title | track and bar | percentage | Arabic title.
constexpr double kRowH = 20, kBarH = 11, kTitleW = 118, kPctW = 40, kPad = 8;

double bar_chart_height(const ScoreReport& s) { return kRowH * static_cast<double>(s.dimensions.size()); }

void bar_chart(cairo_t* cr, double top, const ScoreReport& s) {
    const double track_x = pdf::kFormGeometry.margin + kTitleW + kPad;
    const double track_w = pdf::kFormGeometry.width - 2 * kTitleW - kPctW - 3 * kPad;
    double y = top;
    for (const auto& d : s.dimensions) {
        source(cr, kText);
        const auto fr = pdf::layout(cr, kTitleW, escape(d.title.fr), kSmallLatin, false);
        const auto ar = pdf::layout(cr, kTitleW, escape(d.title.ar), kSmallArabic, true);
        pdf::draw(cr, pdf::kFormGeometry.margin, y + (kRowH - pdf::height(fr.get())) / 2, fr.get());
        pdf::draw(cr, pdf::kFormGeometry.margin + pdf::kFormGeometry.width - kTitleW, y + (kRowH - pdf::height(ar.get())) / 2, ar.get());
        const double bar_y = y + (kRowH - kBarH) / 2;
        source(cr, kTrack);
        cairo_rectangle(cr, track_x, bar_y, track_w, kBarH);
        cairo_fill(cr);
        if (d.percent > 0) {
            source(cr, kBar);
            cairo_rectangle(cr, track_x, bar_y, track_w * std::clamp(d.percent, 0, 100) / 100.0, kBarH);
            cairo_fill(cr);
        }
        source(cr, kText);
        const auto pct = pdf::layout(cr, kPctW, "<b>" + escape(percent_text(d.percent)) + "</b>", kSmallLatin, false);
        pdf::draw(cr, track_x + track_w + kPad, y + (kRowH - pdf::height(pct.get())) / 2, pct.get());
        y += kRowH;
    }
}

constexpr double kHeadingH = 24;       // a heading row, at most (one line of "large" text)

// The radar chart: one axis per dimension from the centre (0 %) to the outer ring (100 %), the
// rings at 25, 50, 75 and 100 %, the dimensions' percentages joined in a filled polygon, and each
// axis named in both languages beyond its tip. Drawn only for three dimensions or more.
constexpr double kRadius = 95, kRadarH = 2 * kRadius + 70, kAxisLabelW = 110;

void radar_chart(cairo_t* cr, double top, const ScoreReport& s) {
    const std::size_t n = s.dimensions.size();
    const double cx = pdf::kFormGeometry.margin + pdf::kFormGeometry.width / 2, cy = top + kRadarH / 2;
    auto point = [&](std::size_t i, double fraction) {
        const double a = -std::numbers::pi / 2 + 2 * std::numbers::pi * static_cast<double>(i) / static_cast<double>(n);
        return std::pair{cx + std::cos(a) * kRadius * fraction, cy + std::sin(a) * kRadius * fraction};
    };
    cairo_set_line_width(cr, 0.6);
    source(cr, kGrid);
    for (int ring = 1; ring <= 4; ++ring) {
        for (std::size_t i = 0; i < n; ++i) {
            const auto [x, y] = point(i, ring / 4.0);
            if (i == 0) cairo_move_to(cr, x, y);
            else cairo_line_to(cr, x, y);
        }
        cairo_close_path(cr);
        cairo_stroke(cr);
    }
    for (std::size_t i = 0; i < n; ++i) {
        const auto [x, y] = point(i, 1);
        cairo_move_to(cr, cx, cy);
        cairo_line_to(cr, x, y);
        cairo_stroke(cr);
    }
    for (std::size_t i = 0; i < n; ++i) {
        const auto [x, y] = point(i, std::clamp(s.dimensions[i].percent, 0, 100) / 100.0);
        if (i == 0) cairo_move_to(cr, x, y);
        else cairo_line_to(cr, x, y);
    }
    cairo_close_path(cr);
    cairo_set_source_rgba(cr, kBar.r, kBar.g, kBar.b, 0.35);
    cairo_fill_preserve(cr);
    source(cr, kBar);
    cairo_set_line_width(cr, 1.6);
    cairo_stroke(cr);
    // The axes' names: French over Arabic, centred on a point beyond the tip.
    source(cr, kText);
    for (std::size_t i = 0; i < n; ++i) {
        const auto [x, y] = point(i, 1.18);
        const auto& d = s.dimensions[i];
        const std::string markup = escape(d.title.fr) + " " + escape(percent_text(d.percent));
        const auto fr = pdf::layout(cr, kAxisLabelW, markup, kSmallLatin, false);
        const auto ar = pdf::layout(cr, kAxisLabelW, escape(d.title.ar), kSmallArabic, true);
        pango_layout_set_alignment(fr.get(), PANGO_ALIGN_CENTER);
        pango_layout_set_alignment(ar.get(), PANGO_ALIGN_CENTER);
        const double h = pdf::height(fr.get()) + pdf::height(ar.get());
        const double left = std::clamp(x - kAxisLabelW / 2, pdf::kFormGeometry.margin, pdf::kFormGeometry.margin + pdf::kFormGeometry.width - kAxisLabelW);
        const double y0 = y - h / 2;
        pdf::draw(cr, left, pdf::draw(cr, left, y0, fr.get()), ar.get());
    }
}

}  // namespace

Result<std::string> render_score_report(const ReportFacts& f) {
    const ScoreReport& s = f.score;
    const auto at = std::chrono::sys_seconds(std::chrono::seconds(f.submitted_at_ms / 1000));
    pdf::Document doc(pdf::kA4Width, pdf::kA4Height, "Maturity report " + f.application_id, "idara-score " + f.application_id);
    cairo_t* cr = doc.cr();
    pdf::top_band(cr, pdf::kA4Width);
    pdf::Flow page(cr, pdf::kFormGeometry, pdf::kFormFonts, 36);

    auto title = [](Lang l) { return "<span size='x-large' weight='bold'>" + label(l, "scoring.report.title") + "</span>"; };
    page.add_row(title(Lang::fr), title(Lang::ar), 0);
    page.add_row("<b>" + escape(f.procedure_title.fr) + "</b>", "<b>" + escape(f.procedure_title.ar) + "</b>", 4);
    page.add_row(pair(Lang::fr, "scoring.report.company", f.subject), pair(Lang::ar, "scoring.report.company", f.subject), 12);
    if (!f.register_number.empty())
        page.add_row(pair(Lang::fr, "scoring.report.number", f.register_number),
                     pair(Lang::ar, "scoring.report.number", receipt::isolate_ltr(f.register_number)), 5);
    page.add_row(pair(Lang::fr, "scoring.report.application", f.application_id),
                 pair(Lang::ar, "scoring.report.application", receipt::isolate_ltr(f.application_id)), 5);
    if (f.submitted_at_ms > 0)
        page.add_row(pair(Lang::fr, "scoring.report.submitted_at", i18n::format_date(at, Lang::fr)),
                     pair(Lang::ar, "scoring.report.submitted_at", i18n::format_date(at, Lang::ar)), 5);

    // The result: the overall percentage, the level and what it means.
    auto big = [](const std::string& text) { return "<span size='x-large' weight='bold'>" + text + "</span>"; };
    page.add_row(pair(Lang::fr, "scoring.report.overall", "") + big(escape(percent_text(s.percent))),
                 pair(Lang::ar, "scoring.report.overall", "") + big(escape(receipt::isolate_ltr(percent_text(s.percent)))), 16);
    page.add_row(pair(Lang::fr, "scoring.report.level", "") + big(escape(s.level.title.fr)),
                 pair(Lang::ar, "scoring.report.level", "") + big(escape(s.level.title.ar)), 6);
    page.add_row(escape(s.level.summary.fr), escape(s.level.summary.ar), 4);

    // The charts: the Flow keeps them on one page each.
    auto heading = [&](const std::string& key, double gap) {
        page.add_row("<span size='large' weight='bold'>" + label(Lang::fr, key) + "</span>",
                     "<span size='large' weight='bold'>" + label(Lang::ar, key) + "</span>", gap);
    };
    // A chart's heading goes with it: both start a new page when the chart would not fit.
    heading("scoring.report.bars", page.place(kHeadingH + 8 + bar_chart_height(s), 18));
    const double bars_gap = page.place(bar_chart_height(s), 8);
    bar_chart(cr, page.y() + bars_gap, s);
    page.skip(bars_gap + bar_chart_height(s));
    if (s.dimensions.size() >= 3) {
        heading("scoring.report.radar", page.place(kHeadingH + 4 + kRadarH, 18));
        const double radar_gap = page.place(kRadarH, 4);
        radar_chart(cr, page.y() + radar_gap, s);
        page.skip(radar_gap + kRadarH);
        source(cr, kText);
    }

    // Each dimension, its percentage and its advice (or that the level is good).
    heading("scoring.report.details", page.place(kHeadingH + 40, 18));  // not alone at the foot of a page
    const double col = (pdf::kFormGeometry.width - pdf::kFormGeometry.gutter) / 2;
    for (const auto& d : s.dimensions) {
        const std::string pct = percent_text(d.percent);
        const std::string title_fr = "<b>" + escape(d.title.fr) + " — " + escape(pct) + "</b>";
        const std::string title_ar = "<b>" + escape(d.title.ar) + " — " + escape(receipt::isolate_ltr(pct)) + "</b>";
        const std::string fr = d.advised ? escape(d.advice.fr) : "<i>" + label(Lang::fr, "scoring.report.no_advice") + "</i>";
        const std::string ar = d.advised ? escape(d.advice.ar) : label(Lang::ar, "scoring.report.no_advice");
        // The title stays on the page of its advice.
        auto row_height = [&](const std::string& f_markup, const std::string& a_markup) {
            return std::max(pdf::height(pdf::layout(cr, col, f_markup, pdf::kFormFonts.latin, false).get()),
                            pdf::height(pdf::layout(cr, col, a_markup, pdf::kFormFonts.arabic, true).get()));
        };
        page.add_row(title_fr, title_ar, page.place(row_height(title_fr, title_ar) + 2 + row_height(fr, ar), 10));
        page.add_row(fr, ar, 2);
    }
    cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
    page.add_row("<i>" + label(Lang::fr, "scoring.report.note") + "</i>", label(Lang::ar, "scoring.report.note"), 18);
    return doc.finish();
}

}  // namespace idara::procedures
