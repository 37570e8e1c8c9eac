package dev.cairn.persistence.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.cairn.persistence.CollectionEntity;
import dev.cairn.persistence.DocumentEntity;
import dev.cairn.protocol.DocumentKey;
import dev.cairn.protocol.Json;
import dev.cairn.protocol.access.Principal;
import dev.cairn.protocol.api.ImportReport;
import dev.cairn.protocol.api.JournalEntry;
import dev.cairn.protocol.collection.CollectionCommand;
import dev.cairn.protocol.collection.CollectionEvent;
import dev.cairn.protocol.collection.CollectionReply;
import dev.cairn.protocol.command.DocumentCommand;
import dev.cairn.protocol.event.DocumentEvent;
import dev.cairn.protocol.reply.DocumentReply;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByPersistenceIdQuery;
import org.apache.pekko.stream.javadsl.Framing;
import org.apache.pekko.stream.javadsl.FramingTruncation;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * Writes an export (NDJSON of {@link JournalEntry}, one event a line) into this journal, read as a
 * stream so that no import is held in memory whole. Each document's events go through its own
 * entity, wherever in the cluster it lives, so the one-writer rule holds and a running document
 * sees them; the entity checks that they continue its history and apply.
 *
 * <p>Events already here with the same content are skipped, so importing twice, or resuming from an
 * earlier offset, changes nothing. A document whose history here differs from the import's is
 * reported, and none of its events is written (after the first difference, its later lines are
 * counted as conflicting too).
 */
public final class JournalImport {

  /** Lines read before their documents are written, a window at a time, in order. */
  private static final int WINDOW = 5000;

  /** Documents of a window written at once. */
  private static final int PARALLELISM = 64;

  /**
   * Events of one document sent to its entity in one message: bounded in count and in bytes, so a
   * message to another node stays within Artery's frame size.
   */
  private static final int CHUNK_EVENTS = 100;

  private static final int CHUNK_BYTES = 96 * 1024;

  /** A line of the import that is not a journal entry; the import stops there. */
  public static final class Malformed extends RuntimeException {
    private final transient ImportReport sofar;

    Malformed(String message, ImportReport sofar) {
      super(message, null, false, false);
      this.sofar = sofar;
    }

    /** What had been imported before the line. */
    public ImportReport sofar() {
      return sofar;
    }
  }

  private final ActorSystem<?> system;
  private final ClusterSharding sharding;
  private final CurrentEventsByPersistenceIdQuery journal;
  private final Duration askTimeout;
  private final int maxLine;

  public JournalImport(ActorSystem<?> system, Duration askTimeout, int maxLineBytes) {
    this.system = system;
    this.sharding = ClusterSharding.get(system);
    this.journal =
        PersistenceQuery.get(system)
            .getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
    this.askTimeout = askTimeout;
    this.maxLine = maxLineBytes;
  }

  /** Imports {@code ndjson} as {@code caller}, who must be an administrator. */
  public CompletionStage<ImportReport> run(Source<ByteString, ?> ndjson, Principal caller) {
    Tally tally = new Tally();
    AtomicLong lineNumber = new AtomicLong();
    return ndjson
        .via(Framing.delimiter(ByteString.fromString("\n"), maxLine, FramingTruncation.ALLOW))
        .map(bytes -> bytes.decodeString(StandardCharsets.UTF_8).strip())
        .map(line -> new Line(lineNumber.incrementAndGet(), line))
        .filter(line -> !line.text().isEmpty())
        .map(line -> parsed(line, tally))
        .grouped(WINDOW)
        .mapAsync(1, window -> importWindow(window, caller, tally))
        .runWith(Sink.ignore(), system)
        .thenApply(done -> tally.report());
  }

  private record Line(long number, String text) {}

  /** A line read: its entry, its persistence id and the event it carries. */
  private record Parsed(JournalEntry entry, String persistenceId, Object event, int bytes) {}

