-- Why a projection instance (a slice of the journal) is stuck: its latest failure, written when it
-- fails and removed once it makes progress again, so that any node can say which slice is stuck
-- and why (GET /health/read-model), wherever the slice runs.
CREATE TABLE read_model_failure (
  projection VARCHAR(64) NOT NULL,
  slice VARCHAR(64) NOT NULL,
  -- The event it failed on, when the failure came from handling one (else NULL: reading failed).
  event_ordering BIGINT,
  persistence_id VARCHAR(255),
  sequence_nr BIGINT,
  message VARCHAR(2000) NOT NULL,
  failed_at BIGINT NOT NULL,
  PRIMARY KEY (projection, slice)
);
