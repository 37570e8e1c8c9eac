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

    assertThat(applied).as("the migrations after the first").isEqualTo(4);
    assertThat(tables(url, "public"))
        .contains(
            "event_journal",
            "read_document",
            "read_model_failure",
            "cluster_secret",
            "read_model_dead_letter",
            "admin_operation");
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
