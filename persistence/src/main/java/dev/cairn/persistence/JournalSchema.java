package dev.cairn.persistence;

import dev.cairn.config.CairnSettings;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.CoreErrorCode;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.flywaydb.core.api.output.MigrateResult;
import org.flywaydb.core.api.output.ValidateOutput;
import org.flywaydb.core.api.output.ValidateResult;

/**
 * Creates and upgrades the journal, snapshot and read-model tables with versioned migrations, one
 * folder per database kind ({@code db/migration/h2}, {@code db/migration/postgresql}). On
 * PostgreSQL they live, with Flyway's history, in a schema of their own ({@code cairn.db.schema}),
 * which the first migration creates: Cairn can share a database with other applications.
 */
public final class JournalSchema {

  /** The database cannot be used as it is; the message says what to do. */
  public static final class Unusable extends RuntimeException {
    Unusable(String message) {
      super(message, null, false, false);
    }
  }

  private JournalSchema() {}

  /** Applies every pending migration and returns how many were applied. */
  public static int migrate(CairnSettings.Database database) {
    FluentConfiguration flyway =
        Flyway.configure()
            .dataSource(database.url(), database.user(), database.password())
            .locations("classpath:db/migration/" + database.kind().name().toLowerCase());
    if (database.kind() == CairnSettings.Database.Kind.POSTGRESQL) {
      refuseTablesLeftInPublic(database);
      flyway.schemas(database.schema()).defaultSchema(database.schema()).createSchemas(true);
    }
    Flyway migrations = flyway.load();
    acceptUnqualifiedFirstMigration(migrations);
    MigrateResult result = migrations.migrate();
    return result.migrationsExecuted;
  }

  /**
   * The first PostgreSQL migration named schema {@code public} in its statements until Cairn's
   * tables got a schema of their own; it now names none. A database migrated before (kept in {@code
   * public} with {@code CAIRN_DB_SCHEMA=public}) has the old checksum for it: when that is the only
   * difference, the recorded checksum is brought up to date (Flyway's repair), as the tables are
   * the same.
   */
  private static void acceptUnqualifiedFirstMigration(Flyway migrations) {
    ValidateResult validation = migrations.validateWithResult();
    if (validation.validationSuccessful) {
      return;
    }
    List<ValidateOutput> changed =
        validation.invalidMigrations.stream()
            .filter(m -> m.errorDetails != null)
            .filter(m -> m.errorDetails.errorCode == CoreErrorCode.CHECKSUM_MISMATCH)
            .toList();
    if (changed.size() == 1 && "1".equals(changed.get(0).version)) {
      migrations.repair();
    }
  }

  /**
   * A Cairn from before schemas kept its tables in {@code public}. Migrating into a new schema then
   * would start an empty journal beside the real one, so the node refuses to start and says how to
   * keep or move them (docs/cluster.md).
   */
  private static void refuseTablesLeftInPublic(CairnSettings.Database database) {
    if (database.schema().equals("public")) {
      return;
    }
    try (Connection c =
        DriverManager.getConnection(database.url(), database.user(), database.password())) {
      if (hasCairnHistory(c, "public") && !hasCairnHistory(c, database.schema())) {
        throw new Unusable(
            "this database holds Cairn's tables in schema public, from a Cairn before"
                + " cairn.db.schema: start with CAIRN_DB_SCHEMA=public to keep them there, or move"
                + " them to schema "
                + database.schema()
                + " as docs/cluster.md shows");
      }
    } catch (SQLException e) {
      // Flyway reports a database it cannot reach, with the reason, when it tries.
    }
  }

  private static boolean hasCairnHistory(Connection c, String schema) throws SQLException {
    try (PreparedStatement select =
        c.prepareStatement(
            "SELECT 1 FROM information_schema.tables WHERE table_schema = ?"
                + " AND table_name = 'flyway_schema_history'")) {
      select.setString(1, schema);
      try (ResultSet table = select.executeQuery()) {
        if (!table.next()) {
          return false;
        }
      }
    }
    try (PreparedStatement select =
            c.prepareStatement(
                "SELECT 1 FROM \""
                    + schema
                    + "\".flyway_schema_history WHERE description = 'journal'");
        ResultSet row = select.executeQuery()) {
      return row.next();
    }
  }
}
