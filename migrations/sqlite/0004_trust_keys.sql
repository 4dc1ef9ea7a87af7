-- Trust keys (trust/key_store.hpp): the platform's development root CA and, per administration
-- (administration_id 0 is the platform itself, so no foreign key), a seal identity (P-256 key and
-- certificate) and an Ed25519 QR-signing key. Private keys are sealed with crypto_secretbox under a
-- master key kept outside the database (24-byte nonce, then the ciphertext). Times are ms UTC.
CREATE TABLE trust_roots (
  id         INTEGER PRIMARY KEY,
  generation BIGINT NOT NULL UNIQUE,      -- 1 for the first root; makes concurrent creation idempotent
  cert_pem   TEXT NOT NULL,
  key_sealed BLOB NOT NULL,               -- PKCS#8 DER, sealed
  created_at BIGINT NOT NULL
);

CREATE TABLE seal_keys (
  id                 INTEGER PRIMARY KEY,
  administration_id  BIGINT NOT NULL,     -- 0: the platform
  administration_code TEXT NOT NULL,      -- '' for the platform; published with the key
  kid                TEXT NOT NULL UNIQUE, -- "<CODE>-<n>", platform "IDARA-<n>"
  cert_pem           TEXT NOT NULL,
  chain_pem          TEXT NOT NULL,       -- issuing chain without the root ('' when the root issued it)
  key_sealed         BLOB NOT NULL,       -- PKCS#8 DER of the P-256 key, sealed
  ed25519_pk         BLOB NOT NULL,       -- 32 bytes
  ed25519_sk_sealed  BLOB NOT NULL,       -- 64-byte libsodium secret key, sealed
  created_at         BIGINT NOT NULL,
  active             INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
);
-- At most one active key set per administration.
CREATE UNIQUE INDEX seal_keys_one_active ON seal_keys(administration_id) WHERE active = 1;
