package dev.cairn.persistence.readmodel;

import dev.cairn.persistence.Database;
import dev.cairn.persistence.DocumentState;
import dev.cairn.protocol.DocumentKey;
import dev.cairn.protocol.event.DocumentEvent;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.persistence.query.Sequence;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.projection.jdbc.javadsl.JdbcHandler;
import org.apache.pekko.serialization.Serialization;

/**
 * Keeps {@code read_document} and {@code read_document_field} equal to the documents' state: each
 * event is folded into the stored state with the same {@link DocumentState#apply} the entities use.
 * A batch of events and the projection's offset commit in one transaction (exactly once); the batch
 * reads and writes its documents in a few JDBC batches, not a few statements per event, and on
 * PostgreSQL does not read the rows it wrote itself in its last batches ({@link WrittenRows}).
 */
final class DocumentProjection
    extends JdbcHandler<List<EventEnvelope<DocumentEvent>>, PooledJdbcSession> {

  static final String NAME = "documents";

  private final String slice;
  private final DeadLetters deadLetters;
  private final Serialization serialization;
  private final WrittenRows written = new WrittenRows();

  DocumentProjection(String slice, DeadLetters deadLetters, Serialization serialization) {
    this.slice = slice;
    this.deadLetters = deadLetters;
    this.serialization = serialization;
  }

  /**
   * A document whose next event here is beyond its next version: an event of it was passed over.
   * That happens when an event commits long after later events of other documents (a writer frozen
   * mid-transaction): the journal query waits for a missing offset only so long, then goes on
   * without it. The document's events up to this one are read from the journal and folded, so the
   * read model does not stop following it. A document with a parked event is left waiting for it,
   * as before. A passed-over event that does not apply fails this event, which is parked after its
   * retries. An event not committed yet is not there to fold: the document then catches up at its
   * next event.
   */
  private DocumentState passedOver(
      Connection connection, String persistenceId, DocumentState state, long before)
      throws SQLException {
    for (DeadLetters.Letter letter : DeadLetters.list(connection, NAME)) {
      if (letter.persistenceId().equals(persistenceId)) {
        return state;
      }
    }
    DocumentState folded = state;
    try (PreparedStatement select =
        connection.prepareStatement(
            "SELECT \"sequence_number\", \"event_payload\", \"event_ser_id\","
                + " \"event_ser_manifest\" FROM \"event_journal\" WHERE \"persistence_id\" = ?"
                + " AND \"sequence_number\" > ? AND \"sequence_number\" < ?"
                + " AND NOT \"deleted\" ORDER BY \"sequence_number\"")) {
      select.setString(1, persistenceId);
      select.setLong(2, state.version());
      select.setLong(3, before);
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next() && rows.getLong(1) == folded.version() + 1) {
          Object event =
              serialization.deserialize(rows.getBytes(2), rows.getInt(3), rows.getString(4)).get();
          folded = folded.apply((DocumentEvent) event);
        }
      }
    }
    return folded;
  }

  @Override
  public void start() {
    written.forgetAll();
  }

  @Override
  public void process(PooledJdbcSession session, List<EventEnvelope<DocumentEvent>> envelopes)
      throws Exception {
    session.withConnection(
        connection -> {
          apply(session, connection, envelopes);
          return null;
        });
  }

  /**
   * Folds a batch into the rows. On PostgreSQL a document this projection wrote in its last batches
   * is folded onto its row as written ({@link WrittenRows}), and one whose first event here is its
   * first event onto no row, without reading either: its row is then written only if it is still as
   * assumed (the same version and text, or none). The others, and any whose assumption proves wrong
   * or whose events do not apply to it, are read and folded as they are.
   */
  private void apply(
      PooledJdbcSession session,
      Connection connection,
      List<EventEnvelope<DocumentEvent>> envelopes)
      throws SQLException {
    ReadTables tables = ReadTables.active(connection);
    boolean postgres = Database.isPostgres(connection);
    Map<DocumentKey, List<EventEnvelope<DocumentEvent>>> byDocument = new LinkedHashMap<>();
    long ordering = 0;
    long timestamp = 0;
    for (EventEnvelope<DocumentEvent> envelope : envelopes) {
      byDocument
          .computeIfAbsent(DocumentKey.ofEntityId(envelope.persistenceId()), k -> new ArrayList<>())
          .add(envelope);
      ordering = Math.max(ordering, offset(envelope));
      timestamp = Math.max(timestamp, envelope.timestamp());
    }
    written.begin(tables, offset(envelopes.get(0)));
    Map<DocumentKey, DocumentRows.Row> assumed = new HashMap<>();
    List<DocumentKey> unknown = new ArrayList<>();
    for (Map.Entry<DocumentKey, List<EventEnvelope<DocumentEvent>>> entry : byDocument.entrySet()) {
      DocumentKey key = entry.getKey();
      DocumentRows.Row row = postgres ? written.get(key) : null;
      if (row != null) {
        assumed.put(key, row);
      } else if (postgres && entry.getValue().get(0).sequenceNr() == 1) {
        assumed.put(key, null);
      } else {
        unknown.add(key);
      }
    }
    Map<String, DocumentRows.Indexes> indexes = new HashMap<>();
    List<DeadLetters.Letter> parked = new ArrayList<>();
    if (postgres) {
      Map<DocumentKey, DocumentRows.Row> saved =
          writeAssumed(connection, tables, byDocument, assumed, unknown, indexes, parked);
      long through = ordering;
      session.afterCommit(() -> written.committed(saved.values(), through));
    } else {
      writeFolded(connection, tables, byDocument, unknown, indexes, parked, null);
    }
    ReadModelProgress.progress(connection, NAME, slice, ordering, timestamp);
    parked.forEach(deadLetters::parked);
  }

  /**
   * On PostgreSQL: reads the {@code unknown} documents, folds every document's events onto its row
   * (as read, or as {@code assumed}: the row as last written, null for none) and writes the rows in
   * one statement per kind, the assumed ones only where the row is as assumed; those that are not,
   * or whose events did not apply to the assumed row, are then read and folded as they are. Answers
   * the rows written.
   */
  private Map<DocumentKey, DocumentRows.Row> writeAssumed(
      Connection connection,
      ReadTables tables,
      Map<DocumentKey, List<EventEnvelope<DocumentEvent>>> byDocument,
      Map<DocumentKey, DocumentRows.Row> assumed,
      List<DocumentKey> unknown,
      Map<String, DocumentRows.Indexes> indexes,
      List<DeadLetters.Letter> parked)
      throws SQLException {
    Map<DocumentKey, DocumentState> stored;
    if (unknown.isEmpty()) {
      DocumentRows.planByPrimaryKey(connection);
      stored = Map.of();
    } else {
      stored = DocumentRows.documents(connection, tables, unknown);
    }
    List<DocumentRows.Row> updates = new ArrayList<>();
    List<DocumentRows.Row> replacing = new ArrayList<>();
    List<DocumentRows.Row> inserts = new ArrayList<>();
    Set<DocumentKey> again = new LinkedHashSet<>();
    for (DocumentKey key : byDocument.keySet()) {
      boolean guessed = assumed.containsKey(key);
      DocumentRows.Row was = assumed.get(key);
      DocumentState base =
          guessed
              ? (was == null ? DocumentState.empty(key.collection(), key.id()) : was.state())
              : stored.getOrDefault(key, DocumentState.empty(key.collection(), key.id()));
      DocumentState folded =
          guessed
              ? foldOnto(base, byDocument.get(key))
              : fold(connection, base, byDocument.get(key), parked);
      if (folded == null) {
        // Perhaps only the guess was wrong: read and folded again below, where a failure counts
        // towards parking the event.
        again.add(key);
        continue;
      }
      if (folded == base) {
        continue;
      }
      indexes(connection, key.collection(), indexes);
      DocumentRows.Row row = DocumentRows.Row.of(folded);
      if (guessed ? was != null : stored.containsKey(key)) {
        updates.add(row);
        replacing.add(was);
      } else {
        inserts.add(row);
      }
    }
    Set<DocumentKey> updated =
        DocumentRows.updateRows(connection, tables, updates, replacing, indexes);
    Set<DocumentKey> inserted = DocumentRows.insertRows(connection, tables, inserts, true, indexes);
    Map<DocumentKey, DocumentRows.Row> saved = new HashMap<>();
    List<DocumentState> updatedStates = new ArrayList<>();
    for (DocumentRows.Row row : updates) {
      if (updated.contains(row.key())) {
        updatedStates.add(row.state());
        saved.put(row.key(), row);
      } else {
        missed(row.key(), assumed, again);
      }
    }
    for (DocumentRows.Row row : inserts) {
      if (inserted.contains(row.key())) {
        saved.put(row.key(), row);
      } else {
        missed(row.key(), assumed, again);
      }
    }
    DocumentRows.replaceFields(
        connection,
        tables,
        updatedStates,
        saved.values().stream().map(DocumentRows.Row::state).toList(),
        indexes);
    again.forEach(written::forget);
    if (!again.isEmpty()) {
      writeFolded(connection, tables, byDocument, again, indexes, parked, saved);
    }
    return saved;
  }

  /**
   * A row that was not as its batch found or assumed it. An assumed one is read and folded again;
   * one just read has been changed by another writer within the batch, which is retried.
   */
  private static void missed(
      DocumentKey key, Map<DocumentKey, DocumentRows.Row> assumed, Set<DocumentKey> again) {
    if (!assumed.containsKey(key)) {
      throw new IllegalStateException(
          "the read model row of "
              + key.collection()
              + "/"
              + key.id()
              + " changed while the projection wrote it; the batch is retried");
    }
    again.add(key);
  }

  /**
   * Reads these documents' rows, folds their events onto them (parking an event that keeps failing)
   * and writes the rows that changed; on PostgreSQL ({@code saved} given) also into {@code saved}.
   */
  private void writeFolded(
      Connection connection,
      ReadTables tables,
      Map<DocumentKey, List<EventEnvelope<DocumentEvent>>> byDocument,
      Collection<DocumentKey> keys,
      Map<String, DocumentRows.Indexes> indexes,
      List<DeadLetters.Letter> parked,
      Map<DocumentKey, DocumentRows.Row> saved)
      throws SQLException {
    Map<DocumentKey, DocumentState> stored = DocumentRows.documents(connection, tables, keys);
    List<DocumentState> changed = new ArrayList<>();
    for (DocumentKey key : keys) {
      DocumentState base =
          stored.getOrDefault(key, DocumentState.empty(key.collection(), key.id()));
      DocumentState folded = fold(connection, base, byDocument.get(key), parked);
      if (folded != base) {
        indexes(connection, key.collection(), indexes);
        changed.add(folded);
      }
    }
    if (saved == null) {
      DocumentRows.saveDocuments(connection, tables, changed, stored.keySet(), indexes);
      return;
    }
    List<DocumentRows.Row> rows = changed.stream().map(DocumentRows.Row::of).toList();
    DocumentRows.saveRows(connection, tables, rows, stored.keySet(), indexes);
    rows.forEach(row -> saved.put(row.key(), row));
  }

  /**
   * A document's state after its events of a batch: {@code state} itself when none of them applies
   * (all already folded into it, or waiting behind a parked one). An event that fails to apply
   * throws unless it has failed often enough to be parked: then it is parked (added to {@code
   * parked}) and the document stays as it was, its later events waiting with it.
   */
  private DocumentState fold(
      Connection connection,
      DocumentState state,
      List<EventEnvelope<DocumentEvent>> events,
      List<DeadLetters.Letter> parked)
      throws SQLException {
    for (EventEnvelope<DocumentEvent> envelope : events) {
      if (envelope.sequenceNr() <= state.version()) {
        continue;
      }
      long offset = offset(envelope);
      try {
        DocumentState base =
            envelope.sequenceNr() == state.version() + 1
                ? state
                : passedOver(connection, envelope.persistenceId(), state, envelope.sequenceNr());
        if (envelope.sequenceNr() == base.version() + 1) {
          state = base.apply(envelope.event());
        }
      } catch (RuntimeException e) {
        if (!deadLetters.failedAgain(offset)) {
          throw e;
        }
        DeadLetters.Letter letter =
            new DeadLetters.Letter(
                NAME,
                offset,
                slice,
                envelope.persistenceId(),
                envelope.sequenceNr(),
                e.toString(),
                DeadLetters.MAX_ATTEMPTS,
                System.currentTimeMillis());
        DeadLetters.park(connection, letter);
        parked.add(letter);
      }
    }
    return state;
  }

  /**
   * A document's state after its events of a batch, folded onto a guess at its row: null when an
   * event neither is in the guess nor follows it, or does not apply to it.
   */
  private static DocumentState foldOnto(
      DocumentState state, List<EventEnvelope<DocumentEvent>> events) {
    for (EventEnvelope<DocumentEvent> envelope : events) {
      if (envelope.sequenceNr() <= state.version()) {
        continue;
      }
      if (envelope.sequenceNr() != state.version() + 1) {
        return null;
      }
      try {
        state = state.apply(envelope.event());
      } catch (RuntimeException e) {
        return null;
      }
    }
    return state;
  }

  private static void indexes(
      Connection connection, String collection, Map<String, DocumentRows.Indexes> indexes)
      throws SQLException {
    if (!indexes.containsKey(collection)) {
      indexes.put(collection, CollectionRows.indexes(connection, collection));
    }
  }

  private static long offset(EventEnvelope<DocumentEvent> envelope) {
    return ((Sequence) envelope.offset()).value();
  }
}
