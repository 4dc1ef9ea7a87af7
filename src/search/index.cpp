#include "search/index.hpp"

#include "core/text_normalize.hpp"
#include "search/query_text.hpp"

namespace idara::search {
namespace {

using storage::Backend;

// The document: one field per line, normalized as the query will be.
std::string build_document(const storage::Row& r, const std::vector<std::string>& extra_texts) {
    std::string raw;
    for (std::size_t i = 0; i < 4; ++i) {
        raw += r.as_text(i);
        raw += '\n';
    }
    for (const auto& t : extra_texts) {
        raw += t;
        raw += '\n';
    }
    return text::normalize_search(raw, /*fold_accents=*/true);
}

// The document's words (query_text.hpp's splitting) separated by spaces, for PostgreSQL.
std::string words_of(std::string_view doc) {
    std::string out;
    for (const auto& w : split_words(doc)) {
        if (!out.empty()) out += ' ';
        out += w;
    }
    return out;
}

}  // namespace

Status index_entry(storage::Tx& tx, std::int64_t entry_id, const std::vector<std::string>& extra_texts) {
    auto row = tx.query_one(
        "SELECT subject, body, depositor_name, register_number, administration_id FROM entries WHERE id = $1",
        {entry_id});
    if (!row) return row.error();
    if (!*row) return errors::not_found("entry " + std::to_string(entry_id));
    const std::string doc = build_document(**row, extra_texts);
    if (tx.backend() == Backend::sqlite) {
        // FTS5 keeps no UNIQUE constraint of its own to upsert on: replace explicitly.
        if (auto d = tx.exec("DELETE FROM entry_search WHERE rowid = $1", {entry_id}); !d) return d.error();
        if (auto i = tx.exec("INSERT INTO entry_search (rowid, doc) VALUES ($1, $2)", {entry_id, doc}); !i)
            return i.error();
        return {};
    }
    auto up = tx.exec(
        "INSERT INTO entry_search (entry_id, administration_id, doc, tsv) "
        "VALUES ($1, $2, $3, to_tsvector('simple', $4)) "
        "ON CONFLICT (entry_id) DO UPDATE SET doc = excluded.doc, tsv = excluded.tsv",
        {entry_id, (*row)->as_int(4), doc, words_of(doc)});
    if (!up) return up.error();
    return {};
}

Result<std::vector<std::string>> attachment_texts(storage::Tx& tx, storage::BlobStore& blobs, std::int64_t entry_id) {
    auto rows = tx.query(
        "SELECT blob FROM entry_attachments WHERE entry_id = $1 AND media_type = 'application/pdf' ORDER BY position",
        {entry_id});
    if (!rows) return rows.error();
    std::vector<std::string> out;
    for (const auto& r : *rows) {
        auto bytes = blobs.get(tx, r.as_text(0));
        if (!bytes) return bytes.error();
        if (!*bytes) continue;  // a missing blob is the blob store's concern, not the index's
        if (auto t = extract_pdf_text(**bytes, kMaxAttachmentChars); !t.empty()) out.push_back(std::move(t));
    }
    return out;
}

Result<int> reindex_missing(storage::Database& db, storage::BlobStore& blobs) {
    const char* missing_sql = db.backend() == Backend::sqlite
        ? "SELECT e.id FROM entries e WHERE e.id > $1 AND NOT EXISTS "
          "(SELECT 1 FROM entry_search s WHERE s.rowid = e.id) ORDER BY e.id LIMIT $2"
        : "SELECT e.id FROM entries e WHERE e.id > $1 AND NOT EXISTS "
          "(SELECT 1 FROM entry_search s WHERE s.entry_id = e.id) ORDER BY e.id LIMIT $2";
    struct Batch {
        int count = 0;
        std::int64_t last = 0;
    };
    int total = 0;
    std::int64_t after = 0;
    for (;;) {
        // PostgreSQL may run the callback again after a serialization failure: it keeps
        // its progress in its result, never in `after` directly.
        auto batch = db.write<Batch>([&](storage::Tx& tx) -> Result<Batch> {
            auto ids = tx.query(missing_sql, {after, std::int64_t{kReindexBatch}});
            if (!ids) return ids.error();
            Batch b{static_cast<int>(ids->size()), after};
            for (const auto& r : *ids) {
                b.last = r.as_int(0);
                auto texts = attachment_texts(tx, blobs, b.last);
                if (!texts) return texts.error();
                if (auto s = index_entry(tx, b.last, *texts); !s) return s.error();
            }
            return b;
        });
        if (!batch) return batch.error();
        total += batch->count;
        after = batch->last;
        if (batch->count < kReindexBatch) return total;
    }
}

}  // namespace idara::search
