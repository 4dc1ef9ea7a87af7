-- Identity and access: administrations (tenants), units, accounts, roles, sessions, API tokens.
-- Times are BIGINT milliseconds since the Unix epoch (UTC); booleans are 0/1.
CREATE TABLE administrations (
  id            INTEGER PRIMARY KEY,
  code          TEXT NOT NULL UNIQUE,       -- short code used in register numbers, e.g. MEF
  name_ar       TEXT NOT NULL,
  name_fr       TEXT NOT NULL,
  contact_email TEXT NOT NULL DEFAULT '',
  created_at    BIGINT NOT NULL
);

CREATE TABLE units (
  id                INTEGER PRIMARY KEY,
  administration_id BIGINT NOT NULL REFERENCES administrations(id),
  parent_id         BIGINT REFERENCES units(id),
  code              TEXT NOT NULL,
  name_ar           TEXT NOT NULL,
  name_fr           TEXT NOT NULL,
  created_at        BIGINT NOT NULL,
  UNIQUE (administration_id, code)
);
CREATE INDEX units_by_administration ON units(administration_id, parent_id);

CREATE TABLE accounts (
  id                  INTEGER PRIMARY KEY,
  kind                TEXT NOT NULL CHECK (kind IN ('citizen', 'company', 'staff', 'operator')),
  login               TEXT NOT NULL UNIQUE,  -- lower-case e-mail or user name
  display_name        TEXT NOT NULL,
  national_id         TEXT,
  company_name        TEXT,
  password_hash       TEXT NOT NULL,
  lang                TEXT NOT NULL DEFAULT 'ar',
  disabled            INTEGER NOT NULL DEFAULT 0,
  created_at          BIGINT NOT NULL,
  password_changed_at BIGINT NOT NULL
);

CREATE TABLE memberships (
  id                INTEGER PRIMARY KEY,
  account_id        BIGINT NOT NULL REFERENCES accounts(id),
  administration_id BIGINT NOT NULL REFERENCES administrations(id),
  unit_id           BIGINT REFERENCES units(id),
  role              TEXT NOT NULL CHECK (role IN ('agent', 'registry_clerk', 'unit_head', 'signer', 'admin')),
  UNIQUE (account_id, administration_id, unit_id, role)
);
-- UNIQUE above treats NULL units as distinct; this index makes "no unit" count as one value.
CREATE UNIQUE INDEX memberships_unique_role ON memberships(account_id, administration_id, COALESCE(unit_id, 0), role);
CREATE INDEX memberships_by_administration ON memberships(administration_id);
CREATE INDEX memberships_by_account ON memberships(account_id);

CREATE TABLE sessions (
  token_hash   TEXT PRIMARY KEY,            -- SHA-256 of the cookie value; the value itself is never stored
  account_id   BIGINT NOT NULL REFERENCES accounts(id),
  csrf_token   TEXT NOT NULL,
  created_at   BIGINT NOT NULL,
  expires_at   BIGINT NOT NULL,             -- absolute limit
  last_seen_at BIGINT NOT NULL,             -- idle limit counts from here
  ip           TEXT NOT NULL DEFAULT '',
  user_agent   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_by_account ON sessions(account_id);

CREATE TABLE api_tokens (
  id           INTEGER PRIMARY KEY,
  account_id   BIGINT NOT NULL REFERENCES accounts(id),
  name         TEXT NOT NULL,
  prefix       TEXT NOT NULL,               -- shown in listings to recognise a token
  token_hash   TEXT NOT NULL UNIQUE,        -- SHA-256 of the whole token
  created_at   BIGINT NOT NULL,
  expires_at   BIGINT,
  revoked_at   BIGINT,
  last_used_at BIGINT
);
CREATE INDEX api_tokens_by_account ON api_tokens(account_id);
