package dev.cairn.persistence.readmodel;

import dev.cairn.persistence.DocumentState;
import dev.cairn.protocol.DocumentKey;
import dev.cairn.protocol.event.DocumentEvent;
import java.sql.Connection;
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

  DocumentProjection(String slice, DeadLetters deadLetters) {
    this.slice = slice;
    this.deadLetters = deadLetters;
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
      if (envelope.sequenceNr() == state.version() + 1) {
        try {
          changed.put(key, state.apply(envelope.event()));
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
