-- PLACEHOLDER: replaced by the owner of 0011_journal before landing.
SELECT 1;
