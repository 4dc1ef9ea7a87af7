// The search index: one document per register entry, in the same database.
//
// A document is text::normalize_search(…, /*fold_accents=*/true) of the entry's subject,
// body, depositor name and register number, plus "extra texts" (the text extracted
// from its PDF attachments), one per line. SQLite keeps it in the FTS5 table
// `entry_search` (rowid = entry id); PostgreSQL in `entry_search` (doc + 'simple'
// tsvector under a GIN index). See migrations/*/0008_search.sql and docs/design/search.md.
//
// index_entry(tx, id, extra_texts) (re)builds the document of one entry inside the
// caller's WRITE transaction, so the document commits or rolls back with the entry:
// call it in the deposit's transaction, and again whenever subject, body or attachments
// change — with ALL extra texts each time (the previous document is replaced, not merged;
// attachment_texts() gives them). Errors: resource.not_found (404) for an unknown entry,
// storage errors.
//
// extract_pdf_text(bytes, max_chars) is the text of a PDF (poppler-cpp), pages in order,
// at most max_chars code points. It never throws and never fails: a damaged, encrypted
// or non-PDF input gives "" (poppler's own diagnostics are silenced).
//
// attachment_texts(tx, blobs, id) extracts the text of the entry's PDF attachments
// (media_type application/pdf), at most kMaxAttachmentChars each.
//
// reindex_missing(db, blobs) indexes every entry that has no document yet (databases
// that existed before migration 0008, or entries written by code that does not index),
// in write transactions of kReindexBatch entries; returns how many it indexed. Run it at
// start-up after migrate(); it is cheap when nothing is missing.
//
// Thread-safety: free functions; the transaction belongs to the caller's thread.
// extract_pdf_text may be called from any thread.
#pragma once

#include "core/error.hpp"
#include "storage/blob_store.hpp"
#include "storage/db.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace idara::search {

inline constexpr std::size_t kMaxAttachmentChars = 100'000;
inline constexpr int kReindexBatch = 200;

Status index_entry(storage::Tx& tx, std::int64_t entry_id, const std::vector<std::string>& extra_texts = {});

std::string extract_pdf_text(std::string_view pdf_bytes, std::size_t max_chars);

Result<std::vector<std::string>> attachment_texts(storage::Tx& tx, storage::BlobStore& blobs, std::int64_t entry_id);

Result<int> reindex_missing(storage::Database& db, storage::BlobStore& blobs);

}  // namespace idara::search
