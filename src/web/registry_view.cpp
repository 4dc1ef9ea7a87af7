#include "web/registry_view.hpp"

#include "web/deposit_form.hpp"
#include "web/format.hpp"

namespace idara::web::detail {
std::string service_message(i18n::Lang l, const Error& e) {
    const std::string key = "error." + e.code;
    return msg_or(l, key, msg(l, "web.deposit.error.generic"));
}

std::string status_label(i18n::Lang l, registry::EntryStatus s) {
    return msg(l, "registry.status." + std::string(registry::status_name(s)));
}

std::string event_label(i18n::Lang l, const std::string& kind) {
    return msg_or(l, "registry.event." + kind, kind);
}

std::string channel_label(i18n::Lang l, registry::Channel c) {
    return msg(l, "registry.channel." + std::string(registry::channel_name(c)));
}

std::string deadline_text(i18n::Lang l, const registry::DepositType& t) {
    const auto& cat = i18n::catalogue();
    std::string s = cat.format(l, t.working_days ? "web.deposit.type.deadline_working" : "web.deposit.type.deadline_calendar",
                               {{"days", std::to_string(t.deadline_days)}});
    if (t.silence_is_approval) s += " " + msg(l, "web.deposit.type.silence_approval");
    return s;
}

Data type_items(i18n::Lang l, const std::vector<registry::DepositType>& types, const std::string& selected,
                const std::string& field) {
    Data list{Data::type::list};
    int n = 0;
    for (const auto& t : types) {
        ++n;
        Data item;
        item.set("id", n == 1 ? field : field + "-" + std::to_string(n));
        item.set("value", t.code);
        item.set("label", pick(l, t.name_ar, t.name_fr));
        item.set("hint", deadline_text(l, t));
        item.set("checked", t.code == selected);
        list.push_back(item);
    }
    return list;
}

void set_limits(Data& d, i18n::Lang l, const registry::AttachmentLimits& limits) {
    // The message is escaped first, then its numbers go in as <bdi dir="ltr"> ("5.0 MB" must not
    // read "MB 5.0" in Arabic): limits_html is inserted as HTML.
    const std::string text = html_escape(i18n::catalogue().format(
        l, "web.deposit.files.limits", {{"count", "@1@"}, {"size", "@2@"}, {"total", "@3@"}}));
    const std::pair<const char*, std::string> values[] = {
        {"@1@", bdi_ltr(std::to_string(limits.max_count))},
        {"@2@", bdi_ltr(format_size(static_cast<std::int64_t>(limits.max_bytes)))},
        {"@3@", bdi_ltr(format_size(static_cast<std::int64_t>(limits.max_total_bytes)))}};
    std::string out = text;
    for (const auto& [marker, html] : values)
        for (auto pos = out.find(marker); pos != std::string::npos; pos = out.find(marker, pos + html.size()))
            out.replace(pos, std::string_view(marker).size(), html);
    d.set("limits_html", out);
}

std::string status_tag(i18n::Lang l, registry::EntryStatus s) {
    const bool cancelled = s == registry::EntryStatus::cancelled;
    return std::string("<strong class=\"tag") + (cancelled ? " tag--cancelled" : "") + "\">" +
           html_escape(status_label(l, s)) + "</strong>";
}

std::map<std::string, std::string> administration_names(identity::Service& ids, i18n::Lang l) {
    std::map<std::string, std::string> out;
    if (auto all = ids.list_administrations())
        for (const auto& a : *all) out[a.code] = pick(l, a.name_ar, a.name_fr);
    return out;
}

Data entry_rows(i18n::Lang l, const std::vector<registry::EntrySummary>& entries,
                const std::map<std::string, std::string>& admin_names) {
    Data list{Data::type::list};
    for (const auto& e : entries) {
        Data row;
        row.set("number_html", bdi_ltr(e.register_number));
        row.set("href", "/deposits/" + http::url_encode(e.register_number));
        row.set("subject_html", bdi_auto(e.subject));
        auto it = admin_names.find(e.administration_code);
        row.set("admin", it != admin_names.end() ? it->second : e.administration_code);
        row.set("date", format_date_time(from_ms(e.registered_at_ms), l));
        row.set("status_html", status_tag(l, e.status));
        list.push_back(row);
    }
    return list;
}

void add_error(std::vector<FieldError>& summary, Data& d, const std::string& field, const std::string& message) {
    d.set(field + "_error", message);
    summary.push_back({field, message});
}

}  // namespace idara::web::detail
