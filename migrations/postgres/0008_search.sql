-- Full-text search over register entries (issue 4; docs/design/search.md).
-- One document per entry: `doc` = text::normalize_search() of the subject, body, depositor name,
-- register number and extracted attachment text (search/index.cpp writes it, and the snippets
-- come from it); `tsv` is the 'simple' tsvector (no stemming: the normalization already unifies
-- spellings) of its words as search/query_text.cpp splits them, joined by spaces — so the
-- document and the query are cut into the same words (PostgreSQL's own parser would read
-- "mef-2026-000123" as "mef", "-2026", "-000123"). Under a GIN index.
-- Entries registered before this migration have no document yet: search::reindex_missing()
-- fills them in (batches) at start-up.
CREATE TABLE entry_search (
  entry_id          BIGINT PRIMARY KEY REFERENCES entries(id),
  administration_id BIGINT NOT NULL REFERENCES administrations(id),
  doc               TEXT NOT NULL,
  tsv               tsvector NOT NULL
);
CREATE INDEX entry_search_tsv ON entry_search USING GIN (tsv);
