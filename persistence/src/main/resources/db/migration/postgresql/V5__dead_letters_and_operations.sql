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

-- The document read model's second set of tables and which set is active: a full rebuild fills the
-- inactive set beside the active one, which keeps answering lists, and switches when it has
-- caught up (blue/green).
CREATE TABLE read_document_green (
  collection VARCHAR(64) NOT NULL,
  id VARCHAR(128) NOT NULL,
  version BIGINT NOT NULL,
  deleted BOOLEAN NOT NULL,
  indexed_with BIGINT NOT NULL DEFAULT 0,
  document TEXT NOT NULL,
  PRIMARY KEY (collection, id)
);
CREATE INDEX read_document_green_indexed_with ON read_document_green (collection, indexed_with);
CREATE TABLE read_document_field_green (
  collection VARCHAR(64) NOT NULL,
  id VARCHAR(128) NOT NULL,
  field VARCHAR(64) NOT NULL,
  string_value VARCHAR(512),
  number_value DOUBLE PRECISION,
  boolean_value BOOLEAN,
  timestamp_value BIGINT,
  PRIMARY KEY (collection, id, field)
);
CREATE INDEX read_document_field_green_string ON read_document_field_green (collection, field, string_value, id);
CREATE INDEX read_document_field_green_number ON read_document_field_green (collection, field, number_value, id);
CREATE INDEX read_document_field_green_boolean ON read_document_field_green (collection, field, boolean_value, id);
CREATE INDEX read_document_field_green_timestamp ON read_document_field_green (collection, field, timestamp_value, id);
CREATE TABLE read_model_tables (
  projection VARCHAR(64) NOT NULL PRIMARY KEY,
  active VARCHAR(8) NOT NULL
);
