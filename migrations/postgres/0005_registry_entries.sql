-- The registry office: deposit types, register entries, their attachments and events,
-- and idempotency keys. Times are BIGINT milliseconds UTC; booleans 0/1.
-- Deposit types with administration_id 0 are the platform defaults every administration
-- accepts; an administration's own row with the same code overrides the default.
CREATE TABLE deposit_types (
  administration_id   BIGINT NOT NULL,
  code                TEXT NOT NULL,
  name_ar             TEXT NOT NULL,
  name_fr             TEXT NOT NULL,
  deadline_days       BIGINT NOT NULL CHECK (deadline_days > 0),
  working_days        INTEGER NOT NULL DEFAULT 0,
  silence_is_approval INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (administration_id, code)
);
INSERT INTO deposit_types VALUES
  (0, 'letter', 'رسالة', 'Lettre', 60, 0, 0),
  (0, 'complaint', 'شكاية', 'Réclamation', 60, 0, 0),
  (0, 'request', 'طلب', 'Demande', 60, 0, 0),
  (0, 'application', 'ملف طلب رخصة أو خدمة', 'Dossier de demande', 60, 0, 1),
  (0, 'investment', 'ملف استثمار', 'Dossier d''investissement', 30, 0, 1);

CREATE TABLE entries (
  id                    BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  administration_id     BIGINT NOT NULL REFERENCES administrations(id),
  register_number       TEXT NOT NULL UNIQUE,       -- MEF-2026-000123
  year                  BIGINT NOT NULL,
  sequence              BIGINT NOT NULL,
  unit_id               BIGINT REFERENCES units(id),
  channel               TEXT NOT NULL CHECK (channel IN ('portal', 'administration', 'counter')),
  depositor_account_id  BIGINT REFERENCES accounts(id),  -- portal/administration: who deposited; counter: NULL
  registered_by         BIGINT NOT NULL REFERENCES accounts(id),  -- the account that made the request
  depositor_name        TEXT NOT NULL,
  depositor_id_number   TEXT,                        -- counter only
  depositor_administration_id BIGINT REFERENCES administrations(id),  -- channel administration
  type_code             TEXT NOT NULL,
  subject               TEXT NOT NULL,
  body                  TEXT NOT NULL,
  status                TEXT NOT NULL CHECK (status IN ('registered', 'cancelled')),
  cancel_reason         TEXT,
  tracking_hash         TEXT NOT NULL,               -- SHA-256 of the tracking code
  registered_at         BIGINT NOT NULL,
  due_at                BIGINT NOT NULL,
  deadline_days         BIGINT NOT NULL,
  working_days          INTEGER NOT NULL,
  silence_is_approval   INTEGER NOT NULL,
  receipt_digest        TEXT NOT NULL,               -- SHA-256 of the registered facts (in the QR)
  receipt_blob          TEXT NOT NULL REFERENCES blobs(digest),  -- the sealed receipt PDF
  seal_kid              TEXT NOT NULL,
  version               BIGINT NOT NULL DEFAULT 1,
  UNIQUE (administration_id, year, sequence)
);
CREATE INDEX entries_by_administration ON entries(administration_id, registered_at);
CREATE INDEX entries_by_depositor ON entries(depositor_account_id, registered_at);
CREATE INDEX entries_by_receipt ON entries(receipt_blob);

CREATE TABLE entry_attachments (
  entry_id   BIGINT NOT NULL REFERENCES entries(id),
  position   BIGINT NOT NULL,
  name       TEXT NOT NULL,
  media_type TEXT NOT NULL,
  size       BIGINT NOT NULL,
  blob       TEXT NOT NULL REFERENCES blobs(digest),
  PRIMARY KEY (entry_id, position)
);

CREATE TABLE entry_events (
  id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  entry_id   BIGINT NOT NULL REFERENCES entries(id),
  at         BIGINT NOT NULL,
  kind       TEXT NOT NULL,
  actor_id   BIGINT REFERENCES accounts(id),
  detail     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX entry_events_by_entry ON entry_events(entry_id, id);

-- A client's Idempotency-Key, per account: the first deposit's result is returned again.
CREATE TABLE idempotency_keys (
  account_id   BIGINT NOT NULL REFERENCES accounts(id),
  key          TEXT NOT NULL,
  request_hash TEXT NOT NULL,
  entry_id     BIGINT NOT NULL REFERENCES entries(id),
  tracking_code TEXT NOT NULL,   -- returned again on a replay to the same account only
  created_at   BIGINT NOT NULL,
  PRIMARY KEY (account_id, key)
);
