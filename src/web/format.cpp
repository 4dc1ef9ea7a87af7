#include "web/format.hpp"

#include "core/dates.hpp"
#include "web/render.hpp"

namespace idara::web {

std::string bdi_ltr(std::string_view text) { return "<bdi dir=\"ltr\">" + html_escape(text) + "</bdi>"; }

std::string bdi_auto(std::string_view text) { return "<bdi>" + html_escape(text) + "</bdi>"; }

std::string format_html(i18n::Lang l, std::string_view key,
                        const std::vector<std::pair<std::string, std::string>>& html_args) {
    // Each argument goes in as a control-character mark that escaping leaves alone, then the mark
    // is replaced by its HTML.
    std::vector<std::pair<std::string, std::string>> marks;
    for (std::size_t i = 0; i < html_args.size(); ++i)
        marks.emplace_back(html_args[i].first, std::string("\x01") + static_cast<char>('A' + i) + "\x02");
    std::string out = html_escape(i18n::catalogue().format(l, key, marks));
    for (std::size_t i = 0; i < html_args.size(); ++i) {
        const std::string& mark = marks[i].second;
        for (auto at = out.find(mark); at != std::string::npos; at = out.find(mark, at + html_args[i].second.size()))
            out.replace(at, mark.size(), html_args[i].second);
    }
    return out;
}

std::string format_date(std::chrono::sys_seconds t, i18n::Lang l) { return i18n::format_date(t, l); }

std::string format_date_time(std::chrono::sys_seconds t, i18n::Lang l) { return i18n::format_date_time(t, l); }

}  // namespace idara::web
