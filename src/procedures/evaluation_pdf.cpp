// The ranking decision's page (evaluation.hpp, render_decision_pdf): the administration, a bilingual
// title, the call, the method (criteria, reviews, pass mark) as French|Arabic rows, the ranking as a
// table of bilingual cells (its header repeated on every page), who drew it up, and the closing
// line. The bottom kStampRoom points of the last page stay empty: the parapheur stamps the visas,
// signatures and seal there (parapheur/stamp_layout.hpp: a grid from the bottom right, 76-point
// rows from 24 points up; three stamps fill two rows, up to 184 points).
#include "procedures/evaluation.hpp"

#include "core/dates.hpp"
#include "core/i18n.hpp"
#include "receipt/pdf_text.hpp"
#include "receipt/render.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <string>
#include <vector>

namespace idara::procedures {

namespace {

using i18n::Lang;
namespace pdf = receipt::pdf;
using pdf::escape;
using pdf::label;

constexpr double kStampRoom = 200;  // kept free at the bottom of the last page
constexpr const char* kCellLatin = "Noto Sans, Noto Naskh Arabic 8";
constexpr const char* kCellArabic = "Noto Naskh Arabic, Noto Sans 8";
constexpr double kPad = 3;

std::string fmt(Lang l, const char* key, const std::vector<std::pair<std::string, std::string>>& args) {
    return escape(i18n::catalogue().format(l, key, args));
}

// Basis points as a percent with one decimal, French style: 8350 -> "83,5 %" (rounded half up).
std::string percent(int bp) {
    const int tenths = (std::clamp(bp, 0, 10000) + 5) / 10;
    return std::to_string(tenths / 10) + "," + std::to_string(tenths % 10) + "\u00a0%";  // no-break space
}

// The ranking table: five columns, each cell holding French markup above Arabic markup (either
// may be empty). Widths in points; the subject column takes what is left.
constexpr std::array<double, 5> kCols{34, 114, 0, 50, 124};

double col_width(std::size_t i) {
    if (i != 2) return kCols[i];
    double rest = pdf::kFormGeometry.width;
    for (double w : kCols) rest -= w;
    return rest;
}

struct Cell {
    std::string fr, ar;
};

struct LaidRow {
    std::vector<std::pair<pdf::Layout, pdf::Layout>> cells;  // French, Arabic (null when empty)
    double height = 0;
};

LaidRow lay_out(cairo_t* cr, const std::array<Cell, 5>& cells) {
    LaidRow r;
    for (std::size_t i = 0; i < cells.size(); ++i) {
        const double w = col_width(i) - 2 * kPad;
        pdf::Layout fr = cells[i].fr.empty() ? nullptr : pdf::layout(cr, w, cells[i].fr, kCellLatin, false);
        pdf::Layout ar = cells[i].ar.empty() ? nullptr : pdf::layout(cr, w, cells[i].ar, kCellArabic, true);
        const double h = (fr ? pdf::height(fr.get()) : 0) + (ar ? pdf::height(ar.get()) : 0) + 2 * kPad;
        r.height = std::max(r.height, h);
        r.cells.emplace_back(std::move(fr), std::move(ar));
    }
    return r;
}

// Draws a laid-out row with its top at y, a rule below it, optionally on a shaded background.
void draw_row(cairo_t* cr, double y, const LaidRow& r, bool shaded) {
    const double width = pdf::kFormGeometry.width;
    cairo_save(cr);
    if (shaded) {
        cairo_set_source_rgb(cr, 0.9, 0.94, 0.92);
        cairo_rectangle(cr, pdf::kFormGeometry.margin, y, width, r.height);
        cairo_fill(cr);
    }
    cairo_set_source_rgb(cr, 0.7, 0.7, 0.7);
    cairo_set_line_width(cr, 0.5);
    cairo_move_to(cr, pdf::kFormGeometry.margin, y + r.height);
    cairo_line_to(cr, pdf::kFormGeometry.margin + width, y + r.height);
    cairo_stroke(cr);
    cairo_restore(cr);
    double x = pdf::kFormGeometry.margin;
    for (std::size_t i = 0; i < r.cells.size(); ++i) {
        double cy = y + kPad;
        if (r.cells[i].first) cy = pdf::draw(cr, x + kPad, cy, r.cells[i].first.get());
        if (r.cells[i].second) pdf::draw(cr, x + kPad, cy, r.cells[i].second.get());
        x += col_width(i);
    }
}

// Places and draws a row in the flow: on a new page when it does not fit, where the header is
// drawn again first.
void table_row(pdf::Flow& flow, const LaidRow& header, const LaidRow& row, double gap) {
    const int before = flow.pages();
    gap = flow.place(row.height, gap);
    if (flow.pages() != before) {
        draw_row(flow.cr(), flow.y(), header, true);
        flow.skip(header.height);
        gap = flow.place(row.height, 0);
    }
    draw_row(flow.cr(), flow.y() + gap, row, false);
    flow.skip(gap + row.height);
}

const Text& outcome_name(const DecisionFacts& f, Outcome o) { return o == Outcome::granted ? f.granted : f.refused; }

}  // namespace

Result<std::string> render_decision_pdf(const DecisionFacts& f) {
    const std::string id = std::to_string(f.decision_id);
    const auto at = std::chrono::sys_seconds(std::chrono::seconds(f.drawn_up_at_ms / 1000));
    pdf::Document doc(pdf::kA4Width, pdf::kA4Height, "Decision " + id + " " + f.procedure_code,
                      "idara-evaluation-decision " + id);
    cairo_t* cr = doc.cr();
    pdf::top_band(cr, pdf::kA4Width);
    pdf::Flow flow(cr, pdf::kFormGeometry, pdf::kFormFonts, 36);

    // The administration, the title, the decision's number and the call.
    flow.add_row("<b>" + escape(f.administration_name_fr) + "</b>", "<b>" + escape(f.administration_name_ar) + "</b>", 0);
    auto title = [](Lang l) { return "<span size='x-large' weight='bold'>" + label(l, "decision_pdf.title") + "</span>"; };
    flow.add_row(title(Lang::fr), title(Lang::ar), 10);
    flow.add_row(fmt(Lang::fr, "decision_pdf.number", {{"id", id}}),
                 fmt(Lang::ar, "decision_pdf.number", {{"id", receipt::isolate_ltr(id)}}), 4);
    flow.add_row(fmt(Lang::fr, "decision_pdf.call", {{"title", f.procedure_title.fr}, {"code", f.procedure_code}}),
                 fmt(Lang::ar, "decision_pdf.call",
                     {{"title", f.procedure_title.ar}, {"code", receipt::isolate_ltr("(" + f.procedure_code + ")")}}),
                 4);

    // The method.
    flow.add_row("<b>" + label(Lang::fr, "decision_pdf.method") + "</b>", "<b>" + label(Lang::ar, "decision_pdf.method") + "</b>",
                 12);
    for (const auto& c : f.criteria) {
        const std::string max = std::to_string(c.max), weight = std::to_string(c.weight);
        flow.add_row("• " + fmt(Lang::fr, "decision_pdf.criterion", {{"title", c.title.fr}, {"max", max}, {"weight", weight}}),
                     "• " + fmt(Lang::ar, "decision_pdf.criterion", {{"title", c.title.ar}, {"max", max}, {"weight", weight}}),
                     4);
    }
    const std::string reviews = std::to_string(f.reviews), pass = std::to_string(f.pass_mark) + " %";
    flow.add_row(fmt(Lang::fr, "decision_pdf.reviews", {{"reviews", reviews}}),
                 fmt(Lang::ar, "decision_pdf.reviews", {{"reviews", reviews}}), 6);
    flow.add_row(fmt(Lang::fr, "decision_pdf.pass_mark", {{"pass_mark", pass}}),
                 fmt(Lang::ar, "decision_pdf.pass_mark", {{"pass_mark", receipt::isolate_ltr(pass)}}), 4);

    // The ranking.
    flow.add_row("<b>" + label(Lang::fr, "decision_pdf.ranking") + "</b>", "<b>" + label(Lang::ar, "decision_pdf.ranking") + "</b>",
                 12);
    std::array<Cell, 5> head;
    const char* keys[] = {"decision_pdf.col.rank", "decision_pdf.col.register", "decision_pdf.col.subject",
                          "decision_pdf.col.score", "decision_pdf.col.outcome"};
    for (std::size_t i = 0; i < head.size(); ++i)
        head[i] = {"<b>" + label(Lang::fr, keys[i]) + "</b>", "<b>" + label(Lang::ar, keys[i]) + "</b>"};
    const LaidRow header = lay_out(cr, head);
    int granted = 0, refused = 0;
    std::vector<LaidRow> rows;
    for (const auto& line : f.lines) {
        (line.outcome == Outcome::granted ? granted : refused)++;
        const Text& outcome = outcome_name(f, line.outcome);
        const bool yes = line.outcome == Outcome::granted;
        rows.push_back(lay_out(cr, {Cell{std::to_string(line.rank), ""}, Cell{escape(line.register_number), ""},
                                    Cell{escape(line.subject_fr), escape(line.subject_ar)},
                                    Cell{percent(line.score_bp), ""},
                                    Cell{(yes ? "<b>" : "") + escape(outcome.fr) + (yes ? "</b>" : ""), escape(outcome.ar)}}));
    }
    // The header stays with the first line.
    const double gap = flow.place(header.height + (rows.empty() ? 0 : rows.front().height), 6);
    draw_row(cr, flow.y() + gap, header, true);
    flow.skip(gap + header.height);
    for (const auto& row : rows) table_row(flow, header, row, 0);
    if (f.lines.empty())
        flow.add_row("<i>" + label(Lang::fr, "decision_pdf.empty") + "</i>", label(Lang::ar, "decision_pdf.empty"), 6);

    // The closing block (counts, who drew it up, when it takes effect) must end above the stamps'
    // room on what becomes the last page: it goes to a new page when it would not.
    auto count = [&](Lang l, const Text& name, int n) {
        const std::string v = std::to_string(n);
        return fmt(l, "decision_pdf.count", {{"name", l == Lang::fr ? name.fr : name.ar}, {"count", v}});
    };
    const std::vector<std::pair<std::string, std::string>> closing{
        {count(Lang::fr, f.granted, granted) + "\n" + count(Lang::fr, f.refused, refused),
         count(Lang::ar, f.granted, granted) + "\n" + count(Lang::ar, f.refused, refused)},
        {fmt(Lang::fr, "decision_pdf.drawn_up", {{"name", f.drawn_up_by}, {"date", i18n::format_date_time(at, Lang::fr)}}),
         fmt(Lang::ar, "decision_pdf.drawn_up", {{"name", f.drawn_up_by}, {"date", i18n::format_date_time(at, Lang::ar)}})},
        {"<i>" + label(Lang::fr, "decision_pdf.effect") + "</i>", label(Lang::ar, "decision_pdf.effect")},
    };
    constexpr double kClosingGaps[] = {10, 8, 6};
    const double col = (pdf::kFormGeometry.width - pdf::kFormGeometry.gutter) / 2;
    double needed = 0;
    for (std::size_t i = 0; i < closing.size(); ++i) {
        const auto fr = pdf::layout(cr, col, closing[i].first, pdf::kFormFonts.latin, false);
        const auto ar = pdf::layout(cr, col, closing[i].second, pdf::kFormFonts.arabic, true);
        needed += kClosingGaps[i] + std::max(pdf::height(fr.get()), pdf::height(ar.get()));
    }
    if (flow.y() + needed > pdf::kA4Height - kStampRoom) flow.place(2 * pdf::kA4Height, 0);  // a block that never fits: a new page
    for (std::size_t i = 0; i < closing.size(); ++i) {
        if (i == 2) cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
        flow.add_row(closing[i].first, closing[i].second, kClosingGaps[i]);
    }
    return doc.finish();
}

}  // namespace idara::procedures
