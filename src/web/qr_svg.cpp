#include "web/qr_svg.hpp"

#include "web/render.hpp"

#include <qrencode.h>

#include <memory>
#include <string>

namespace idara::web {

std::string qr_svg(std::string_view text, std::string_view label, int size_px) {
    constexpr int kQuiet = 4;
    const std::string input(text);
    std::unique_ptr<QRcode, decltype(&QRcode_free)> qr(QRcode_encodeString8bit(input.c_str(), 0, QR_ECLEVEL_M),
                                                        &QRcode_free);
    if (!qr) return {};
    const int n = qr->width, side = n + 2 * kQuiet;
    std::string path;
    for (int r = 0; r < n; ++r)
        for (int c = 0; c < n; ++c)
            if (qr->data[r * n + c] & 1)
                path += "M" + std::to_string(c + kQuiet) + " " + std::to_string(r + kQuiet) + "h1v1h-1z";
    const std::string s = std::to_string(side), px = std::to_string(size_px);
    return "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"qr\" role=\"img\" aria-label=\"" + html_escape(label) +
           "\" width=\"" + px + "\" height=\"" + px + "\" viewBox=\"0 0 " + s + " " + s +
           "\" shape-rendering=\"crispEdges\"><rect width=\"" + s + "\" height=\"" + s +
           "\" fill=\"#fff\"/><path fill=\"#000\" d=\"" + path + "\"/></svg>";
}

}  // namespace idara::web
