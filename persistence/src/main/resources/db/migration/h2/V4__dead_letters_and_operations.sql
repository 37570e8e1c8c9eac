-- Events the read model's projection could not handle, parked so that their slice goes on: each
-- with the error, until an administrator re-drives it (POST .../dead-letters/{offset}/retry).
CREATE TABLE read_model_dead_letter (
  projection VARCHAR(64) NOT NULL,
  event_ordering BIGINT NOT NULL,
  slice VARCHAR(64) NOT NULL,
  persistence_id VARCHAR(255) NOT NULL,
  sequence_nr BIGINT NOT NULL,
  message VARCHAR(2000) NOT NULL,
  attempts INT NOT NULL,
  parked_at BIGINT NOT NULL,
  PRIMARY KEY (projection, event_ordering)
);

-- Long administrative operations (read-model rebuilds), visible from every node: progress is
-- written as they run, a cancellation is asked for here, and running_key lets only one rebuild of
-- a projection run at a time (it is cleared when the operation ends).
CREATE TABLE admin_operation (
  id VARCHAR(36) NOT NULL PRIMARY KEY,
  kind VARCHAR(64) NOT NULL,
  running_key VARCHAR(64) UNIQUE,
  parameters VARCHAR(2000) NOT NULL,
  state VARCHAR(16) NOT NULL,
  done_events BIGINT NOT NULL,
  total_events BIGINT NOT NULL,
  started_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  finished_at BIGINT,
  message VARCHAR(2000)
);
