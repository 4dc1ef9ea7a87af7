-- Register counters: one row per administration, register ('in' / 'out') and year.
-- Advanced inside the registering transaction, so numbers are gap-free (registry/numbering.hpp).
CREATE TABLE register_counters (
  administration_id BIGINT NOT NULL REFERENCES administrations(id),
  register          TEXT NOT NULL CHECK (register IN ('in', 'out')),
  year              BIGINT NOT NULL,
  last              BIGINT NOT NULL,
  PRIMARY KEY (administration_id, register, year)
);
