package dev.cairn.persistence;

import com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.persistence.jdbc.db.SlickExtension;
import org.apache.pekko.persistence.jdbc.db.SlickExtensionImpl;
import slick.jdbc.JdbcDataSource;
import slick.jdbc.hikaricp.HikariCPJdbcDataSource;

/**
 * Connections of the node's one pool, the one the journal plugins share ({@code use-shared-db}),
 * for everything else that talks to the database: health checks, projections and queries. Work runs
 * on Pekko's blocking dispatcher, never on the actors' threads.
 */
public final class Database {

  /** Work on a connection that may throw {@link SQLException}. */
  @FunctionalInterface
  public interface Work<T> {
    T apply(Connection connection) throws SQLException;
  }

  private final ActorSystem<?> system;
  private final Executor blocking;

  public Database(ActorSystem<?> system) {
    this.system = system;
    this.blocking = system.dispatchers().lookup(DispatcherSelector.blocking());
  }

  /** Whether {@code c} is a connection to PostgreSQL (else H2). */
  public static boolean isPostgres(Connection c) throws SQLException {
    return "PostgreSQL".equals(c.getMetaData().getDatabaseProductName());
  }

  /** A pooled connection; closing it returns it to the pool. */
  public Connection connection() throws SQLException {
    return source().createConnection();
  }

  /**
   * Puts the pool's own figures (connections active, idle, pending, the time to get one, timeouts:
   * Hikari's {@code hikaricp_*} meters) in this node's {@link CairnMetrics}. Once per node.
   */
  public void publishPoolMetrics() {
    if (source() instanceof HikariCPJdbcDataSource hikari) {
      CairnMetrics metrics = CairnMetrics.get(system);
      metrics.meters(
          MicrometerMetricsTrackerFactory.class,
          registry -> {
            MicrometerMetricsTrackerFactory tracker = new MicrometerMetricsTrackerFactory(registry);
            hikari.ds().setMetricsTrackerFactory(tracker);
            return tracker;
          });
    }
  }

  private JdbcDataSource source() {
    return ((SlickExtensionImpl) SlickExtension.get(system.classicSystem()))
        .database(system.settings().config().getConfig("jdbc-journal"))
        .database()
        .source();
  }

  /** Runs {@code work} on a pooled connection in auto-commit mode, off the actors' threads. */
  public <T> CompletionStage<T> run(Work<T> work) {
    return CompletableFuture.supplyAsync(
        () -> {
          try (Connection connection = connection()) {
            return work.apply(connection);
          } catch (SQLException e) {
            throw new CompletionException(e);
          }
        },
        blocking);
  }
}
