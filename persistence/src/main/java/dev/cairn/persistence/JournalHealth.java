package dev.cairn.persistence;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.persistence.jdbc.db.SlickDatabase;
import org.apache.pekko.persistence.jdbc.db.SlickExtension;
import org.apache.pekko.persistence.jdbc.db.SlickExtensionImpl;

/**
 * Whether the journal database answers, asked through the journal's own connection pool (the shared
 * one), so readiness reflects what writes will meet.
 */
public final class JournalHealth {

  private static final int VALIDATION_TIMEOUT_SECONDS = 2;

  private final ActorSystem<?> system;
  private final Executor blocking;

  public JournalHealth(ActorSystem<?> system) {
    this.system = system;
    this.blocking = system.dispatchers().lookup(DispatcherSelector.blocking());
  }

  /** Completes with true when a pooled connection is valid, false otherwise; never fails. */
  public CompletionStage<Boolean> check() {
    return CompletableFuture.supplyAsync(this::connectionIsValid, blocking);
  }

  private boolean connectionIsValid() {
    SlickDatabase database =
        ((SlickExtensionImpl) SlickExtension.get(system.classicSystem()))
            .database(system.settings().config().getConfig("jdbc-journal"));
    try (Connection connection = database.database().source().createConnection()) {
      return connection.isValid(VALIDATION_TIMEOUT_SECONDS);
    } catch (SQLException | RuntimeException e) {
      return false;
    }
  }
}
