-- PKI (trust/pki.hpp): the development issuing CA under the root of 0004, the certificates the
-- platform signs with besides the seal keys of 0004 (TSA, per-person signing certificates,
-- imported PKCS#12 for administrations and accounts), and the revocations its CRL lists.
-- Private keys are PKCS#8 DER sealed with crypto_secretbox under the master key (nonce first).
-- Times are ms UTC; sha256 is the lower-case hex digest of the DER certificate.
CREATE TABLE pki_issuing_cas (
  id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  generation BIGINT NOT NULL UNIQUE,      -- 1 for the first; makes concurrent creation idempotent
  cert_pem   TEXT NOT NULL,
  key_sealed BYTEA NOT NULL,
  created_at BIGINT NOT NULL
);

CREATE TABLE pki_certs (
  id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  owner_kind TEXT NOT NULL CHECK (owner_kind IN ('platform', 'administration', 'account')),
  owner_id   BIGINT NOT NULL,             -- 0 for the platform
  purpose    TEXT NOT NULL CHECK (purpose IN ('seal', 'signing', 'tsa')),
  source     TEXT NOT NULL CHECK (source IN ('dev', 'pkcs12')),
  sha256     TEXT NOT NULL UNIQUE,
  serial     TEXT NOT NULL,               -- hex
  subject    TEXT NOT NULL,
  issuer     TEXT NOT NULL,
  not_before BIGINT NOT NULL,
  not_after  BIGINT NOT NULL,
  cert_pem   TEXT NOT NULL,
  chain_pem  TEXT NOT NULL,               -- intermediates, without the anchor
  key_sealed BYTEA NOT NULL,
  status     TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'revoked', 'superseded')),
  created_at BIGINT NOT NULL
);
-- One active certificate per owner, purpose and source (an import takes precedence over dev).
CREATE UNIQUE INDEX pki_certs_one_active ON pki_certs(owner_kind, owner_id, purpose, source) WHERE status = 'active';

CREATE TABLE pki_revocations (
  id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  cert_sha256 TEXT NOT NULL UNIQUE,
  serial      TEXT NOT NULL,              -- hex
  issuer      TEXT NOT NULL,              -- issuer DN (RFC 2253), to pick the CA whose CRL lists it
  reason      INTEGER NOT NULL,           -- RFC 5280 CRLReason
  revoked_at  BIGINT NOT NULL
);