  private static Parsed parsed(Line line, Tally tally) {
    try {
      JournalEntry entry = Json.mapper().readValue(line.text(), JournalEntry.class);
      if (entry.collection() == null || entry.id() == null || entry.version() < 1) {
        throw new JournalCodec.Unreadable("it names no collection, id and version");
      }
      String persistenceId = JournalCodec.persistenceId(entry);
      if (!JournalCodec.isDefinition(persistenceId)) {
        new DocumentKey(entry.collection(), entry.id());
      }
      return new Parsed(entry, persistenceId, JournalCodec.event(entry), line.text().length());
    } catch (JsonProcessingException e) {
      throw malformed(line, "it is not a journal entry: " + e.getOriginalMessage(), tally);
    } catch (JournalCodec.Unreadable | IllegalArgumentException e) {
      throw malformed(line, e.getMessage(), tally);
    }
  }

  private static Malformed malformed(Line line, String why, Tally tally) {
    return new Malformed(
        "line " + line.number() + " of the import cannot be imported: " + why, tally.report());
  }

  private CompletionStage<Void> importWindow(List<Parsed> window, Principal caller, Tally tally) {
    Map<String, List<Parsed>> byDocument = new LinkedHashMap<>();
    for (Parsed line : window) {
      byDocument.computeIfAbsent(line.persistenceId(), id -> new ArrayList<>()).add(line);
    }
    return Source.from(byDocument.entrySet())
        .mapAsyncUnordered(
            PARALLELISM, run -> importRun(run.getKey(), run.getValue(), caller, tally))
        .runWith(Sink.ignore(), system)
        .thenApply(done -> null);
  }

