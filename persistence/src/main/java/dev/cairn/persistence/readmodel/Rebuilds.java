package dev.cairn.persistence.readmodel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.persistence.Database;
import dev.cairn.persistence.DocumentState;
import dev.cairn.protocol.DocumentKey;
import dev.cairn.protocol.Json;
import dev.cairn.protocol.api.OperationView;
import dev.cairn.protocol.event.DocumentEvent;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rebuilds the document read model from the journal, for every document, one collection or one
 * document, while it keeps answering queries: each document is folded from all its events with the
 * code running now and its row replaced, unless the live projection has meanwhile written a newer
 * version of it (row locks keep the two apart). It runs in place, not blue/green: while it runs,
 * rows already rebuilt and rows not yet rebuilt answer side by side.
 *
 * <p>Its progress is an operation row any node reads ({@code GET /admin/operations/{id}}); a
 * cancellation is asked for there, and only one rebuild runs at a time in the cluster.
 */
public final class Rebuilds {

  /** Another rebuild of the read model is running. */
  public static final class AlreadyRunning extends RuntimeException {
    AlreadyRunning(String message) {
      super(message, null, false, false);
    }
  }

  /** Documents folded between two writes of rows and progress. */
  private static final int BATCH_DOCUMENTS = 200;

  /**
   * How often a running rebuild reports progress, and after how long without a report it is
   * abandoned.
   */
  private static final long REPORT_MILLIS = 500;

  private static final long ABANDONED_MILLIS = 30_000;

  private static final Logger log = LoggerFactory.getLogger(Rebuilds.class);

  private final Database database;
  private final Serialization serialization;
  private final Executor blocking;

  public Rebuilds(ActorSystem<?> system, Database database) {
    this.database = database;
    this.serialization = SerializationExtension.get(system.classicSystem());
    this.blocking = system.dispatchers().lookup(DispatcherSelector.blocking());
  }

  /**
   * Starts a rebuild of {@code projection} for {@code collection} (all when empty) and, with it,
   * one {@code id}; completes with the operation's id once it has started.
   */
  public CompletionStage<String> start(
      String projection, Optional<String> collection, Optional<String> id) {
    ObjectNode parameters = Json.mapper().createObjectNode().put("projection", projection);
    collection.ifPresent(c -> parameters.put("collection", c));
    id.ifPresent(i -> parameters.put("id", i));
    String operation = UUID.randomUUID().toString();
    return database
        .run(c -> begin(c, operation, projection, parameters, scope(collection, id)))
        .thenApply(
            total -> {
              CompletableFuture.runAsync(
                  () -> run(operation, scope(collection, id), total), blocking);
              return operation;
            });
  }

