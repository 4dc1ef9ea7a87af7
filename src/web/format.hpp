// Small formatting helpers for text shown to people, in Arabic or French.
//
// Bidi: inside Arabic (right-to-left) text, left-to-right tokens such as
// dates in digits, reference numbers, phone numbers, e-mail addresses and
// codes reorder ("2024-05-14" reads as "14-05-2024"). Wrap each such token
// in <bdi dir="ltr"> (the stylesheet keeps it on one line). Names typed by
// people may be in either script: wrap them in a plain <bdi> so the browser
// isolates them and picks their direction from their first strong letter.
//
// Dates are shown in Morocco's time (Africa/Casablanca) with ICU, with the
// ar-MA locale (Western digits, Moroccan month names: "15 يوليوز 2025") or
// fr-MA ("15 juillet 2025").
//
// Thread-safety: every function may be called from any thread.
#pragma once

#include "core/i18n.hpp"

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace idara::web {

// <bdi dir="ltr">text</bdi>, text HTML-escaped.
std::string bdi_ltr(std::string_view text);
// <bdi>text</bdi>, text HTML-escaped (direction from the content).
std::string bdi_auto(std::string_view text);

// The catalogue message `key` in `l`, HTML-escaped, with its {placeholders} replaced by the given
// HTML (built with bdi_ltr, bdi_auto…): numbers and names inside translated sentences stay isolated.
std::string format_html(i18n::Lang l, std::string_view key,
                        const std::vector<std::pair<std::string, std::string>>& html_args);

// "15 يوليوز 2025" / "15 juillet 2025" (the day in Africa/Casablanca).
std::string format_date(std::chrono::sys_seconds t, i18n::Lang l);
// The same with the local time: "15 يوليوز 2025، 14:05" / "15 juillet 2025 à 14:05".
std::string format_date_time(std::chrono::sys_seconds t, i18n::Lang l);

}  // namespace idara::web
