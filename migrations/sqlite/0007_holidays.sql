-- Holiday adjustments (deadline/holiday_store.hpp): an administrator moves one occurrence of a Hijri
-- holiday (code + Hijri year) by -2..+2 days when the moon sighting differs from the computed calendar.
-- Platform-wide (not per administration).
CREATE TABLE holiday_adjustments (
  code       TEXT NOT NULL CHECK (code IN ('hijri_new_year', 'mawlid', 'eid_al_fitr', 'eid_al_adha')),
  hijri_year BIGINT NOT NULL,
  shift_days BIGINT NOT NULL CHECK (shift_days BETWEEN -2 AND 2),
  set_by     BIGINT REFERENCES accounts(id),
  set_at     BIGINT NOT NULL,
  PRIMARY KEY (code, hijri_year)
);
