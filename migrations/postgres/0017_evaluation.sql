-- Evaluation of applications by reviewers, and decisions (procedures/evaluation.hpp;
-- docs/design/evaluation.md).
-- evaluation_reviews: one row per assigned reviewer of an application; scores (JSON object
-- criterion -> points), score_bp (the weighted percentage in basis points) and submitted_at are
-- NULL until the reviewer has reviewed.
CREATE TABLE evaluation_reviews (
  application_id TEXT NOT NULL REFERENCES applications(id),
  reviewer_id   BIGINT NOT NULL REFERENCES accounts(id),
  assigned_by   BIGINT NOT NULL REFERENCES accounts(id),
  assigned_at   BIGINT NOT NULL,
  scores        TEXT,
  score_bp      BIGINT CHECK (score_bp IS NULL OR (score_bp >= 0 AND score_bp <= 10000)),
  comment       TEXT NOT NULL DEFAULT '',
  no_conflict_at BIGINT,
  submitted_at  BIGINT,
  PRIMARY KEY (application_id, reviewer_id)
);
CREATE INDEX evaluation_reviews_reviewer ON evaluation_reviews(reviewer_id, submitted_at);

-- evaluation_decisions: mode each: one per application, effective at once; mode ranking: one per
-- drawn-up decision, signing until its parapheur circuit ends (effective or void).
CREATE TABLE evaluation_decisions (
  id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  administration_id BIGINT NOT NULL REFERENCES administrations(id),
  procedure_code TEXT NOT NULL,
  mode          TEXT NOT NULL CHECK (mode IN ('each', 'ranking')),
  state         TEXT NOT NULL CHECK (state IN ('signing', 'effective', 'void')),
  circuit_id    BIGINT REFERENCES circuits(id),
  decided_by    BIGINT NOT NULL REFERENCES accounts(id),
  created_at    BIGINT NOT NULL,
  finished_at   BIGINT,
  pdf_blob      TEXT
);
CREATE INDEX evaluation_decisions_procedure ON evaluation_decisions(administration_id, procedure_code, state);

-- evaluation_outcomes: what a decision says of each application it covers.
CREATE TABLE evaluation_outcomes (
  decision_id   BIGINT NOT NULL REFERENCES evaluation_decisions(id),
  application_id TEXT NOT NULL REFERENCES applications(id),
  outcome       TEXT NOT NULL CHECK (outcome IN ('granted', 'refused')),
  rank          INTEGER NOT NULL,
  score_bp      BIGINT NOT NULL,
  reason        TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (decision_id, application_id)
);
CREATE INDEX evaluation_outcomes_application ON evaluation_outcomes(application_id);
