-- The e-parapheur (issue 5, docs/design/parapheur.md): circuit templates per administration,
-- running circuits with a snapshot of their steps and assignees, document versions (blobs),
-- history, opinion requests; and the link from an outgoing letter to its circuit.
-- Times are BIGINT milliseconds UTC.
CREATE TABLE circuit_templates (
  id                INTEGER PRIMARY KEY,
  administration_id BIGINT NOT NULL REFERENCES administrations(id),
  code              TEXT NOT NULL,
  name_ar           TEXT NOT NULL,
  name_fr           TEXT NOT NULL,
  steps             TEXT NOT NULL,          -- JSON array of step specifications
  created_at        BIGINT NOT NULL,
  updated_at        BIGINT NOT NULL,
  UNIQUE (administration_id, code)
);

CREATE TABLE circuits (
  id                INTEGER PRIMARY KEY,
  administration_id BIGINT NOT NULL REFERENCES administrations(id),
  template_code     TEXT NOT NULL,
  template_name_ar  TEXT NOT NULL,
  template_name_fr  TEXT NOT NULL,
  title             TEXT NOT NULL,
  purpose           TEXT NOT NULL DEFAULT '',
  subject_ref       TEXT NOT NULL DEFAULT '',
  state             TEXT NOT NULL CHECK (state IN ('in_progress', 'completed', 'rejected', 'cancelled')),
  current_step      BIGINT NOT NULL DEFAULT 0,
  step_count        BIGINT NOT NULL,
  version           BIGINT NOT NULL DEFAULT 1,
  initiator_id      BIGINT NOT NULL REFERENCES accounts(id),
  file_name         TEXT NOT NULL DEFAULT '',
  reject_reason     TEXT,
  signatures        BIGINT NOT NULL DEFAULT 0,   -- signatures added so far (stamp layout)
  created_at        BIGINT NOT NULL,
  updated_at        BIGINT NOT NULL,
  finished_at       BIGINT
);
CREATE INDEX circuits_by_admin ON circuits(administration_id, state, updated_at);
CREATE INDEX circuits_by_initiator ON circuits(initiator_id, updated_at);

CREATE TABLE circuit_steps (
  circuit_id BIGINT NOT NULL REFERENCES circuits(id),
  idx        BIGINT NOT NULL,
  kind       TEXT NOT NULL CHECK (kind IN ('visa', 'signature', 'seal')),
  mode       TEXT NOT NULL CHECK (mode IN ('all', 'any')),
  label_ar   TEXT NOT NULL,
  label_fr   TEXT NOT NULL,
  done       BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (circuit_id, idx)
);

CREATE TABLE circuit_assignees (
  circuit_id BIGINT NOT NULL REFERENCES circuits(id),
  step_idx   BIGINT NOT NULL,
  account_id BIGINT NOT NULL REFERENCES accounts(id),
  status     TEXT NOT NULL CHECK (status IN ('waiting', 'pending', 'done', 'skipped', 'rejected')),
  acted_at   BIGINT,
  acted_by   BIGINT REFERENCES accounts(id),
  PRIMARY KEY (circuit_id, step_idx, account_id)
);
CREATE INDEX circuit_assignees_pending ON circuit_assignees(account_id, status);

CREATE TABLE circuit_versions (
  circuit_id BIGINT NOT NULL REFERENCES circuits(id),
  number     BIGINT NOT NULL,
  blob       TEXT NOT NULL REFERENCES blobs(digest),
  size       BIGINT NOT NULL,
  kind       TEXT NOT NULL CHECK (kind IN ('original', 'signature', 'seal')),
  signer_id  BIGINT REFERENCES accounts(id),
  created_at BIGINT NOT NULL,
  PRIMARY KEY (circuit_id, number)
);

CREATE TABLE circuit_events (
  id           INTEGER PRIMARY KEY,
  circuit_id   BIGINT NOT NULL REFERENCES circuits(id),
  at           BIGINT NOT NULL,
  kind         TEXT NOT NULL,
  actor_id     BIGINT REFERENCES accounts(id),
  on_behalf_of BIGINT REFERENCES accounts(id),
  step_idx     BIGINT NOT NULL DEFAULT -1,
  text         TEXT NOT NULL DEFAULT '',
  doc_version  BIGINT,
  version      BIGINT NOT NULL,
  origin       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX circuit_events_by_circuit ON circuit_events(circuit_id, id);

CREATE TABLE circuit_opinions (
  id           INTEGER PRIMARY KEY,
  circuit_id   BIGINT NOT NULL REFERENCES circuits(id),
  requested_by BIGINT NOT NULL REFERENCES accounts(id),
  colleague_id BIGINT NOT NULL REFERENCES accounts(id),
  question     TEXT NOT NULL,
  requested_at BIGINT NOT NULL,
  opinion      TEXT,
  given_at     BIGINT
);
CREATE INDEX circuit_opinions_open ON circuit_opinions(colleague_id, given_at);

ALTER TABLE outgoing_letters ADD COLUMN circuit_id BIGINT REFERENCES circuits(id);