  /** One document's consecutive lines of a window: compared with what is here, then written. */
  private CompletionStage<Void> importRun(
      String persistenceId, List<Parsed> lines, Principal caller, Tally tally) {
    if (tally.conflicted.contains(persistenceId)) {
      tally.conflicting.addAndGet(lines.size());
      return CompletableFuture.completedFuture(null);
    }
    long first = lines.get(0).entry().version();
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).entry().version() != first + i) {
        tally.conflict(
            persistenceId,
            lines,
            first,
            "the import's versions of it are not consecutive: "
                + lines.get(i).entry().version()
                + " follows "
                + lines.get(i - 1).entry().version());
        return CompletableFuture.completedFuture(null);
      }
    }
    if (first == 1) {
      // A document's history from its start: most often it is not here at all, and its entity
      // (which must recover to take the events anyway) says so without a query of our own.
      int end = chunkEnd(lines);
      return send(persistenceId, 0, lines.subList(0, end), caller)
          .thenCompose(
              refusal -> {
                if (refusal == null) {
                  tally.imported.addAndGet(end);
                  return write(persistenceId, lines.subList(end, lines.size()), caller, tally);
                }
                return compareAndWrite(persistenceId, lines, caller, tally);
              });
    }
    return compareAndWrite(persistenceId, lines, caller, tally);
  }

  /** Compares the lines with the events already here, then writes those that follow them. */
  private CompletionStage<Void> compareAndWrite(
      String persistenceId, List<Parsed> lines, Principal caller, Tally tally) {
    long first = lines.get(0).entry().version();
    long last = first + lines.size() - 1;
    return journal
        .currentEventsByPersistenceId(persistenceId, first, last)
        .runWith(Sink.seq(), system)
        .thenCompose(
            existing -> {
              for (EventEnvelope here : existing) {
                JournalEntry imported = lines.get((int) (here.sequenceNr() - first)).entry();
                JournalEntry present =
                    JournalCodec.entry(0, persistenceId, here.sequenceNr(), "", here.event());
                if (present == null
                    || !JournalCodec.canonical(present.event())
                        .equals(JournalCodec.canonical(imported.event()))) {
                  tally.skipped.addAndGet(here.sequenceNr() - first);
                  tally.conflict(
                      persistenceId,
                      lines,
                      here.sequenceNr(),
                      "version " + here.sequenceNr() + " here differs from the import's");
                  return CompletableFuture.completedFuture(null);
                }
              }
              tally.skipped.addAndGet(existing.size());
              return write(
                  persistenceId, lines.subList(existing.size(), lines.size()), caller, tally);
            });
  }

  /** Writes a document's new events in chunks, each after the one before. */
  private CompletionStage<Void> write(
      String persistenceId, List<Parsed> lines, Principal caller, Tally tally) {
    if (lines.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    int end = chunkEnd(lines);
    List<Parsed> chunk = lines.subList(0, end);
    List<Parsed> rest = lines.subList(end, lines.size());
    long after = chunk.get(0).entry().version() - 1;
    return send(persistenceId, after, chunk, caller)
        .thenCompose(
            refusal -> {
              if (refusal != null) {
                tally.conflict(persistenceId, lines, after + 1, refusal);
                return CompletableFuture.completedFuture(null);
              }
              tally.imported.addAndGet(chunk.size());
              return write(persistenceId, rest, caller, tally);
            });
  }

  /** How many of the lines go into the next message to an entity. */
  private static int chunkEnd(List<Parsed> lines) {
    int end = 0;
    int bytes = 0;
    while (end < lines.size() && end < CHUNK_EVENTS && (end == 0 || bytes < CHUNK_BYTES)) {
      bytes += lines.get(end).bytes();
      end++;
    }
    return end;
  }

  /** Sends a chunk to the entity; completes with null when written, or with why not. */
  private CompletionStage<String> send(
      String persistenceId, long after, List<Parsed> chunk, Principal caller) {
    if (JournalCodec.isDefinition(persistenceId)) {
      List<CollectionEvent> events = new ArrayList<>();
      chunk.forEach(line -> events.add((CollectionEvent) line.event()));
      String name = persistenceId.substring(persistenceId.indexOf('|') + 1);
      return sharding
          .entityRefFor(CollectionEntity.TYPE_KEY, name)
          .<CollectionReply>ask(
              replyTo ->
                  new CollectionEntity.Command(
                      new CollectionCommand.Import(after, events), replyTo),
              askTimeout)
          .thenApply(reply -> reply instanceof CollectionReply.Rejected r ? r.detail() : null);
    }
    List<DocumentEvent> events = new ArrayList<>();
    chunk.forEach(line -> events.add((DocumentEvent) line.event()));
    return sharding
        .entityRefFor(DocumentEntity.TYPE_KEY, persistenceId)
        .<DocumentReply>ask(
            replyTo ->
                new DocumentEntity.Command(
                    new DocumentCommand.Import(after, events, caller), replyTo),
            askTimeout)
        .thenApply(reply -> reply instanceof DocumentReply.Rejected r ? r.detail() : null);
  }

  /** What an import has done so far. */
  private static final class Tally {
    final AtomicLong imported = new AtomicLong();
    final AtomicLong skipped = new AtomicLong();
    final AtomicLong conflicting = new AtomicLong();
    final Set<String> conflicted = ConcurrentHashMap.newKeySet();
    final List<ImportReport.Conflict> conflicts = new ArrayList<>();

    void conflict(String persistenceId, List<Parsed> lines, long version, String reason) {
      conflicted.add(persistenceId);
      long notWritten = lines.stream().filter(line -> line.entry().version() >= version).count();
      conflicting.addAndGet(notWritten);
      JournalEntry entry = lines.get(0).entry();
      synchronized (conflicts) {
        if (conflicts.size() < ImportReport.MAX_LISTED) {
          conflicts.add(new ImportReport.Conflict(entry.collection(), entry.id(), version, reason));
        }
      }
    }

    ImportReport report() {
      synchronized (conflicts) {
        return new ImportReport(
            imported.get(), skipped.get(), conflicting.get(), List.copyOf(conflicts));
      }
    }
  }
}
