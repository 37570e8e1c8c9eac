package dev.cairn.persistence.admin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.persistence.CollectionRegistry;
import dev.cairn.persistence.Database;
import dev.cairn.persistence.DocumentSchemas;
import dev.cairn.persistence.DocumentState;
import dev.cairn.persistence.JournalPatterns;
import dev.cairn.protocol.Violation;
import dev.cairn.protocol.api.ReplayCheckReport;
import dev.cairn.protocol.collection.CollectionView;
import dev.cairn.protocol.event.DocumentEvent;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.stream.Collectors;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;

/**
 * A dry run of a code or schema change: every document of a collection folded from its events with
 * the code running now, and its state checked against the schema in force now, writing nothing.
 * What an operator runs before deploying, and after, to see that history still folds.
 */
public final class ReplayCheck {

  private static final int FETCH_SIZE = 500;

  private final Database database;
  private final Serialization serialization;
  private final CollectionRegistry registry;
  private final Duration validationTimeout;

  public ReplayCheck(
      ActorSystem<?> system,
      Database database,
      CollectionRegistry registry,
      Duration validationTimeout) {
    this.database = database;
    this.serialization = SerializationExtension.get(system.classicSystem());
    this.registry = registry;
    this.validationTimeout = validationTimeout;
  }

  public CompletionStage<ReplayCheckReport> check(String collection) {
    JsonNode schema =
        registry
            .definition(collection)
            .map(CollectionView::definition)
            .map(definition -> definition.schema())
            .orElse(null);
    return database.run(c -> fold(c, collection, schema));
  }

  /** What one pass over the collection's events has found so far. */
  private final class Pass {
    final String collection;
    final JsonNode schema;
    final List<ReplayCheckReport.Finding> findings = new ArrayList<>();
    long documents;
    long events;
    long undecodable;
    long unappliable;
    long invalid;
    String current;
    DocumentState state;
    boolean broken;

    Pass(String collection, JsonNode schema) {
      this.collection = collection;
      this.schema = schema;
    }

    void event(String persistenceId, long version, int serializer, String manifest, byte[] bytes) {
      if (!persistenceId.equals(current)) {
        finishDocument();
        current = persistenceId;
        documents++;
        state = DocumentState.empty(collection, persistenceId.substring(collection.length() + 1));
        broken = false;
      }
      events++;
      if (broken) {
        return;
      }
      Object event;
      try {
        event = serialization.deserialize(bytes, serializer, manifest).get();
      } catch (RuntimeException e) {
        undecodable++;
        find(version, "undecodable", e.toString());
        return;
      }
      try {
        state = state.apply((DocumentEvent) event);
      } catch (RuntimeException | StackOverflowError e) {
        unappliable++;
        find(version, "unappliable", e.getMessage() == null ? e.toString() : e.getMessage());
      }
    }

    void finishDocument() {
      if (current == null || broken || schema == null || !state.isLive()) {
        return;
      }
      List<Violation> violations = DocumentSchemas.check(schema, state.data(), validationTimeout);
      if (!violations.isEmpty()) {
        invalid++;
        find(
            state.version(),
            "invalid",
            violations.stream()
                .map(v -> (v.path().isEmpty() ? "(document)" : v.path()) + " " + v.message())
                .collect(Collectors.joining("; ")));
      }
    }

    private void find(long version, String kind, String message) {
      broken = true;
      if (findings.size() < ReplayCheckReport.MAX_LISTED) {
        findings.add(new ReplayCheckReport.Finding(state.id(), version, kind, message));
      }
    }
  }

  private ReplayCheckReport fold(Connection c, String collection, JsonNode schema)
      throws SQLException {
    long start = System.nanoTime();
    Pass pass = new Pass(collection, schema);
    c.setAutoCommit(false);
    try (PreparedStatement select =
        c.prepareStatement(
            "SELECT \"persistence_id\", \"sequence_number\", \"event_ser_id\","
                + " \"event_ser_manifest\", \"event_payload\" FROM \"event_journal\""
                + " WHERE \"persistence_id\" LIKE ? ESCAPE '!' AND \"deleted\" = FALSE"
                + " ORDER BY \"persistence_id\", \"sequence_number\"")) {
      select.setString(1, JournalPatterns.like(collection + "|") + "%");
      select.setFetchSize(FETCH_SIZE);
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          pass.event(
              rows.getString(1),
              rows.getLong(2),
              rows.getInt(3),
              rows.getString(4),
              rows.getBytes(5));
        }
      }
      pass.finishDocument();
    } finally {
      c.rollback();
      c.setAutoCommit(true);
    }
    return new ReplayCheckReport(
        collection,
        pass.documents,
        pass.events,
        pass.undecodable,
        pass.unappliable,
        pass.invalid,
        Duration.ofNanos(System.nanoTime() - start).toMillis(),
        List.copyOf(pass.findings));
  }
}
