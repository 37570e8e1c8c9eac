package dev.cairn.node;

import java.util.Map;

/** The read side on a real PostgreSQL journal. */
class PostgresReadSideTest extends ReadSideTest {

  @Override
  Map<String, Object> journalSettings() {
    return Map.of("cairn.db.url", TestPostgres.freshDatabase(), "cairn.db.user", "postgres");
  }
}
