-- Assisted filing (issue 7): an agent of a proximity centre files an application on behalf of a
-- citizen whose identity document they checked at the desk. The application belongs to the
-- agent's account (applicant_id = the agent); these columns say for whom, with which document,
-- and when the agent declared the identity checked.
--
-- The registered entry needs no new column: entries.channel keeps its CHECK of migration 0005
-- (widening it would mean rebuilding `entries` on SQLite, which ten tables reference). An
-- assisted entry is stored as channel 'counter' (a person given by name and ID number at a desk)
-- WITH a depositor_account_id (the agent; counter entries have none) and the agent's
-- administration as depositor_administration_id; registry::Channel::assisted is read back from
-- that combination (registry/deposit_queries.cpp).
ALTER TABLE applications ADD COLUMN assisted_by BIGINT REFERENCES accounts(id);
ALTER TABLE applications ADD COLUMN assisted_name TEXT;
ALTER TABLE applications ADD COLUMN assisted_id_type TEXT CHECK (assisted_id_type IN ('cin', 'passport'));
ALTER TABLE applications ADD COLUMN assisted_id_number TEXT;
ALTER TABLE applications ADD COLUMN assisted_email TEXT;
ALTER TABLE applications ADD COLUMN assisted_checked_at BIGINT;
-- When the agent had the receipt e-mailed to the citizen (through the outbox, outgoing_mail).
ALTER TABLE applications ADD COLUMN assisted_receipt_mailed_at BIGINT;
