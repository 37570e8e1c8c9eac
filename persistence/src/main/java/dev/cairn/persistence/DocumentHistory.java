package dev.cairn.persistence;

import dev.cairn.protocol.DocumentKey;
import dev.cairn.protocol.event.DocumentEvent;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * A document's past, read from the journal: its events page by page, and its state at any version
 * or instant, folded with the same {@link DocumentState#apply} the entity uses. The journal keeps
 * every event (snapshots never delete any), so any version can be rebuilt.
 */
public final class DocumentHistory {

  /** One event with the version it produced. */
  public record VersionedEvent(long version, DocumentEvent event) {}

  private final ActorSystem<?> system;
  private final JdbcReadJournal journal;

  public DocumentHistory(ActorSystem<?> system) {
    this.system = system;
    this.journal =
        PersistenceQuery.get(system)
            .getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
  }

  /** Up to {@code limit} events after version {@code after}, oldest first. */
  public CompletionStage<List<VersionedEvent>> events(DocumentKey key, long after, int limit) {
    return events(key, after + 1, after + limit).runWith(Sink.seq(), system);
  }

  /** The state at {@code version}; empty if the document has fewer versions. */
  public CompletionStage<Optional<DocumentState>> stateAt(DocumentKey key, long version) {
    return events(key, 1, version)
        .runFold(DocumentState.empty(key.collection(), key.id()), DocumentHistory::fold, system)
        .thenApply(state -> state.version() == version ? Optional.of(state) : Optional.empty());
  }

  /** The state as it was at {@code instant}; empty if the document did not exist yet. */
  public CompletionStage<Optional<DocumentState>> stateAt(DocumentKey key, Instant instant) {
    return events(key, 1, Long.MAX_VALUE)
        .takeWhile(e -> !e.event().meta().timestamp().isAfter(instant))
        .runFold(DocumentState.empty(key.collection(), key.id()), DocumentHistory::fold, system)
        .thenApply(state -> state.everExisted() ? Optional.of(state) : Optional.empty());
  }

  private Source<VersionedEvent, ?> events(DocumentKey key, long fromVersion, long toVersion) {
    return journal
        .currentEventsByPersistenceId(key.entityId(), fromVersion, toVersion)
        .map(DocumentHistory::versioned);
  }

  private static VersionedEvent versioned(EventEnvelope envelope) {
    return new VersionedEvent(envelope.sequenceNr(), (DocumentEvent) envelope.event());
  }

  private static DocumentState fold(DocumentState state, VersionedEvent event) {
    return state.apply(event.event());
  }
}
