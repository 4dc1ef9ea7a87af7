-- Second factor (identity/totp.hpp): one TOTP secret per account (RFC 6238, SHA-1, 6 digits, 30 s).
-- The 20-byte secret is sealed with crypto_secretbox under the platform master key, which is kept
-- outside the database (24-byte nonce, then the ciphertext). confirmed_at is NULL while the
-- enrolment waits for its first code. last_step is the time step of the last accepted code
-- (-1: none yet); a code of that step or an earlier one is refused (replay). Times are ms UTC.
CREATE TABLE totp_secrets (
  account_id    BIGINT PRIMARY KEY REFERENCES accounts(id),
  secret_sealed BLOB NOT NULL,
  confirmed_at  BIGINT,
  last_step     BIGINT NOT NULL DEFAULT -1,
  created_at    BIGINT NOT NULL
);
