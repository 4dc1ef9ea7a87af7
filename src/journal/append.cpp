// append(): one leaf in the caller's transaction, under the journal_head counter row.
#include "core/utf8.hpp"
#include "journal/journal.hpp"

namespace idara::journal {

Result<std::int64_t> append(storage::Tx& tx, const JournalEvent& e) {
    if (e.kind.empty() || e.kind.size() > 64 || e.subject.empty() || e.subject.size() > 200 ||
        !utf8::valid(e.kind) || !utf8::valid(e.subject) || !utf8::valid(e.detail) ||
        e.kind.find('\0') != std::string::npos || e.subject.find('\0') != std::string::npos) {
        return Error{"journal.invalid_event", 500, "kind/subject empty, too long or not UTF-8: " + e.kind};
    }
    // The UPDATE takes the row lock first (PostgreSQL: every appending writer waits here
    // until the holder commits or rolls back), then RETURNING gives the new size.
    auto head = tx.query_one("UPDATE journal_head SET size = size + 1 WHERE id = 1 RETURNING size");
    if (!head) return head.error();
    if (!*head) return Error{"internal", 500, "journal_head row missing"};
    const std::int64_t index = (*head)->as_int(0) - 1;
    std::string data = encode_leaf(index, e);
    const Hash h = leaf_hash(data);
    auto ins = tx.exec(
        "INSERT INTO journal_leaves (leaf_index, administration_id, kind, subject, event_at, data, hash) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7)",
        {index, e.administration_id, e.kind, e.subject, e.at_ms, storage::Blob{std::move(data)},
         storage::Blob{std::string(h.begin(), h.end())}});
    if (!ins) return ins.error();
    return index;
}

}  // namespace idara::journal
