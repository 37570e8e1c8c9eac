package dev.cairn.node;

import dev.cairn.persistence.TestPostgres;
import java.util.Map;

/** The read side on a real PostgreSQL journal. */
class PostgresReadSideTest extends ReadSideTest {

  @Override
  Map<String, Object> journalSettings() {
    return Map.of("cairn.db.url", TestPostgres.emptyDatabase(), "cairn.db.user", "postgres");
  }
}
