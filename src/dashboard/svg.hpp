// Server-rendered SVG charts for the dashboards: no JavaScript, no external resources.
//
// Each chart is one well-formed <svg> element (XML: it parses on its own, and inline in
// HTML) with role="img", aria-labelledby pointing at its <title> and <desc>, a fixed
// viewBox (it scales to its container), axis lines with ticks, and every value printed on
// or beside its bar so nothing depends on colour alone. All text is XML-escaped.
//
// Direction: the chart itself is always laid out left to right (time runs left to right),
// even inside an Arabic (rtl) page: the root carries direction="ltr". Each label is a
// <text> isolated with unicode-bidi="isolate" and direction="rtl" when its first strong
// letter is Arabic (or Hebrew), else "ltr"; its anchor is chosen so it lands on the same
// side either way.
//
// Colours: text #0b0c0c on white; bars from kPalette, each ≥ 4.5:1 against white (WCAG AA
// for text, more than the 3:1 needed for graphics); see contrast_ratio().
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace idara::dashboard::svg {

// Bar colours, in series order.
inline constexpr const char* kPalette[] = {"#1a4f8b", "#a3470b", "#00703c", "#6f3c8f"};
inline constexpr const char* kTextColour = "#0b0c0c";

struct Series {
    std::string name;              // in the legend
    std::vector<double> values;    // one per category
};

// Vertical bars, one group per category (e.g. weeks), one bar per series in each group.
struct GroupedBarChart {
    std::string id;                // unique in the page: "chart-weeks" (ids "<id>-title", "<id>-desc")
    std::string title, desc;
    std::vector<std::string> categories;
    std::vector<Series> series;
};

// Horizontal bars, one per labelled value (labels on the left, may be long or Arabic).
struct BarChart {
    std::string id;
    std::string title, desc;
    struct Bar {
        std::string label;
        double value = 0;
    };
    std::vector<Bar> bars;
    std::string empty_text;        // shown inside the chart when there are no bars
};

std::string grouped_bar_chart(const GroupedBarChart& c);
std::string bar_chart(const BarChart& c);

// ---- Helpers, public for the tests.

// Escapes & < > " ' for XML text and attribute values.
std::string escape(std::string_view s);
// True when the first strong character of `s` (UTF-8) is right-to-left (Arabic, Hebrew, ...).
bool starts_rtl(std::string_view s);
// "12", "3.5": integers without decimals, others with one.
std::string number(double v);
// A "nice" upper bound for an axis holding values up to `max` (1, 2, 5 × 10^k), and its tick step.
struct Scale {
    double top = 1, step = 1;
};
Scale nice_scale(double max, int ticks = 5);
// WCAG 2 contrast ratio of two "#rrggbb" colours (1 to 21).
double contrast_ratio(std::string_view a, std::string_view b);

}  // namespace idara::dashboard::svg
