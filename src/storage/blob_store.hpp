// Content-addressed storage of file bodies (attachments, PDFs), written inside
// the caller's transaction so a blob exists exactly when the records that
// refer to it were committed.
//
// Digests are SHA-256 in lowercase hex. put() is idempotent: storing the same
// bytes twice returns the same digest and keeps one copy. get() verifies the
// digest of what it reads and reports "storage.corrupt" when it differs.
//
// Implementations:
//  - files (default with SQLite): <dir>/ab/cdef... written to a temporary
//    file, fsync'd, renamed, directory fsync'd; a `blobs` row records it in the
//    same transaction, and a rollback removes a file this transaction created.
//    It relies on writers being serialized (SQLite's single writer connection):
//    one Database per data directory, one process;
//  - database (PostgreSQL): the bytes in `blobs.data`.
#pragma once

#include "storage/db.hpp"

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace idara::storage {

// Thread-safety: a BlobStore holds no mutable state; it may be shared, each call
// using the caller's transaction. Errors: those of storage (db.hpp), plus
// "storage.corrupt" (500) and "storage.unavailable" when the file system fails.
class BlobStore {
public:
    virtual ~BlobStore() = default;
    // Stores bytes (needs a write transaction); returns their SHA-256 hex digest.
    virtual Result<std::string> put(Tx& tx, std::string_view bytes) = 0;
    // The bytes of a digest, nullopt when unknown (or not a lowercase hex SHA-256).
    virtual Result<std::optional<std::string>> get(Tx& tx, std::string_view digest) = 0;
    // Whether the digest is recorded.
    virtual Result<bool> exists(Tx& tx, std::string_view digest) = 0;
    // Removes what a crash left behind: files with no `blobs` row (a put whose
    // transaction never committed) and temporary files. Returns how many went. Only
    // while no transaction is running (at start-up, before serving). The database
    // store has nothing of the kind: 0.
    virtual Result<std::size_t> remove_unreferenced(Database& db) = 0;
};

std::unique_ptr<BlobStore> make_file_blob_store(std::filesystem::path dir);
std::unique_ptr<BlobStore> make_db_blob_store();
// The default for a backend: files for SQLite, in-database for PostgreSQL.
std::unique_ptr<BlobStore> make_blob_store(Backend b, std::filesystem::path dir);

}  // namespace idara::storage
