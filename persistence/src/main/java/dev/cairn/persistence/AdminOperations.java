package dev.cairn.persistence;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.protocol.Json;
import dev.cairn.protocol.api.OperationView;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletionStage;

/**
 * Long administrative operations (read-model rebuilds, imports) as rows of {@code admin_operation}
 * that every node reads: the node running one writes its progress as it goes and its outcome when
 * it ends, and a cancellation is asked for by changing its state, which the next progress report
 * sees. An operation whose node has not reported for {@link #ABANDONED_MILLIS} is shown as
 * abandoned.
 */
public final class AdminOperations {

  /** How often a running operation reports its progress. */
  public static final long REPORT_MILLIS = 500;

  /** After how long without a report a running operation is abandoned. */
  public static final long ABANDONED_MILLIS = 30_000;

  private static final int MAX_MESSAGE = 2000;

  private final Database database;

  public AdminOperations(Database database) {
    this.database = database;
  }

  /**
   * Records a new running operation of {@code kind} over {@code total} events, that any number of
   * others may run beside; completes with its id.
   */
  public CompletionStage<String> begin(String kind, JsonNode parameters, long total) {
    String id = UUID.randomUUID().toString();
    return database.run(
        c -> {
          insert(c, id, kind, null, parameters, total);
          return id;
        });
  }

  /** Writes progress; completes with false when a cancellation has been asked for. */
  public CompletionStage<Boolean> report(String id, long done) {
    return database.run(c -> report(c, id, done));
  }

  /** Records how the operation ended, with its result (JSON, or null). */
  public CompletionStage<Void> finish(
      String id, String state, long done, String message, JsonNode result) {
    return database.run(
        c -> {
          finish(c, id, state, done, message, result);
          return null;
        });
  }

  public CompletionStage<Optional<OperationView>> get(String id) {
    return database.run(c -> view(c, id));
  }

  /** The operations running now, on any node (for the metrics' progress). */
  public CompletionStage<List<OperationView>> running() {
    return database.run(
        c -> {
          List<String> ids = new ArrayList<>();
          try (PreparedStatement select =
                  c.prepareStatement(
                      "SELECT id FROM admin_operation WHERE state IN ('running', 'cancelling')");
              ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
              ids.add(rows.getString(1));
            }
          }
          List<OperationView> running = new ArrayList<>();
          for (String id : ids) {
            view(c, id).filter(v -> !v.state().equals("abandoned")).ifPresent(running::add);
          }
          return running;
        });
  }

  /** Asks a running operation to stop; empty when there is no such operation. */
  public CompletionStage<Optional<OperationView>> cancel(String id) {
    return database.run(
        c -> {
          try (PreparedStatement update =
              c.prepareStatement(
                  "UPDATE admin_operation SET state = 'cancelling' WHERE id = ? AND state = 'running'")) {
            update.setString(1, id);
            update.executeUpdate();
          }
          return view(c, id);
        });
  }

  /**
   * Inserts a running operation; with a {@code runningKey}, it fails while another operation with
   * that key runs (the column is unique, and cleared when an operation ends).
   */
  public static void insert(
      Connection c, String id, String kind, String runningKey, JsonNode parameters, long total)
      throws SQLException {
    long now = System.currentTimeMillis();
    try (PreparedStatement insert =
        c.prepareStatement(
            "INSERT INTO admin_operation (id, kind, running_key, parameters, state, done_events,"
                + " total_events, started_at, updated_at) VALUES (?, ?, ?, ?, 'running', 0, ?, ?,"
                + " ?)")) {
      insert.setString(1, id);
      insert.setString(2, kind);
      insert.setString(3, runningKey);
      insert.setString(4, parameters.toString());
      insert.setLong(5, total);
      insert.setLong(6, now);
      insert.setLong(7, now);
      insert.executeUpdate();
    }
  }

  /** Writes progress; false when a cancellation has been asked for. */
  public static boolean report(Connection c, String id, long done) throws SQLException {
    try (PreparedStatement update =
        c.prepareStatement(
            "UPDATE admin_operation SET done_events = ?, updated_at = ? WHERE id = ? AND state = 'running'")) {
      update.setLong(1, done);
      update.setLong(2, System.currentTimeMillis());
      update.setString(3, id);
      return update.executeUpdate() == 1;
    }
  }

  /**
   * Records how an operation ended and frees its running key. Done, its total becomes what it did:
   * the total was counted before it began.
   */
  public static void finish(
      Connection c, String id, String state, long done, String message, JsonNode result)
      throws SQLException {
    long now = System.currentTimeMillis();
    try (PreparedStatement update =
        c.prepareStatement(
            "UPDATE admin_operation SET state = ?, done_events = ?, updated_at = ?, finished_at = ?,"
                + " message = ?, result = ?, running_key = NULL"
                + (state.equals("done") ? ", total_events = " + done : "")
                + " WHERE id = ?")) {
      update.setString(1, state);
      update.setLong(2, done);
      update.setLong(3, now);
      update.setLong(4, now);
      update.setString(
          5,
          message == null ? null : message.substring(0, Math.min(MAX_MESSAGE, message.length())));
      update.setString(6, result == null ? null : result.toString());
      update.setString(7, id);
      update.executeUpdate();
    }
  }

  public static Optional<OperationView> view(Connection c, String id) throws SQLException {
    try (PreparedStatement select =
        c.prepareStatement(
            "SELECT kind, parameters, state, done_events, total_events, started_at, updated_at,"
                + " finished_at, message, result FROM admin_operation WHERE id = ?")) {
      select.setString(1, id);
      try (ResultSet row = select.executeQuery()) {
        if (!row.next()) {
          return Optional.empty();
        }
        String state = row.getString(3);
        long done = row.getLong(4);
        long total = row.getLong(5);
        long started = row.getLong(6);
        long updated = row.getLong(7);
        Long finished = row.getObject(8, Long.class);
        if ((state.equals("running") || state.equals("cancelling"))
            && System.currentTimeMillis() - updated > ABANDONED_MILLIS) {
          state = "abandoned";
        }
        double seconds =
            Math.max(0.001, ((finished != null ? finished : updated) - started) / 1000.0);
        double rate = done / seconds;
        Long eta =
            state.equals("running") && rate > 0
                ? (long) Math.ceil(Math.max(0, total - done) / rate)
                : null;
        String result = row.getString(10);
        return Optional.of(
            new OperationView(
                id,
                row.getString(1),
                json(row.getString(2)),
                state,
                done,
                total,
                total == 0 ? 1.0 : Math.min(1.0, (double) done / total),
                Math.round(rate * 10) / 10.0,
                eta,
                Instant.ofEpochMilli(started),
                finished == null ? null : Instant.ofEpochMilli(finished),
                row.getString(9),
                result == null ? null : json(result)));
      }
    }
  }

  private static JsonNode json(String text) {
    try {
      return Json.mapper().readTree(text);
    } catch (JsonProcessingException e) {
      return Json.mapper().nullNode();
    }
  }
}
