-- PLACEHOLDER: replaced by the owner of 0010_pki before landing.
SELECT 1;
