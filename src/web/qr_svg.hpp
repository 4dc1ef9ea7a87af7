// A QR code (libqrencode, error correction M) as inline SVG for a page: one <path> of
// unit squares on a white background with a 4-module quiet zone, scaled by the viewBox,
// role="img" with the given accessible name (HTML-escaped here). Used for the TOTP
// enrolment's otpauth:// URI. Empty when the text cannot be encoded (over the QR capacity).
// Thread-safe (libqrencode's encoder keeps no shared state).
#pragma once

#include <string>
#include <string_view>

namespace idara::web {

std::string qr_svg(std::string_view text, std::string_view label, int size_px = 220);

}  // namespace idara::web
