-- The correspondence window: what happens to an entry after registration.
-- entries.status stays the register's own status (registered / cancelled); the processing
-- state lives in entry_flow, one row per entry, written in the same transaction as the entry.
-- Times are BIGINT milliseconds UTC; booleans 0/1. See docs/design/correspondence-window.md.
CREATE TABLE entry_flow (
  entry_id             BIGINT PRIMARY KEY REFERENCES entries(id),
  administration_id    BIGINT NOT NULL REFERENCES administrations(id),
  state                TEXT NOT NULL CHECK (state IN ('registered', 'assigned', 'in_progress',
                         'missing_documents', 'answered', 'rejected', 'transferred', 'closed', 'cancelled')),
  version              BIGINT NOT NULL DEFAULT 1,          -- optimistic concurrency
  priority             TEXT NOT NULL DEFAULT 'normal' CHECK (priority IN ('normal', 'urgent')),
  confidential         INTEGER NOT NULL DEFAULT 0,
  lead_unit_id         BIGINT REFERENCES units(id),
  assignee_id          BIGINT REFERENCES accounts(id),
  due_at               BIGINT NOT NULL,                    -- end of the legal deadline (moves after a pause)
  paused_at            BIGINT,                             -- missing-documents request pending since
  missing_requested_at BIGINT,                             -- the one request the law allows (never cleared)
  completed_at         BIGINT,                             -- when the depositor completed the file
  answered_at          BIGINT,
  closed_at            BIGINT,
  transferred_to       BIGINT REFERENCES entries(id),      -- the entry created at the competent administration
  transferred_from     BIGINT REFERENCES entries(id),
  updated_at           BIGINT NOT NULL
);
CREATE INDEX entry_flow_by_state ON entry_flow(administration_id, state, due_at);
CREATE INDEX entry_flow_by_assignee ON entry_flow(assignee_id, state, due_at);
CREATE INDEX entry_flow_by_lead ON entry_flow(lead_unit_id, state, due_at);

-- Units an entry is assigned to: one lead, others in copy or asked for an opinion.
CREATE TABLE entry_units (
  entry_id    BIGINT NOT NULL REFERENCES entries(id),
  unit_id     BIGINT NOT NULL REFERENCES units(id),
  role        TEXT NOT NULL CHECK (role IN ('lead', 'copy', 'opinion')),
  assigned_at BIGINT NOT NULL,
  opinion_at  BIGINT,                                      -- when an asked unit gave its opinion
  PRIMARY KEY (entry_id, unit_id)
);
CREATE INDEX entry_units_by_unit ON entry_units(unit_id, entry_id);

-- Annotations, opinions, drafts of the reply and the missing-documents request; optional file.
CREATE TABLE entry_notes (
  id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  entry_id    BIGINT NOT NULL REFERENCES entries(id),
  at          BIGINT NOT NULL,
  author_id   BIGINT NOT NULL REFERENCES accounts(id),
  unit_id     BIGINT REFERENCES units(id),
  kind        TEXT NOT NULL CHECK (kind IN ('annotation', 'opinion', 'draft', 'missing_request')),
  text        TEXT NOT NULL,
  file_name   TEXT,
  media_type  TEXT,
  size        BIGINT,
  blob        TEXT REFERENCES blobs(digest)
);
CREATE INDEX entry_notes_by_entry ON entry_notes(entry_id, id);
CREATE INDEX entry_notes_by_blob ON entry_notes(blob);

-- Delegation during absence: from_account's inbox goes to to_account between two dates
-- (inclusive, Africa/Casablanca civil dates YYYY-MM-DD).
CREATE TABLE delegations (
  id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  administration_id BIGINT NOT NULL REFERENCES administrations(id),
  from_account_id   BIGINT NOT NULL REFERENCES accounts(id),
  to_account_id     BIGINT NOT NULL REFERENCES accounts(id),
  starts_on         TEXT NOT NULL,
  ends_on           TEXT NOT NULL,
  created_by        BIGINT NOT NULL REFERENCES accounts(id),
  created_at        BIGINT NOT NULL,
  revoked_at        BIGINT,
  CHECK (starts_on <= ends_on)
);
CREATE INDEX delegations_by_from ON delegations(from_account_id, starts_on);

-- "From where": the channel and address an event came from.
ALTER TABLE entry_events ADD COLUMN origin TEXT NOT NULL DEFAULT '';
ALTER TABLE entry_events ADD COLUMN version BIGINT NOT NULL DEFAULT 1;

INSERT INTO entry_flow (entry_id, administration_id, state, due_at, updated_at)
  SELECT id, administration_id, CASE status WHEN 'cancelled' THEN 'cancelled' ELSE 'registered' END,
         due_at, registered_at FROM entries;
