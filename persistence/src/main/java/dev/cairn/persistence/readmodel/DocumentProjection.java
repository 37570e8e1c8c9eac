package dev.cairn.persistence.readmodel;

import dev.cairn.persistence.DocumentState;
import dev.cairn.protocol.DocumentKey;
import dev.cairn.protocol.event.DocumentEvent;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.persistence.query.Sequence;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.projection.jdbc.javadsl.JdbcHandler;

/**
 * Keeps {@code read_document} and {@code read_document_field} equal to the documents' state: each
 * event is folded into the stored state with the same {@link DocumentState#apply} the entities use.
 * A batch of events and the projection's offset commit in one transaction (exactly once).
 */
final class DocumentProjection
    extends JdbcHandler<List<EventEnvelope<DocumentEvent>>, PooledJdbcSession> {

  static final String NAME = "documents";

  private final String slice;

  DocumentProjection(String slice) {
    this.slice = slice;
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
    Map<DocumentKey, DocumentState> states = new HashMap<>();
    Map<String, ReadModelStore.Indexes> indexes = new HashMap<>();
    long ordering = 0;
    long timestamp = 0;
    for (EventEnvelope<DocumentEvent> envelope : envelopes) {
      DocumentKey key = DocumentKey.ofEntityId(envelope.persistenceId());
      DocumentState state = states.get(key);
      if (state == null) {
        state =
            ReadModelStore.document(connection, key)
                .orElse(DocumentState.empty(key.collection(), key.id()));
      }
      if (envelope.sequenceNr() == state.version() + 1) {
        states.put(key, state.apply(envelope.event()));
      }
      ordering = Math.max(ordering, ((Sequence) envelope.offset()).value());
      timestamp = Math.max(timestamp, envelope.timestamp());
    }
    for (DocumentState state : states.values()) {
      ReadModelStore.Indexes declared = indexes.get(state.collection());
      if (declared == null) {
        declared = ReadModelStore.indexes(connection, state.collection());
        indexes.put(state.collection(), declared);
      }
      ReadModelStore.saveDocument(connection, state, declared);
    }
    ReadModelStore.progress(connection, NAME, slice, ordering, timestamp);
  }
}
