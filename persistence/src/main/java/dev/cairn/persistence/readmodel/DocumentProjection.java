package dev.cairn.persistence.readmodel;

import dev.cairn.persistence.DocumentState;
import dev.cairn.protocol.DocumentKey;
import dev.cairn.protocol.event.DocumentEvent;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
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
 * reads and writes its documents in a few JDBC batches, not a few statements per event.
 */
final class DocumentProjection
    extends JdbcHandler<List<EventEnvelope<DocumentEvent>>, PooledJdbcSession> {

  static final String NAME = "documents";

  private final String slice;
  private final DeadLetters deadLetters;
  private final Serialization serialization;

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
  public void process(PooledJdbcSession session, List<EventEnvelope<DocumentEvent>> envelopes)
      throws Exception {
    session.withConnection(
        connection -> {
          apply(connection, envelopes);
          return null;
        });
  }

  private void apply(Connection connection, List<EventEnvelope<DocumentEvent>> envelopes)
      throws SQLException {
    Set<DocumentKey> keys = new LinkedHashSet<>();
    for (EventEnvelope<DocumentEvent> envelope : envelopes) {
      keys.add(DocumentKey.ofEntityId(envelope.persistenceId()));
    }
    List<DeadLetters.Letter> parked = new ArrayList<>();
    ReadTables tables = ReadTables.active(connection);
    Map<DocumentKey, DocumentState> stored = DocumentRows.documents(connection, tables, keys);
    Map<DocumentKey, DocumentState> changed = new LinkedHashMap<>();
    long ordering = 0;
    long timestamp = 0;
    for (EventEnvelope<DocumentEvent> envelope : envelopes) {
      DocumentKey key = DocumentKey.ofEntityId(envelope.persistenceId());
      DocumentState state = changed.get(key);
      if (state == null) {
        state = stored.getOrDefault(key, DocumentState.empty(key.collection(), key.id()));
      }
      long offset = ((Sequence) envelope.offset()).value();
      if (envelope.sequenceNr() > state.version()) {
        try {
          DocumentState base =
              envelope.sequenceNr() == state.version() + 1
                  ? state
                  : passedOver(connection, envelope.persistenceId(), state, envelope.sequenceNr());
          if (envelope.sequenceNr() == base.version() + 1) {
            changed.put(key, base.apply(envelope.event()));
          }
        } catch (RuntimeException e) {
          if (!deadLetters.failedAgain(offset)) {
            throw e;
          }
          // Parked: the document stays as it was, and its later events wait with this one.
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
      ordering = Math.max(ordering, offset);
      timestamp = Math.max(timestamp, envelope.timestamp());
    }
    Map<String, DocumentRows.Indexes> indexes = new HashMap<>();
    for (DocumentState state : changed.values()) {
      if (!indexes.containsKey(state.collection())) {
        indexes.put(state.collection(), CollectionRows.indexes(connection, state.collection()));
      }
    }
    DocumentRows.saveDocuments(connection, tables, changed.values(), stored.keySet(), indexes);
    ReadModelProgress.progress(connection, NAME, slice, ordering, timestamp);
    parked.forEach(deadLetters::parked);
  }
}
