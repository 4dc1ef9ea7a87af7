-- PLACEHOLDER: replaced by the owner of 0013_totp before landing.
SELECT 1;
