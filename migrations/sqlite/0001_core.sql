-- Core tables shared by every module.
-- Blobs: content-addressed file bodies; with SQLite the bytes live in files
-- under the data directory (storage/blob_store.cpp) and this table records them.
CREATE TABLE blobs (
  digest     TEXT PRIMARY KEY,            -- SHA-256, lowercase hex
  size       BIGINT NOT NULL,
  created_at BIGINT NOT NULL,             -- ms since the Unix epoch, UTC
  data       BLOB                         -- unused with the file store
);
