-- PLACEHOLDER: replaced by the owner of 0012_parapheur before landing.
SELECT 1;
