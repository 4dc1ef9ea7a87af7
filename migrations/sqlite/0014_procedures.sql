-- The portal (procedures/catalogue.hpp, procedures/applications.hpp; docs/design/portal.md).
-- procedures: every published version of every procedure file, immutable once loaded (the text
-- is kept, so an application is always read with the version it was filed under).
CREATE TABLE procedures (
  code          TEXT NOT NULL,
  version       INTEGER NOT NULL,
  administration_id BIGINT REFERENCES administrations(id),  -- NULL: the applicant chooses ("*")
  title_fr      TEXT NOT NULL,
  body          TEXT NOT NULL,
  sha256        TEXT NOT NULL,
  origin        TEXT NOT NULL,
  loaded_at     BIGINT NOT NULL,
  PRIMARY KEY (code, version)
);

-- applications: a draft until submitted; then it points at its registered entry.
-- answers and sources are JSON objects (field -> value, fetched field -> lookup id).
CREATE TABLE applications (
  id            TEXT PRIMARY KEY,
  procedure_code TEXT NOT NULL,
  procedure_version INTEGER NOT NULL,
  applicant_id  BIGINT NOT NULL REFERENCES accounts(id),
  state         TEXT NOT NULL CHECK (state IN ('draft', 'awaiting_payment', 'submitted')),
  answers       TEXT NOT NULL,
  sources       TEXT NOT NULL,
  entry_id      BIGINT REFERENCES entries(id),
  created_at    BIGINT NOT NULL,
  updated_at    BIGINT NOT NULL,
  submitted_at  BIGINT,
  FOREIGN KEY (procedure_code, procedure_version) REFERENCES procedures(code, version)
);
CREATE INDEX applications_applicant ON applications(applicant_id, updated_at);

-- The applicant's decision on each lookup (once-only data through the exchange): the consent
-- record. text_sha256 is the SHA-256 of the consent text shown (provider and purpose in Arabic, then in
-- French, one per line).
CREATE TABLE application_consents (
  application_id TEXT NOT NULL REFERENCES applications(id),
  lookup        TEXT NOT NULL,
  agreed        INTEGER NOT NULL,
  account_id    BIGINT NOT NULL REFERENCES accounts(id),
  procedure_version INTEGER NOT NULL,
  text_sha256   TEXT NOT NULL,
  x_road_id     TEXT NOT NULL,
  at            BIGINT NOT NULL,
  PRIMARY KEY (application_id, lookup)
);

-- Uploaded documents of a draft (the bytes are in the blob store under blob_key).
CREATE TABLE application_documents (
  application_id TEXT NOT NULL REFERENCES applications(id),
  code          TEXT NOT NULL,
  name          TEXT NOT NULL,
  media_type    TEXT NOT NULL,
  size          BIGINT NOT NULL,
  sha256        TEXT NOT NULL,
  blob_key      TEXT NOT NULL,
  added_at      BIGINT NOT NULL,
  PRIMARY KEY (application_id, code)
);
