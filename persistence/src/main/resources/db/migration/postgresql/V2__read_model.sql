-- The read model: each document's current state and its declared index fields, maintained by the
-- document projection, plus collection definitions, and the offsets of pekko-projection-jdbc
-- (its PostgreSQL dialect uses unquoted lowercase names).

CREATE TABLE read_document (
  collection VARCHAR(64) NOT NULL,
  id VARCHAR(128) NOT NULL,
  version BIGINT NOT NULL,
  deleted BOOLEAN NOT NULL,
  -- The version of the collection definition whose indexes read_document_field holds for it.
  indexed_with BIGINT NOT NULL DEFAULT 0,
  -- The document as a single GET returns it (JSON).
  document TEXT NOT NULL,
  PRIMARY KEY (collection, id)
);

CREATE INDEX read_document_indexed_with ON read_document (collection, indexed_with);

-- One row per document and declared index; exactly one of the value columns is set.
CREATE TABLE read_document_field (
  collection VARCHAR(64) NOT NULL,
  id VARCHAR(128) NOT NULL,
  field VARCHAR(64) NOT NULL,
  string_value VARCHAR(512),
  number_value DOUBLE PRECISION,
  boolean_value BOOLEAN,
  timestamp_value BIGINT,
  PRIMARY KEY (collection, id, field)
);
CREATE INDEX read_document_field_string ON read_document_field (collection, field, string_value, id);
CREATE INDEX read_document_field_number ON read_document_field (collection, field, number_value, id);
CREATE INDEX read_document_field_boolean ON read_document_field (collection, field, boolean_value, id);
CREATE INDEX read_document_field_timestamp ON read_document_field (collection, field, timestamp_value, id);

CREATE TABLE read_collection (
  name VARCHAR(64) NOT NULL PRIMARY KEY,
  version BIGINT NOT NULL,
  -- The collection as GET /v1/_collections/{name} returns it (JSON).
  collection TEXT NOT NULL
);

-- The newest event of each tag, found without scanning: read-model lag and catch-up checks.
CREATE INDEX event_tag_tag_idx ON event_tag (tag, event_id);

-- How far each projection instance has got: the newest event it applied.
CREATE TABLE read_model_progress (
  projection VARCHAR(64) NOT NULL,
  slice VARCHAR(64) NOT NULL,
  event_ordering BIGINT NOT NULL,
  event_timestamp BIGINT NOT NULL,
  PRIMARY KEY (projection, slice)
);

CREATE TABLE pekko_projection_offset_store (
  projection_name VARCHAR(255) NOT NULL,
  projection_key VARCHAR(255) NOT NULL,
  current_offset VARCHAR(255) NOT NULL,
  manifest VARCHAR(4) NOT NULL,
  mergeable BOOLEAN NOT NULL,
  last_updated BIGINT NOT NULL,
  PRIMARY KEY(projection_name, projection_key)
);
CREATE INDEX projection_name_index ON pekko_projection_offset_store (projection_name);

CREATE TABLE pekko_projection_management (
  projection_name VARCHAR(255) NOT NULL,
  projection_key VARCHAR(255) NOT NULL,
  paused BOOLEAN NOT NULL,
  last_updated BIGINT NOT NULL,
  PRIMARY KEY(projection_name, projection_key)
);
