-- Core tables shared by every module.
-- Blobs: content-addressed file bodies, stored in the database with PostgreSQL.
CREATE TABLE blobs (
  digest     TEXT PRIMARY KEY,            -- SHA-256, lowercase hex
  size       BIGINT NOT NULL,
  created_at BIGINT NOT NULL,             -- ms since the Unix epoch, UTC
  data       BYTEA
);
