-- The tamper-evident journal (issue 5; journal/journal.hpp, docs/design/journal.md): one global,
-- gap-free sequence of leaves (RFC 9162 Merkle tree), appended in the same transaction as each
-- registry event, and the signed tree heads (STH) made over it. Times are BIGINT ms UTC.

-- The counter row: the number of leaves. append() bumps it in the event's transaction, so the
-- leaf index is gap-free; on PostgreSQL its row lock serialises appending writers until commit.
CREATE TABLE journal_head (
  id   INTEGER PRIMARY KEY CHECK (id = 1),
  size BIGINT NOT NULL CHECK (size >= 0)
);
INSERT INTO journal_head (id, size) VALUES (1, 0);

CREATE TABLE journal_leaves (
  leaf_index        BIGINT PRIMARY KEY,       -- 0-based position in the tree
  administration_id BIGINT NOT NULL,          -- 0: the platform (no foreign key)
  kind              TEXT NOT NULL,            -- "deposit.registered", "processing.assigned", ...
  subject           TEXT NOT NULL,            -- "entry:MEF-2026-000123", "letter:17", ...
  event_at          BIGINT NOT NULL,
  data              BYTEA NOT NULL,            -- canonical leaf data (journal.hpp)
  hash              BYTEA NOT NULL             -- SHA-256(0x00 || data), 32 bytes
);
CREATE INDEX journal_leaves_subject ON journal_leaves(subject, kind);

CREATE TABLE journal_sths (
  id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tree_size   BIGINT NOT NULL CHECK (tree_size >= 0),
  root_hash   BYTEA NOT NULL,                  -- 32 bytes
  signed_at   BIGINT NOT NULL,
  kid         TEXT NOT NULL,                  -- the platform key that signed
  signature   BYTEA NOT NULL                   -- Ed25519, 64 bytes
);
CREATE INDEX journal_sths_size ON journal_sths(tree_size, id);
