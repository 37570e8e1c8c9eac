package dev.cairn.persistence;

import dev.cairn.config.CairnSettings;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * Creates and upgrades the journal, snapshot and read-model tables with versioned migrations, one
 * folder per database kind ({@code db/migration/h2}, {@code db/migration/postgresql}).
 */
public final class JournalSchema {

  private JournalSchema() {}

  /** Applies every pending migration and returns how many were applied. */
  public static int migrate(CairnSettings.Database database) {
    MigrateResult result =
        Flyway.configure()
            .dataSource(database.url(), database.user(), database.password())
            .locations("classpath:db/migration/" + database.kind().name().toLowerCase())
            .load()
            .migrate();
    return result.migrationsExecuted;
  }
}
