// The visible part of a signature: a rectangle on a page with a few lines of
// text (Arabic and/or French), rendered with cairo + pango (Noto Naskh Arabic,
// Noto Sans; Arabic lines right-to-left with Latin/date tokens isolated) into an
// RGB image at about three times the rectangle's size. The PDF signer puts that
// image in the widget's appearance stream (/AP /N) as an image XObject, so no font
// is embedded by the incremental update; the same text goes to /TU and /Contents.
//
// Errors: trust.sign_stamp (400) for a non-positive or absurd size or no line.
// Thread-safety: pure functions (pango/cairo objects are per call).
#pragma once

#include "core/error.hpp"

#include <string>
#include <vector>

namespace idara::trust {

struct VisibleStamp {
    int page = 1;                      // 1-based
    double x = 0, y = 0;               // bottom-left corner, PDF points from the page's bottom-left
    double width = 0, height = 0;      // PDF points
    std::vector<std::string> lines;    // UTF-8
};

struct StampImage {
    int width = 0, height = 0;         // pixels
    std::string rgb;                   // width*height*3 bytes, row-major, top row first
};

// Renders the lines into an image of the stamp's size times `scale` (a thin frame, white
// background, one line per entry, shrunk to fit).
Result<StampImage> render_stamp(const VisibleStamp& s, double scale = 3.0);

// The same text as one string for /TU and /Contents (lines joined with a newline).
std::string stamp_text(const VisibleStamp& s);

}  // namespace idara::trust