  public CompletionStage<Optional<OperationView>> get(String id) {
    return database.run(c -> view(c, id));
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

  /** Which journal rows a rebuild folds: a LIKE pattern on persistence ids, or one id. */
  private record Scope(String pattern, String exact) {}

  private static Scope scope(Optional<String> collection, Optional<String> id) {
    if (collection.isPresent() && id.isPresent()) {
      return new Scope(null, new DocumentKey(collection.get(), id.get()).entityId());
    }
    return new Scope(collection.map(c -> JournalPatterns.like(c + "|") + "%").orElse("%|%"), null);
  }

  private static String where(Scope scope) {
    return scope.exact() != null
        ? "\"persistence_id\" = ?"
        : "\"persistence_id\" LIKE ? ESCAPE '!' AND \"persistence_id\" NOT LIKE '!_%' ESCAPE '!'";
  }

  private long begin(
      Connection c, String operation, String projection, JsonNode parameters, Scope scope)
      throws SQLException {
    long now = System.currentTimeMillis();
    // A rebuild whose node stopped reporting no longer holds the read model.
    try (PreparedStatement abandon =
        c.prepareStatement(
            "UPDATE admin_operation SET state = 'abandoned', running_key = NULL"
                + " WHERE running_key = ? AND updated_at < ?")) {
      abandon.setString(1, projection);
      abandon.setLong(2, now - ABANDONED_MILLIS);
      abandon.executeUpdate();
    }
    long total;
    try (PreparedStatement count =
        c.prepareStatement(
            "SELECT COUNT(*) FROM \"event_journal\" WHERE \"deleted\" = FALSE AND "
                + where(scope))) {
      count.setString(1, scope.exact() != null ? scope.exact() : scope.pattern());
      try (ResultSet row = count.executeQuery()) {
        row.next();
        total = row.getLong(1);
      }
    }
    try (PreparedStatement insert =
        c.prepareStatement(
            "INSERT INTO admin_operation (id, kind, running_key, parameters, state, done_events,"
                + " total_events, started_at, updated_at) VALUES (?, 'rebuild', ?, ?, 'running', 0,"
                + " ?, ?, ?)")) {
      insert.setString(1, operation);
      insert.setString(2, projection);
      insert.setString(3, parameters.toString());
      insert.setLong(4, total);
      insert.setLong(5, now);
      insert.setLong(6, now);
      insert.executeUpdate();
    } catch (SQLException e) {
      if (runningRebuild(c, projection).isPresent()) {
        throw new AlreadyRunning(
            "a rebuild of "
                + projection
                + " is running: GET /admin/operations/"
                + runningRebuild(c, projection).get()
                + " (DELETE cancels it)");
      }
      throw e;
    }
    return total;
  }

  private static Optional<String> runningRebuild(Connection c, String projection)
      throws SQLException {
    try (PreparedStatement select =
        c.prepareStatement("SELECT id FROM admin_operation WHERE running_key = ?")) {
      select.setString(1, projection);
      try (ResultSet row = select.executeQuery()) {
        return row.next() ? Optional.of(row.getString(1)) : Optional.empty();
      }
    }
  }

  /** The rebuild itself, on a thread of the blocking dispatcher, with two connections. */
  private void run(String operation, Scope scope, long total) {
    long done = 0;
    String state = "done";
    String message = null;
    try (Connection read = database.connection();
        Connection write = database.connection()) {
      read.setAutoCommit(false);
      read.setReadOnly(true);
      try (PreparedStatement select =
          read.prepareStatement(
              "SELECT \"persistence_id\", \"sequence_number\", \"event_ser_id\","
                  + " \"event_ser_manifest\", \"event_payload\" FROM \"event_journal\""
                  + " WHERE \"deleted\" = FALSE AND "
                  + where(scope)
                  + " ORDER BY \"persistence_id\", \"sequence_number\"")) {
        select.setString(1, scope.exact() != null ? scope.exact() : scope.pattern());
        select.setFetchSize(500);
        try (ResultSet rows = select.executeQuery()) {
          List<DocumentState> batch = new ArrayList<>();
          DocumentState current = null;
          String currentId = null;
          boolean broken = false;
          long reported = System.currentTimeMillis();
          int failed = 0;
          while (rows.next()) {
            String persistenceId = rows.getString(1);
            if (!persistenceId.equals(currentId)) {
              if (current != null && !broken && current.everExisted()) {
                batch.add(current);
              }
              DocumentKey key = DocumentKey.ofEntityId(persistenceId);
              current = DocumentState.empty(key.collection(), key.id());
              currentId = persistenceId;
              broken = false;
              if (batch.size() >= BATCH_DOCUMENTS) {
                save(write, batch);
                batch.clear();
              }
            }
            done++;
            if (!broken) {
              try {
                Object event =
                    serialization
                        .deserialize(rows.getBytes(5), rows.getInt(3), rows.getString(4))
                        .get();
                current = current.apply((DocumentEvent) event);
              } catch (RuntimeException e) {
                // Left as it is: the live projection parks such an event, the check reports it.
                broken = true;
                failed++;
              }
            }
            if (System.currentTimeMillis() - reported >= REPORT_MILLIS) {
              reported = System.currentTimeMillis();
              if (!report(write, operation, done)) {
                state = "cancelled";
                break;
              }
            }
          }
          if (state.equals("done")) {
            if (current != null && !broken && current.everExisted()) {
              batch.add(current);
            }
            save(write, batch);
            if (failed > 0) {
              message =
                  failed + " documents have events that do not fold and were left as they were";
            }
          }
        }
      } finally {
        read.rollback();
      }
      finish(write, operation, state, done, message);
    } catch (SQLException | RuntimeException e) {
      log.error("the rebuild {} failed", operation, e);
      try (Connection c = database.connection()) {
        finish(c, operation, "failed", done, e.toString());
      } catch (SQLException again) {
        log.error("the rebuild {} could not record its failure", operation, again);
      }
    }
  }

  /**
   * Writes rebuilt documents' rows in one transaction, each only if the read model does not hold a
   * newer version of it: the live projection may have applied a later event meanwhile.
   */
  private static void save(Connection c, List<DocumentState> states) throws SQLException {
    if (states.isEmpty()) {
      return;
    }
    c.setAutoCommit(false);
    try {
      Map<String, List<DocumentState>> byCollection = new HashMap<>();
      for (DocumentState state : states) {
        byCollection.computeIfAbsent(state.collection(), k -> new ArrayList<>()).add(state);
      }
      List<DocumentState> newer = new ArrayList<>();
      Set<DocumentKey> stored = new HashSet<>();
      Map<String, DocumentRows.Indexes> indexes = new HashMap<>();
      for (Map.Entry<String, List<DocumentState>> entry : byCollection.entrySet()) {
        Map<String, Long> versions = lockedVersions(c, entry.getKey(), entry.getValue());
        for (DocumentState state : entry.getValue()) {
          Long version = versions.get(state.id());
          if (version != null) {
            stored.add(new DocumentKey(state.collection(), state.id()));
          }
          if (version == null || version <= state.version()) {
            newer.add(state);
          }
        }
        indexes.put(entry.getKey(), CollectionRows.indexes(c, entry.getKey()));
      }
      DocumentRows.saveDocuments(c, newer, stored, indexes);
      c.commit();
    } catch (SQLException | RuntimeException e) {
      c.rollback();
      throw e;
    } finally {
      c.setAutoCommit(true);
    }
  }

  private static Map<String, Long> lockedVersions(
      Connection c, String collection, List<DocumentState> states) throws SQLException {
    Map<String, Long> versions = new HashMap<>();
    try (PreparedStatement select =
        c.prepareStatement(
            "SELECT id, version FROM read_document WHERE collection = ? AND id IN ("
                + String.join(", ", Collections.nCopies(states.size(), "?"))
                + ") FOR UPDATE")) {
      select.setString(1, collection);
      for (int i = 0; i < states.size(); i++) {
        select.setString(i + 2, states.get(i).id());
      }
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          versions.put(rows.getString(1), rows.getLong(2));
        }
      }
    }
    return versions;
  }

  /** Writes progress; false when a cancellation has been asked for. */
  private static boolean report(Connection c, String operation, long done) throws SQLException {
    try (PreparedStatement update =
        c.prepareStatement(
            "UPDATE admin_operation SET done_events = ?, updated_at = ? WHERE id = ? AND state = 'running'")) {
      update.setLong(1, done);
      update.setLong(2, System.currentTimeMillis());
      update.setString(3, operation);
      return update.executeUpdate() == 1;
    }
  }

  private static void finish(
      Connection c, String operation, String state, long done, String message) throws SQLException {
    long now = System.currentTimeMillis();
    try (PreparedStatement update =
        c.prepareStatement(
            "UPDATE admin_operation SET state = ?, done_events = ?, updated_at = ?, finished_at = ?,"
                + " message = ?, running_key = NULL"
                // The total was counted before the fold began; done, it is what the fold read.
                + (state.equals("done") ? ", total_events = " + done : "")
                + " WHERE id = ?")) {
      update.setString(1, state);
      update.setLong(2, done);
      update.setLong(3, now);
      update.setLong(4, now);
      update.setString(
          5, message == null ? null : message.substring(0, Math.min(2000, message.length())));
      update.setString(6, operation);
      update.executeUpdate();
    }
  }

  private static Optional<OperationView> view(Connection c, String id) throws SQLException {
    try (PreparedStatement select =
        c.prepareStatement(
            "SELECT kind, parameters, state, done_events, total_events, started_at, updated_at,"
                + " finished_at, message FROM admin_operation WHERE id = ?")) {
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
            state.equals("running") && rate > 0 ? (long) Math.ceil((total - done) / rate) : null;
        JsonNode parameters;
        try {
          parameters = Json.mapper().readTree(row.getString(2));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
          parameters = Json.mapper().nullNode();
        }
        return Optional.of(
            new OperationView(
                id,
                row.getString(1),
                parameters,
                state,
                done,
                total,
                total == 0 ? 1.0 : Math.min(1.0, (double) done / total),
                Math.round(rate * 10) / 10.0,
                eta,
                Instant.ofEpochMilli(started),
                finished == null ? null : Instant.ofEpochMilli(finished),
                row.getString(9)));
      }
    }
  }
}
