package dev.cairn.persistence.readmodel;

import dev.cairn.persistence.CollectionState;
import dev.cairn.protocol.collection.CollectionEvent;
import dev.cairn.protocol.collection.CollectionView;
import java.sql.Connection;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.projection.jdbc.javadsl.JdbcHandler;

/**
 * Keeps {@code read_collection} equal to the collection definitions, and refills the index fields
 * of a collection's documents when its indexes change, in the same transaction as the offset.
 */
final class CollectionProjection
    extends JdbcHandler<EventEnvelope<CollectionEvent>, PooledJdbcSession> {

  static final String NAME = "collections";

  @Override
  public void process(PooledJdbcSession session, EventEnvelope<CollectionEvent> envelope)
      throws Exception {
    session.withConnection(
        connection -> {
          apply(connection, envelope);
          return null;
        });
  }

  private static void apply(Connection connection, EventEnvelope<CollectionEvent> envelope)
      throws java.sql.SQLException {
    String name = envelope.persistenceId().substring(envelope.persistenceId().indexOf('|') + 1);
    CollectionView previous = CollectionRows.collection(connection, name).orElse(null);
    if (previous != null && previous.version() >= envelope.sequenceNr()) {
      return;
    }
    CollectionState state =
        previous == null
            ? CollectionState.empty(name)
            : new CollectionState(
                name,
                previous.version(),
                previous.definition(),
                previous.createdAt(),
                previous.updatedAt());
    CollectionView next = state.apply(envelope.event()).toView();
    CollectionRows.saveCollection(connection, next);
    // Documents indexed with an older definition are reindexed by ReadModel's index repair.
  }
}
