-- Payments of procedures with a fee (procedures/payments.hpp; docs/design/portal.md "Payments").
-- payments: one row per attempt to pay for an application. pending until the provider answers;
-- paid (with the sealed payment receipt in the blob store) or failed. A failed payment has no
-- receipt; the application went back to draft and a new attempt is a new row.
CREATE TABLE payments (
  id            TEXT PRIMARY KEY,
  application_id TEXT NOT NULL REFERENCES applications(id),
  provider      TEXT NOT NULL,
  provider_ref  TEXT NOT NULL,
  checkout_url  TEXT NOT NULL,
  amount_centimes BIGINT NOT NULL CHECK (amount_centimes > 0),
  currency      TEXT NOT NULL,
  state         TEXT NOT NULL CHECK (state IN ('pending', 'paid', 'failed')),
  created_at    BIGINT NOT NULL,
  updated_at    BIGINT NOT NULL,
  paid_at       BIGINT,
  receipt_blob  TEXT,
  receipt_sha256 TEXT,
  UNIQUE (provider, provider_ref)
);
CREATE INDEX payments_application ON payments(application_id, created_at);

-- The sandbox payment provider's own state (SandboxPaymentProvider: no real money). In a real
-- deployment this lives at the provider; idara's sandbox keeps it here.
CREATE TABLE sandbox_payments (
  ref           TEXT PRIMARY KEY,
  amount_centimes BIGINT NOT NULL,
  currency      TEXT NOT NULL,
  reference     TEXT NOT NULL,
  description   TEXT NOT NULL,
  state         TEXT NOT NULL CHECK (state IN ('pending', 'paid', 'failed')),
  card_last4    TEXT,
  created_at    BIGINT NOT NULL,
  updated_at    BIGINT NOT NULL
);
