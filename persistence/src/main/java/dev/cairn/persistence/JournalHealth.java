package dev.cairn.persistence;

import java.util.concurrent.CompletionStage;

/**
 * Whether the journal database answers, asked through the journal's own connection pool (the shared
 * one), so readiness reflects what writes will meet.
 */
public final class JournalHealth {

  private static final int VALIDATION_TIMEOUT_SECONDS = 2;

  private final Database database;

  public JournalHealth(Database database) {
    this.database = database;
  }

  /** Completes with true when a pooled connection is valid, false otherwise; never fails. */
  public CompletionStage<Boolean> check() {
    return database
        .run(connection -> connection.isValid(VALIDATION_TIMEOUT_SECONDS))
        .exceptionally(failure -> false);
  }
}
