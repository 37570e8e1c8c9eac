package dev.cairn.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.config.CairnSettings;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

/**
 * Cairn's tables on PostgreSQL (db/before-schemas holds the first migration as a Cairn before
 * cairn.db.schema ran it, naming schema public): in a schema of their own, beside other
 * applications' tables; and a database migrated by a Cairn from before schemas, whose tables are in
 * {@code public}.
 */
class JournalSchemaTest {

  @Test
  void aDatabaseThatHoldsOtherTablesInPublicGetsCairnsInASchemaOfTheirOwn() throws Exception {
    String url = TestPostgres.emptyDatabase();
    try (Connection c = TestPostgres.connect(url);
        Statement statement = c.createStatement()) {
      statement.execute("CREATE TABLE public.orders (id INT PRIMARY KEY)");
    }

    int applied = JournalSchema.migrate(database(TestPostgres.inSchema(url, "cairn"), "cairn"));

    assertThat(applied).isGreaterThanOrEqualTo(3);
    assertThat(tables(url, "cairn"))
        .contains("event_journal", "read_document", "flyway_schema_history");
    assertThat(tables(url, "public")).containsExactly("orders");
  }

  @Test
  void tablesLeftInPublicByAnEarlierCairnAreRefusedUnlessTheSchemaIsPublic() throws Exception {
    String url = TestPostgres.emptyDatabase();
    Flyway.configure()
        .dataSource(url, "postgres", "")
        .locations("classpath:db/before-schemas")
        .load()
        .migrate();

    assertThatThrownBy(
            () -> JournalSchema.migrate(database(TestPostgres.inSchema(url, "cairn"), "cairn")))
        .isInstanceOf(JournalSchema.Unusable.class)
        .hasMessageContaining("CAIRN_DB_SCHEMA=public");
    int applied = JournalSchema.migrate(database(TestPostgres.inSchema(url, "public"), "public"));

    assertThat(applied).as("the migrations after the first").isEqualTo(6);
    assertThat(tables(url, "public"))
        .contains(
            "event_journal",
            "read_document",
            "read_model_failure",
            "cluster_secret",
            "read_model_dead_letter",
            "admin_operation");
  }

  /**
   * Journals written before the slice column kept a document event's slice and the change feed as
   * two tag rows: the migration moves the slice into the row and removes those tags, and keeps
   * other tags (a collection definition's).
   */
  @Test
  void documentEventsWrittenWithTagRowsKeepTheirSliceInTheirRow() throws Exception {
    String url = TestPostgres.inSchema(TestPostgres.emptyDatabase(), "cairn");
    Flyway.configure()
        .dataSource(url, "postgres", "")
        .schemas("cairn")
        .defaultSchema("cairn")
        .createSchemas(true)
        .locations("classpath:db/migration/postgresql")
        .target("5")
        .load()
        .migrate();
    try (Connection c = TestPostgres.connect(url);
        Statement statement = c.createStatement()) {
      statement.execute(
          "INSERT INTO event_journal (ordering, persistence_id, sequence_number, writer,"
              + " event_ser_id, event_ser_manifest, event_payload) VALUES"
              + " (1, 'c|a', 1, 'w', 1, 'm', '\\x00'), (2, '_collection|c', 1, 'w', 1, 'm', '\\x00'),"
              + " (3, 'c|b', 1, 'w', 1, 'm', '\\x00')");
      statement.execute(
          "INSERT INTO event_tag (event_id, tag) VALUES (1, 'documents-5'), (1, 'documents'),"
              + " (2, 'collections'), (3, 'documents-0'), (3, 'documents')");
    }

    JournalSchema.migrate(database(url, "cairn"));

    try (Connection c = TestPostgres.connect(url);
        Statement statement = c.createStatement()) {
      try (ResultSet rows =
          statement.executeQuery("SELECT ordering, slice FROM event_journal ORDER BY ordering")) {
        java.util.List<String> slices = new java.util.ArrayList<>();
        while (rows.next()) {
          slices.add(rows.getLong(1) + ":" + rows.getObject(2));
        }
        assertThat(slices).containsExactly("1:5", "2:null", "3:0");
      }
      try (ResultSet rows = statement.executeQuery("SELECT event_id, tag FROM event_tag")) {
        assertThat(rows.next()).isTrue();
        assertThat(rows.getLong(1) + ":" + rows.getString(2)).isEqualTo("2:collections");
        assertThat(rows.next()).isFalse();
      }
    }
  }

  private static CairnSettings.Database database(String url, String schema) {
    return new CairnSettings.Database(
        CairnSettings.Database.Kind.POSTGRESQL, url, schema, "postgres", "", 2, true);
  }

  private static java.util.List<String> tables(String url, String schema) throws Exception {
    java.util.List<String> tables = new java.util.ArrayList<>();
    try (Connection c = TestPostgres.connect(url);
        ResultSet rows = c.getMetaData().getTables(null, schema, "%", new String[] {"TABLE"})) {
      while (rows.next()) {
        tables.add(rows.getString("TABLE_NAME"));
      }
    }
    return tables;
  }
}
