#include "search/search.hpp"

#include "search/query_text.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <string_view>

namespace idara::search {
namespace {

using storage::Backend;

constexpr std::array<std::string_view, 9> kStates = {"registered", "assigned",    "in_progress",
                                                     "missing_documents", "answered", "rejected",
                                                     "transferred", "closed",     "cancelled"};
constexpr std::string_view kOpenStates =
    "f.state NOT IN ('answered', 'rejected', 'transferred', 'closed', 'cancelled')";

Error filter_error(std::string detail) { return {"search.filter", 400, std::move(detail)}; }

Status validate(const SearchQuery& q, const Viewer& v) {
    for (const auto& s : q.states)
        if (std::find(kStates.begin(), kStates.end(), s) == kStates.end()) return filter_error("unknown state " + s);
    if (q.limit < 1 || q.limit > kMaxLimit) return filter_error("limit out of 1.." + std::to_string(kMaxLimit));
    if (q.offset < 0 || q.offset > kMaxCount) return filter_error("offset out of range");
    if (q.registered_from && q.registered_to && *q.registered_from > *q.registered_to)
        return filter_error("registered_from after registered_to");
    if (q.type_code && (q.type_code->empty() || q.type_code->size() > 64)) return filter_error("type code length");
    if (q.overdue && q.now_ms <= 0) return filter_error("overdue needs now_ms");
    if (v.unit_ids.size() > kMaxViewerUnits) return filter_error("too many viewer units");
    return {};
}

// SQL text with its parameters; values only ever travel as parameters.
struct Sql {
    std::string text;
    storage::Params params;
    std::string param(storage::Value v) {
        params.push_back(std::move(v));
        return "$" + std::to_string(params.size());
    }
    template <class It>
    std::string list(It first, It last) {
        std::string out;
        for (; first != last; ++first) out += (out.empty() ? "" : ", ") + param(*first);
        return out;
    }
};

// What the FROM clause must join.
struct Shape {
    bool text = false;      // the search index
    bool entries = false;   // entries (page columns, type and date filters)
    bool by_rank = false;   // relevance order (SQLite: bm25, PostgreSQL: ts_rank)
};

// FROM … WHERE … for the page or the count; `order` receives the ORDER BY. On SQLite the
// index drives the join (CROSS JOIN fixes the order: the planner otherwise probes the FTS
// table once per entry of the administration).
Sql where_clause(Backend b, const SearchQuery& q, const ParsedQuery& pq, const Viewer& v,
                 const std::set<std::int64_t>& units, const Shape& shape, std::string& order) {
    Sql s;
    const bool sqlite = b == Backend::sqlite;
    std::string where;
    if (shape.text) {
        if (sqlite) {
            s.text = " FROM entry_search s CROSS JOIN entry_flow f ON f.entry_id = s.rowid";
            if (shape.entries) s.text += " CROSS JOIN entries e ON e.id = s.rowid";
            where = "entry_search MATCH " + s.param(fts5_match(pq));
            order = shape.by_rank ? "s.rank, s.rowid DESC" : "s.rowid DESC";
        } else {
            s.text = " FROM entry_search s JOIN entry_flow f ON f.entry_id = s.entry_id";
            if (shape.entries) s.text += " JOIN entries e ON e.id = s.entry_id";
            const std::string tsq = "to_tsquery('simple', " + s.param(pg_tsquery(pq)) + ")";
            where = "s.tsv @@ " + tsq;
            order = shape.by_rank ? "ts_rank(s.tsv, " + tsq + ") DESC, s.entry_id DESC" : "s.entry_id DESC";
        }
    } else {
        s.text = shape.entries ? " FROM entries e JOIN entry_flow f ON f.entry_id = e.id" : " FROM entry_flow f";
        where = "1 = 1";
        order = "e.registered_at DESC, e.id DESC";
    }
    if (q.order == Order::due) order = "f.due_at, f.entry_id";

    // Tenant boundary (entries too when joined), then visibility.
    const std::string adm = s.param(v.administration_id);
    where += " AND f.administration_id = " + adm;
    if (shape.entries) where += " AND e.administration_id = " + adm;
    const std::string assigned =
        units.empty() ? "" : "EXISTS (SELECT 1 FROM entry_units u WHERE u.entry_id = f.entry_id AND u.unit_id IN (" +
                                 s.list(units.begin(), units.end()) + "))";
    if (v.sees_all_units)
        where += assigned.empty() ? " AND f.confidential = 0" : " AND (f.confidential = 0 OR " + assigned + ")";
    else
        where += " AND " + assigned;

    if (!q.states.empty()) where += " AND f.state IN (" + s.list(q.states.begin(), q.states.end()) + ")";
    if (q.lead_unit_id) where += " AND f.lead_unit_id = " + s.param(*q.lead_unit_id);
    if (q.type_code) where += " AND e.type_code = " + s.param(*q.type_code);
    if (q.registered_from) where += " AND e.registered_at >= " + s.param(*q.registered_from);
    if (q.registered_to) where += " AND e.registered_at < " + s.param(*q.registered_to);
    if (q.overdue) where += " AND f.due_at < " + s.param(q.now_ms) + " AND " + std::string(kOpenStates);
    s.text += " WHERE " + where;
    return s;
}

// Whether the text matches few enough documents (before visibility) to rank them all.
Result<bool> few_matches(storage::Tx& tx, const ParsedQuery& pq) {
    if (tx.backend() != Backend::sqlite) return true;
    auto n = tx.query_one("SELECT count(*) FROM (SELECT 1 FROM entry_search WHERE entry_search MATCH $1 LIMIT $2) t",
                          {fts5_match(pq), std::int64_t{kMaxRanked + 1}});
    if (!n) return n.error();
    return *n && (*n)->as_int(0) <= kMaxRanked;
}

SearchRow to_row(const storage::Row& r) {
    SearchRow out;
    out.entry_id = r.as_int(0);
    out.register_number = r.as_text(1);
    out.subject = r.as_text(2);
    out.state = r.as_text(3);
    out.type_code = r.as_text(4);
    out.registered_at = r.as_int(5);
    out.due_at = r.as_int(6);
    out.lead_unit_id = r.opt_int(7);
    out.confidential = r.as_int(8) != 0;
    return out;
}

Status add_snippets(storage::Tx& tx, const ParsedQuery& pq, std::vector<SearchRow>& rows) {
    if (pq.empty() || rows.empty()) return {};
    Sql s;
    std::string ids;
    for (const auto& r : rows) ids += (ids.empty() ? "" : ", ") + s.param(r.entry_id);
    const bool sqlite = tx.backend() == Backend::sqlite;
    auto docs = tx.query(sqlite ? "SELECT rowid, doc FROM entry_search WHERE rowid IN (" + ids + ")"
                                : "SELECT entry_id, doc FROM entry_search WHERE entry_id IN (" + ids + ")",
                         s.params);
    if (!docs) return docs.error();
    std::map<std::int64_t, std::string> by_id;
    for (const auto& d : *docs) by_id.emplace(d.as_int(0), d.as_text(1));
    for (auto& r : rows)
        if (auto it = by_id.find(r.entry_id); it != by_id.end()) r.snippet = snippet(it->second, pq);
    return {};
}

}  // namespace

Result<SearchPage> search(storage::Database& db, const SearchQuery& q, const Viewer& viewer) {
    auto pq = parse_query(q.text);
    if (!pq) return pq.error();
    if (auto v = validate(q, viewer); !v) return v.error();
    const std::set<std::int64_t> units(viewer.unit_ids.begin(), viewer.unit_ids.end());
    if (units.empty() && !viewer.sees_all_units) return SearchPage{};

    const bool needs_entries_for_count = q.type_code || q.registered_from || q.registered_to;
    return db.read<SearchPage>([&](storage::Tx& tx) -> Result<SearchPage> {
        SearchPage out;
        Shape shape{!pq->empty(), true, false};
        if (shape.text && q.order == Order::best) {
            auto few = few_matches(tx, *pq);
            if (!few) return few.error();
            shape.by_rank = *few;
        }
        out.by_relevance = shape.by_rank;
        std::string order;
        Sql page = where_clause(tx.backend(), q, *pq, viewer, units, shape, order);
        page.text = "SELECT e.id, e.register_number, e.subject, f.state, e.type_code, e.registered_at, f.due_at, "
                    "f.lead_unit_id, f.confidential" + page.text + " ORDER BY " + order +
                    " LIMIT " + page.param(std::int64_t{q.limit}) + " OFFSET " + page.param(q.offset);
        auto rows = tx.query(page.text, page.params);
        if (!rows) return rows.error();
        for (const auto& r : *rows) out.rows.push_back(to_row(r));
        if (static_cast<int>(out.rows.size()) < q.limit && (!out.rows.empty() || q.offset == 0)) {
            out.total = q.offset + static_cast<std::int64_t>(out.rows.size());  // the last page: no count needed
        } else {
            Shape count_shape{shape.text, needs_entries_for_count, false};
            std::string unused;
            Sql count = where_clause(tx.backend(), q, *pq, viewer, units, count_shape, unused);
            count.text = "SELECT count(*) FROM (SELECT 1" + count.text + " LIMIT " +
                         count.param(std::int64_t{kMaxCount + 1}) + ") t";
            auto n = tx.query_one(count.text, count.params);
            if (!n) return n.error();
            const std::int64_t total = *n ? (*n)->as_int(0) : 0;
            out.total = std::min(total, kMaxCount);
            out.total_capped = total > kMaxCount;
        }
        if (auto s = add_snippets(tx, *pq, out.rows); !s) return s.error();
        return out;
    });
}

}  // namespace idara::search
