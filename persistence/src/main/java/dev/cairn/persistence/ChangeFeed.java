package dev.cairn.persistence;

import dev.cairn.protocol.DocumentKey;
import dev.cairn.protocol.api.HistoryEntry;
import dev.cairn.protocol.event.DocumentEvent;
import java.util.Optional;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.query.Sequence;
import org.apache.pekko.stream.javadsl.Source;

/**
 * Every change to documents, live, in journal order, read from the journal by the tag all document
 * events carry. Each change has the journal's ordering as its offset: a consumer that remembers the
 * last offset it saw resumes after it with no gap and no duplicate.
 */
public final class ChangeFeed {

  /**
   * One change: its offset in the feed, the document, the change as its history shows it, and the
   * document's owner as the event recorded it (null when its collection named no owner then).
   */
  public record Change(long offset, DocumentKey key, HistoryEntry entry, String owner) {}

  private final JdbcReadJournal journal;

  public ChangeFeed(ActorSystem<?> system) {
    this.journal =
        PersistenceQuery.get(system)
            .getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
  }

  /** Changes after {@code offset} (0: from the beginning), of one collection or of all. */
  public Source<Change, NotUsed> after(long offset, Optional<String> collection) {
    return journal
        .eventsByTag(DocumentTags.ALL, Offset.sequence(offset))
        .map(
            envelope -> {
              DocumentEvent event = (DocumentEvent) envelope.event();
              return new Change(
                  ((Sequence) envelope.offset()).value(),
                  DocumentKey.ofEntityId(envelope.persistenceId()),
                  HistoryEntries.of(envelope.sequenceNr(), event),
                  event.meta().owner());
            })
        .filter(
            change -> collection.isEmpty() || change.key().collection().equals(collection.get()));
  }
}
