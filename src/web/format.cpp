#include "web/format.hpp"

#include "core/dates.hpp"
#include "web/render.hpp"

namespace idara::web {

std::string bdi_ltr(std::string_view text) { return "<bdi dir=\"ltr\">" + html_escape(text) + "</bdi>"; }

std::string bdi_auto(std::string_view text) { return "<bdi>" + html_escape(text) + "</bdi>"; }

std::string format_date(std::chrono::sys_seconds t, i18n::Lang l) { return i18n::format_date(t, l); }

std::string format_date_time(std::chrono::sys_seconds t, i18n::Lang l) { return i18n::format_date_time(t, l); }

}  // namespace idara::web
