// Searching the register: full text (Arabic and French) and filters, for one viewer.
//
// search(db, query, viewer) runs in one read transaction and returns a page of entries
// plus how many match in all.
//
// Visibility, applied to every query and to the count (docs/design/search.md):
//   - tenant: only entries of viewer.administration_id, always;
//   - an entry is visible when one of viewer.unit_ids is among its units (entry_units,
//     any role), or — if it is NOT confidential — when viewer.sees_all_units (registry
//     clerk, administration admin, unit-less roles);
//   - confidential entries (entry_flow.confidential = 1) therefore reach only the units
//     they are assigned to; nobody else sees or counts them.
//   A viewer with no unit and without sees_all_units sees nothing (an empty page).
//
// SearchQuery:
//   text         words to find (query_text.hpp: at most 200 characters; the last word is a
//                prefix); empty or blank: filters only;
//   states       entry_flow.state values (any of them); empty: all;
//   lead_unit_id entry_flow.lead_unit_id; type_code entries.type_code;
//   registered_from (inclusive) / registered_to (exclusive), ms UTC;
//   overdue      due_at < now_ms and state not answered/rejected/transferred/closed/cancelled
//                (now_ms must then be > 0);
//   limit 1..kMaxLimit (default 20), offset 0..kMaxCount;
//   order        best: relevance when there is text, newest otherwise; newest: registration
//                time, latest first; due: due date, soonest first. With text, "newest"
//                and the fallback below follow the entry id (registration order).
//                On SQLite, text that matches more than kMaxRanked documents of the whole
//                index is listed newest first (by_relevance = false): ask for more words.
// Result: rows of the page, `total` matching entries counted up to kMaxCount, and
// `total_capped` when there are more than that ("more than 2 000": counting further costs
// one row visit per entry, search/bench figures in docs/design/search.md).
// Rows carry a snippet (normalized text around the first matching word) when there is text.
//
// Errors (bilingual messages in web/i18n/*/search.json):
//   search.query  (400) text over 200 characters, or nothing searchable in it;
//   search.filter (400) unknown state, limit/offset out of range, registered_from after
//                       registered_to, type code over 64 bytes, overdue without now_ms,
//                       more than kMaxViewerUnits viewer units;
//   plus storage errors.
//
// Thread-safety: search() may be called from any number of threads (Database is thread-safe).
#pragma once

#include "core/error.hpp"
#include "storage/db.hpp"

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace idara::search {

inline constexpr int kDefaultLimit = 20;
inline constexpr int kMaxLimit = 100;
inline constexpr std::int64_t kMaxCount = 2'000;
inline constexpr std::size_t kMaxViewerUnits = 500;
// SQLite: text matching more index documents than this (before visibility) is listed newest
// first instead of by relevance: bm25 costs one score per match, and a frequent word matches
// a large part of the register.
inline constexpr std::int64_t kMaxRanked = 1'000;

enum class Order { best, newest, due };

struct SearchQuery {
    std::string text;
    std::set<std::string> states;
    std::optional<std::int64_t> lead_unit_id;
    std::optional<std::string> type_code;
    std::optional<std::int64_t> registered_from;  // ms, inclusive
    std::optional<std::int64_t> registered_to;    // ms, exclusive
    bool overdue = false;
    std::int64_t now_ms = 0;
    int limit = kDefaultLimit;
    std::int64_t offset = 0;
    Order order = Order::best;
};

struct Viewer {
    std::int64_t administration_id = 0;
    std::vector<std::int64_t> unit_ids;
    bool sees_all_units = false;
};

struct SearchRow {
    std::int64_t entry_id = 0;
    std::string register_number;
    std::string subject;
    std::string state;
    std::string type_code;
    std::int64_t registered_at = 0;
    std::int64_t due_at = 0;  // entry_flow.due_at (moves after a pause)
    std::optional<std::int64_t> lead_unit_id;
    bool confidential = false;
    std::string snippet;  // empty without text
};

struct SearchPage {
    std::vector<SearchRow> rows;
    std::int64_t total = 0;    // min(matching entries, kMaxCount)
    bool total_capped = false;  // more than kMaxCount match
    bool by_relevance = false;  // rows are in relevance order (text, Order::best, not too many matches)
};

Result<SearchPage> search(storage::Database& db, const SearchQuery& q, const Viewer& viewer);

}  // namespace idara::search
