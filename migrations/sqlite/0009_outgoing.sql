-- The outgoing register (issue 4, "Replies and outgoing mail"): letters written or uploaded
-- by an administration, replies to incoming entries or letters that start there, their
-- approval by a signer, registration under the outgoing numbering (MEF-S-2026-000045) and
-- the e-mail outbox. Times are BIGINT milliseconds UTC. See docs/design/outgoing.md.
CREATE TABLE outgoing_letters (
  id                          INTEGER PRIMARY KEY,
  administration_id           BIGINT NOT NULL REFERENCES administrations(id),
  state                       TEXT NOT NULL CHECK (state IN ('draft', 'pending_approval', 'approved', 'dispatched')),
  version                     BIGINT NOT NULL DEFAULT 1,            -- optimistic concurrency
  lang                        TEXT NOT NULL CHECK (lang IN ('ar', 'fr')),
  in_reply_to                 BIGINT REFERENCES entries(id),        -- a reply: the incoming entry
  recipient_kind              TEXT NOT NULL CHECK (recipient_kind IN ('depositor', 'account', 'administration', 'address')),
  recipient_account_id        BIGINT REFERENCES accounts(id),
  recipient_administration_id BIGINT REFERENCES administrations(id),
  recipient_name              TEXT NOT NULL DEFAULT '',
  recipient_address           TEXT NOT NULL DEFAULT '',
  recipient_email             TEXT NOT NULL DEFAULT '',
  subject                     TEXT NOT NULL,
  template                    TEXT,                                 -- written letters; NULL when uploaded
  body                        TEXT NOT NULL DEFAULT '',
  upload_blob                 TEXT REFERENCES blobs(digest),        -- uploaded letters
  upload_name                 TEXT,
  author_id                   BIGINT NOT NULL REFERENCES accounts(id),
  return_reason               TEXT,
  register_number             TEXT UNIQUE,                          -- set on approval
  year                        BIGINT,
  sequence                    BIGINT,
  approved_by                 BIGINT REFERENCES accounts(id),
  approved_at                 BIGINT,
  pdf_blob                    TEXT REFERENCES blobs(digest),        -- the sealed letter
  seal_kid                    TEXT,
  dispatched_at               BIGINT,
  created_at                  BIGINT NOT NULL,
  updated_at                  BIGINT NOT NULL,
  UNIQUE (administration_id, year, sequence)
);
CREATE INDEX outgoing_by_register ON outgoing_letters(administration_id, year, sequence);
CREATE INDEX outgoing_by_state ON outgoing_letters(administration_id, state, updated_at);
CREATE INDEX outgoing_by_entry ON outgoing_letters(in_reply_to);
CREATE INDEX outgoing_by_recipient ON outgoing_letters(recipient_account_id);

CREATE TABLE outgoing_events (
  id        INTEGER PRIMARY KEY,
  letter_id BIGINT NOT NULL REFERENCES outgoing_letters(id),
  at        BIGINT NOT NULL,
  kind      TEXT NOT NULL,       -- created, edited, submitted, returned, approved, dispatched
  actor_id  BIGINT REFERENCES accounts(id),
  detail    TEXT NOT NULL DEFAULT '',
  version   BIGINT NOT NULL
);
CREATE INDEX outgoing_events_by_letter ON outgoing_events(letter_id, id);

-- The e-mail outbox: queued in the approval transaction, sent outside any transaction.
-- A message stays 'queued' (attempts, last_error, next_attempt_at) until it is sent or
-- runs out of attempts ('failed', kept for an operator to requeue); rows are never deleted.
CREATE TABLE outgoing_mail (
  id              INTEGER PRIMARY KEY,
  letter_id       BIGINT REFERENCES outgoing_letters(id),
  recipient       TEXT NOT NULL,
  subject         TEXT NOT NULL,
  text            TEXT NOT NULL,
  attachment_name TEXT NOT NULL DEFAULT '',
  attachment_blob TEXT REFERENCES blobs(digest),
  status          TEXT NOT NULL CHECK (status IN ('queued', 'sent', 'failed')),
  attempts        BIGINT NOT NULL DEFAULT 0,
  last_error      TEXT NOT NULL DEFAULT '',
  next_attempt_at BIGINT NOT NULL,                 -- also the lease of a delivery in progress
  created_at      BIGINT NOT NULL,
  sent_at         BIGINT
);
CREATE INDEX outgoing_mail_due ON outgoing_mail(status, next_attempt_at);
CREATE INDEX outgoing_mail_by_letter ON outgoing_mail(letter_id);
