// Internal to the registry office pages: labels, messages and pieces of page
// data shared by the deposit journey, the counter, the lists, tracking and
// verification.
#pragma once

#include "identity/service.hpp"
#include "registry/deposit.hpp"
#include "web/page.hpp"
#include "web/render.hpp"

#include <map>
#include <string>
#include <vector>

namespace idara::web::detail {

// The message of a service error: its catalogue text error.<code> when there is one,
// else a generic "could not be registered" message (never a raw key).
std::string service_message(i18n::Lang l, const Error& e);

// Translated labels (catalogue registry.* with a readable fallback).
std::string status_label(i18n::Lang l, registry::EntryStatus s);
std::string event_label(i18n::Lang l, const std::string& kind);
std::string channel_label(i18n::Lang l, registry::Channel c);
inline const std::string& pick(i18n::Lang l, const std::string& ar, const std::string& fr) {
    return l == i18n::Lang::ar ? ar : fr;
}

// "Processing deadline: 60 calendar days" (+ "silence means approval" when so).
std::string deadline_text(i18n::Lang l, const registry::DepositType& t);

// Radio items for the deposit types: {id, value, label, hint, checked}. The first item's id
// is `field` (the error summary links to it), then field-2, field-3 …
Data type_items(i18n::Lang l, const std::vector<registry::DepositType>& types, const std::string& selected,
                const std::string& field = "type");

// Sets limits_html (what may be attached, numbers in <bdi dir="ltr">) in `d`.
void set_limits(Data& d, i18n::Lang l, const registry::AttachmentLimits& limits);

// The status tag HTML (<strong class="tag tag--cancelled">…</strong>).
std::string status_tag(i18n::Lang l, registry::EntryStatus s);

// The directory: administration code → name in `l` (empty on a storage error).
std::map<std::string, std::string> administration_names(identity::Service& ids, i18n::Lang l);

// Rows of an entry list {number, number_html, href, subject_html, admin, date, status_html}.
Data entry_rows(i18n::Lang l, const std::vector<registry::EntrySummary>& entries,
                const std::map<std::string, std::string>& admin_names);

// Sets the fields of one error: `<field>_error` in d and a summary line.
void add_error(std::vector<FieldError>& summary, Data& d, const std::string& field, const std::string& message);

}  // namespace idara::web::detail
