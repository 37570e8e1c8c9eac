package dev.cairn.persistence;

import dev.cairn.protocol.DocumentKey;
import dev.cairn.protocol.api.HistoryEntry;
import dev.cairn.protocol.event.DocumentEvent;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByPersistenceIdQuery;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * A document's past, read from the journal: its events page by page, and its state at any version
 * or instant, folded with the same {@link DocumentState#apply} the entity uses. The journal keeps
 * every event (snapshots never delete any), so any version can be rebuilt.
 */
public final class DocumentHistory {

  private final ActorSystem<?> system;
  private final CurrentEventsByPersistenceIdQuery journal;

  public DocumentHistory(ActorSystem<?> system, CurrentEventsByPersistenceIdQuery journal) {
    this.system = system;
    this.journal = journal;
  }

  /** The history in the node's JDBC journal. */
  public static DocumentHistory of(ActorSystem<?> system) {
    return new DocumentHistory(
        system,
        PersistenceQuery.get(system)
            .getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier()));
  }

  /** Up to {@code limit} history entries after version {@code after}, oldest first. */
  public CompletionStage<List<HistoryEntry>> entries(DocumentKey key, long after, int limit) {
    return journal
        .currentEventsByPersistenceId(key.entityId(), after + 1, after + limit)
        .map(e -> HistoryEntries.of(e.sequenceNr(), event(e)))
        .runWith(Sink.seq(), system);
  }

  /** The state at {@code version}; empty if the document has fewer versions. */
  public CompletionStage<Optional<DocumentState>> stateAt(DocumentKey key, long version) {
    return events(key, version)
        .runFold(DocumentState.empty(key.collection(), key.id()), DocumentState::apply, system)
        .thenApply(state -> state.version() == version ? Optional.of(state) : Optional.empty());
  }

  /** The state as it was at {@code instant}; empty if the document did not exist yet. */
  public CompletionStage<Optional<DocumentState>> stateAt(DocumentKey key, Instant instant) {
    return events(key, Long.MAX_VALUE)
        .takeWhile(event -> !event.meta().timestamp().isAfter(instant))
        .runFold(DocumentState.empty(key.collection(), key.id()), DocumentState::apply, system)
        .thenApply(state -> state.everExisted() ? Optional.of(state) : Optional.empty());
  }

  private Source<DocumentEvent, ?> events(DocumentKey key, long toVersion) {
    return journal
        .currentEventsByPersistenceId(key.entityId(), 1, toVersion)
        .map(DocumentHistory::event);
  }

  private static DocumentEvent event(EventEnvelope envelope) {
    return (DocumentEvent) envelope.event();
  }
}
