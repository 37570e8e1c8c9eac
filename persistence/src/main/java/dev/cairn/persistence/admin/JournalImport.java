package dev.cairn.persistence.admin;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.cairn.persistence.AdminOperations;
import dev.cairn.persistence.CollectionEntity;
import dev.cairn.persistence.Database;
import dev.cairn.persistence.DocumentEntity;
import dev.cairn.persistence.DocumentState;
import dev.cairn.persistence.journal.NewHistories;
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
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.apache.pekko.Done;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByPersistenceIdQuery;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.stream.ActorAttributes;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.javadsl.Framing;
import org.apache.pekko.stream.javadsl.FramingTruncation;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes an export (NDJSON of {@link JournalEntry}, one event a line) into this journal, read as a
 * stream so that no import is held in memory whole. Every line is read before anything is written;
 * the lines are then put in document order (an external sort, {@link DocumentOrder}) and written a
 * window of whole documents at a time. The documents of a window that this journal has no events
 * of, and whose whole history the window holds, are written straight into the journal in one
 * transaction ({@link NewHistories}: the journal's key keeps one writer per document, and their
 * events are checked to apply first). Every other document's events go through its own entity,
 * wherever in the cluster it lives, so the one-writer rule holds and a running document sees them;
 * the entity checks that they continue its history and apply.
 *
 * <p>Events already here with the same content are skipped, so importing twice, or resuming from an
 * earlier offset, changes nothing. A document whose history here differs from the import's is
 * reported, and none of its events is written (after the first difference, its later lines are
 * counted as conflicting too).
 */
public final class JournalImport {

  /** Reading, sorting and spilling an import blocks on files: not on the actors' threads. */
  private static final String BLOCKING_DISPATCHER = "pekko.actor.default-blocking-io-dispatcher";

  private static final Attributes BLOCKING = ActorAttributes.dispatcher(BLOCKING_DISPATCHER);

  /** Reads a value inside a line, which goes on after it. */
  private static final ObjectReader IN_LINE =
      Json.mapper().reader().without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  /** The most text of an import kept in memory; beyond it, sorted runs go to temporary files. */
  private static final long RUN_BYTES = 32L * 1024 * 1024;

  /** Lines written at a time, in document order: whole documents, about this many lines. */
  private static final int WINDOW = 5000;

  /** The most lines of a window, which cuts a document with a longer history. */
  private static final int MAX_WINDOW = 4 * WINDOW;

  /** Documents of a window written at once. */
  private static final int PARALLELISM = 64;

  /**
   * Events of one document sent to its entity in one message: bounded in count and in bytes, so a
   * message to another node stays within Artery's frame size.
   */
  private static final int CHUNK_EVENTS = 100;

  private static final int CHUNK_BYTES = 96 * 1024;

  /**
   * A line of the import that is not a journal entry; the import stops there (see {@link #run}).
   */
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

  private static final Logger log = LoggerFactory.getLogger(JournalImport.class);

  private final ActorSystem<?> system;
  private final Database database;
  private final AdminOperations operations;
  private final NewHistories newHistories;

  /** The writer the journal names for the events this node's imports write directly. */
  private final String writer = "import-" + UUID.randomUUID();

  private final ClusterSharding sharding;
  private final CurrentEventsByPersistenceIdQuery journal;
  private final Duration askTimeout;
  private final int maxLine;

  public JournalImport(
      ActorSystem<?> system, Database database, Duration askTimeout, int maxLineBytes) {
    this.system = system;
    this.database = database;
    this.operations = new AdminOperations(database);
    this.newHistories = new NewHistories(SerializationExtension.get(system.classicSystem()));
    this.sharding = ClusterSharding.get(system);
    this.journal =
        PersistenceQuery.get(system)
            .getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
    this.askTimeout = askTimeout;
    this.maxLine = maxLineBytes;
  }

  /**
   * Imports {@code ndjson} as {@code caller}, who must be an administrator. Every line is read
   * before anything is written (a line that is not JSON, or names no document and version, stops
   * the import with nothing written), put in document order ({@link DocumentOrder}) and written a
   * window at a time; a line that is not an importable event stops it at its window.
   *
   * <p>Once every line is read, the import is an operation of {@link AdminOperations} (kind {@code
   * import}, over as many events as lines): its progress is reported while it writes, a
   * cancellation stops it before its next window, and its report is the operation's result.
   */
  public Run start(Source<ByteString, ?> ndjson, Principal caller) {
    Tally tally = new Tally();
    AtomicLong lineNumber = new AtomicLong();
    AtomicLong lines = new AtomicLong();
    AtomicBoolean cancelled = new AtomicBoolean();
    DocumentOrder order = new DocumentOrder(RUN_BYTES);
    CompletionStage<String> operation =
        ndjson
            .via(Framing.delimiter(ByteString.fromString("\n"), maxLine, FramingTruncation.ALLOW))
            .map(bytes -> bytes.decodeString(StandardCharsets.UTF_8).strip())
            .map(line -> new Line(lineNumber.incrementAndGet(), line))
            .filter(line -> !line.text().isEmpty())
            .map(line -> keyed(line, tally))
            .toMat(
                Sink.foreach(
                    line -> {
                      order.add(line);
                      lines.incrementAndGet();
                    }),
                Keep.right())
            .addAttributes(BLOCKING)
            .run(system)
            .thenCompose(
                read ->
                    operations.begin(
                        "import",
                        Json.mapper().createObjectNode().put("lines", lines.get()),
                        lines.get()));
    CompletionStage<Done> written =
        operation.thenCompose(
            id -> {
              Cancellable reporting = reportProgress(id, tally, cancelled);
              return Source.fromIterator(() -> windows(order.sorted()))
                  .takeWhile(window -> !cancelled.get())
                  .map(window -> parsedWindow(window, tally))
                  // The next window is read while this one is written, and no more.
                  .async(BLOCKING_DISPATCHER, 1)
                  .mapAsync(1, window -> importWindow(window, caller, tally))
                  .toMat(Sink.ignore(), Keep.right())
                  .addAttributes(BLOCKING)
                  .run(system)
                  .whenComplete((done, failure) -> reporting.cancel());
            });
    CompletionStage<ImportReport> report =
        written
            .whenComplete((done, failure) -> order.close())
            .handle(
                (done, failure) ->
                    operation
                        .thenCompose(id -> finish(id, tally, cancelled.get(), failure))
                        // An import that failed before it was an operation has nothing to record.
                        .exceptionally(unrecorded -> null)
                        .thenApply(
                            recorded -> {
                              if (failure != null) {
                                throw failure instanceof CompletionException c
                                    ? c
                                    : new CompletionException(failure);
                              }
                              return tally.report();
                            }))
            .thenCompose(Function.identity());
    return new Run(operation, report);
  }

  /** The import of {@link #start}: its operation, once every line is read, and its report. */
  public record Run(CompletionStage<String> operation, CompletionStage<ImportReport> report) {}

  /** Writes the import's progress until cancelled; a cancellation asked for stops the import. */
  private Cancellable reportProgress(String operation, Tally tally, AtomicBoolean cancelled) {
    Duration every = Duration.ofMillis(AdminOperations.REPORT_MILLIS);
    return system
        .scheduler()
        .scheduleAtFixedRate(
            every,
            every,
            () ->
                operations
                    .report(operation, tally.done())
                    .whenComplete(
                        (running, failure) -> {
                          if (Boolean.FALSE.equals(running)) {
                            cancelled.set(true);
                          }
                        }),
            system.executionContext());
  }

  /** Records how the import ended: its report as the result, or why it failed. */
  private CompletionStage<Void> finish(
      String operation, Tally tally, boolean cancelled, Throwable failure) {
    ImportReport report =
        failure == null ? tally.report() : malformedSofar(failure).orElse(tally.report());
    String state = failure != null ? "failed" : cancelled ? "cancelled" : "done";
    String message =
        failure == null
            ? null
            : Optional.ofNullable(unwrap(failure).getMessage()).orElse(unwrap(failure).toString());
    // Its request may have been answered 202 long before: the operation and the log say why.
    if (failure != null && unwrap(failure) instanceof Malformed) {
      log.warn("the import {} stopped: {}", operation, message);
    } else if (failure != null) {
      log.error("the import {} failed", operation, unwrap(failure));
    }
    return operations
        .finish(operation, state, tally.done(), message, Json.mapper().valueToTree(report))
        .exceptionally(
            unrecorded -> {
              log.error("the import {} could not record how it ended", operation, unrecorded);
              return null;
            });
  }

  private static Optional<ImportReport> malformedSofar(Throwable failure) {
    return unwrap(failure) instanceof Malformed malformed
        ? Optional.of(malformed.sofar())
        : Optional.empty();
  }

  private static Throwable unwrap(Throwable failure) {
    Throwable cause = failure;
    while (cause instanceof CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }

  private record Line(long number, String text) {}

  /** A line read: its document, version and persistence id, and the event it carries. */
  private record Parsed(
      String collection, String id, long version, String persistenceId, Object event, int bytes) {}

  /**
   * A line with what puts it in document order, read without its event: it must be JSON and name a
   * document (or definition) and a version. Its event is read, and checked, when its window is
   * written.
   */
  private static DocumentOrder.Keyed keyed(Line line, Tally tally) {
    Parsed parsed = read(line, false, tally);
    return new DocumentOrder.Keyed(
        line.number(), parsed.persistenceId(), parsed.version(), line.text());
  }

  /**
   * The sorted lines in windows of about {@link #WINDOW}: a window ends between two documents, or
   * within one whose history is longer than {@link #MAX_WINDOW} lines.
   */
  private static Iterator<List<DocumentOrder.Keyed>> windows(Iterator<DocumentOrder.Keyed> lines) {
    return new Iterator<>() {
      private DocumentOrder.Keyed pending = lines.hasNext() ? lines.next() : null;

      @Override
      public boolean hasNext() {
        return pending != null;
      }

      @Override
      public List<DocumentOrder.Keyed> next() {
        if (pending == null) {
          throw new NoSuchElementException();
        }
        List<DocumentOrder.Keyed> window = new ArrayList<>();
        window.add(pending);
        pending = null;
        while (lines.hasNext()) {
          DocumentOrder.Keyed line = lines.next();
          String last = window.get(window.size() - 1).persistenceId();
          if (window.size() >= MAX_WINDOW
              || (window.size() >= WINDOW && !line.persistenceId().equals(last))) {
            pending = line;
            break;
          }
          window.add(line);
        }
        return window;
      }
    };
  }

  private static List<Parsed> parsedWindow(List<DocumentOrder.Keyed> window, Tally tally) {
    List<Parsed> parsed = new ArrayList<>(window.size());
    for (DocumentOrder.Keyed line : window) {
      parsed.add(parsed(new Line(line.number(), line.text()), tally));
    }
    return parsed;
  }

  /**
   * A line read into the event it carries. The event is read from the line as its record, not
   * through a JSON tree: an export names the type before the event; a line that names it after is
   * read through a tree.
   */
  private static Parsed parsed(Line line, Tally tally) {
    return read(line, true, tally);
  }

  /** A line read, with its event or (for {@link #keyed}) without. */
  private static Parsed read(Line line, boolean withEvent, Tally tally) {
    String collection = null;
    String id = null;
    String type = null;
    long version = 0;
    Object event = null;
    JsonNode tree = null;
    try (JsonParser parser = Json.mapper().createParser(line.text())) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        throw new JournalCodec.Unreadable("it is not a journal entry: not a JSON object");
      }
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String field = parser.currentName();
        JsonToken value = parser.nextToken();
        switch (field) {
          case "collection" -> collection = text(parser, value);
          case "id" -> id = text(parser, value);
          case "type" -> type = text(parser, value);
          case "version" ->
              version = value == JsonToken.VALUE_NUMBER_INT ? parser.getLongValue() : 0;
          case "event" -> {
            if (!withEvent) {
              parser.skipChildren();
            } else if (value == JsonToken.START_OBJECT && collection != null && type != null) {
              Class<?> eventType = JournalCodec.eventType(collection, type);
              try {
                event = IN_LINE.forType(eventType).readValue(parser);
              } catch (JsonProcessingException e) {
                throw JournalCodec.notA(type, e);
              }
            } else {
              tree = IN_LINE.readTree(parser);
            }
          }
          default -> parser.skipChildren();
        }
      }
      if (collection == null || id == null || version < 1) {
        throw new JournalCodec.Unreadable("it names no collection, id and version");
      }
      String persistenceId = JournalCodec.persistenceId(collection, id);
      if (!JournalCodec.isDefinition(persistenceId)) {
        new DocumentKey(collection, id);
      }
      if (!withEvent) {
        return new Parsed(collection, id, version, persistenceId, null, line.text().length());
      }
      if (event == null) {
        event =
            JournalCodec.event(
                new JournalEntry(
                    0, collection, id, version, type, null, null, null, null, null, tree));
      }
      return new Parsed(
          collection,
          id,
          version,
          persistenceId,
          JournalCodec.checked(event),
          line.text().length());
    } catch (JsonProcessingException e) {
      throw malformed(line, "it is not a journal entry: " + e.getOriginalMessage(), tally);
    } catch (JournalCodec.Unreadable | IllegalArgumentException e) {
      throw malformed(line, e.getMessage(), tally);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String text(JsonParser parser, JsonToken value) throws IOException {
    return value == JsonToken.VALUE_STRING ? parser.getText() : null;
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
    return appendNew(byDocument, caller, tally)
        .thenCompose(
            written -> {
              byDocument.keySet().removeAll(written);
              return Source.from(byDocument.entrySet())
                  .mapAsyncUnordered(
                      PARALLELISM, run -> importRun(run.getKey(), run.getValue(), caller, tally))
                  .runWith(Sink.ignore(), system);
            })
        .thenApply(done -> null);
  }

  /**
   * Writes the window's documents that are not in this journal at all, and whose whole history it
   * holds, straight into the journal in one transaction ({@link NewHistories}); completes with the
   * documents it has dealt with (written, or reported as not applying). The others, and all of them
   * if one got an event here meanwhile, go through their entities.
   */
  private CompletionStage<Set<String>> appendNew(
      Map<String, List<Parsed>> byDocument, Principal caller, Tally tally) {
    if (!caller.admin()) {
      return CompletableFuture.completedFuture(Set.of());
    }
    Set<String> dealt = new HashSet<>();
    List<NewHistories.History> histories = new ArrayList<>();
    for (Map.Entry<String, List<Parsed>> run : byDocument.entrySet()) {
      String persistenceId = run.getKey();
      List<Parsed> lines = run.getValue();
      if (JournalCodec.isDefinition(persistenceId)
          || tally.conflicted.contains(persistenceId)
          || lines.size() > CHUNK_EVENTS
          || !fromTheStart(lines)) {
        continue;
      }
      String refusal = unappliable(persistenceId, lines);
      if (refusal != null) {
        tally.conflict(persistenceId, lines, 1, refusal);
        dealt.add(persistenceId);
        continue;
      }
      histories.add(
          new NewHistories.History(persistenceId, lines.stream().map(Parsed::event).toList()));
    }
    if (histories.isEmpty()) {
      return CompletableFuture.completedFuture(dealt);
    }
    return database.run(
        connection -> {
          Set<String> present =
              NewHistories.withEvents(
                  connection, histories.stream().map(NewHistories.History::persistenceId).toList());
          List<NewHistories.History> absent =
              histories.stream().filter(h -> !present.contains(h.persistenceId())).toList();
          if (!absent.isEmpty() && newHistories.append(connection, absent, writer)) {
            for (NewHistories.History history : absent) {
              tally.imported.addAndGet(history.events().size());
              dealt.add(history.persistenceId());
            }
          }
          return dealt;
        });
  }

  /** Whether the lines are a document's versions 1, 2, 3 and so on. */
  private static boolean fromTheStart(List<Parsed> lines) {
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).version() != i + 1) {
        return false;
      }
    }
    return true;
  }

  /**
   * Why a new document's events do not apply one after the other, as its entity would say it, or
   * null if they do: the fold that its recovery will run.
   */
  private static String unappliable(String persistenceId, List<Parsed> lines) {
    DocumentKey key = DocumentKey.ofEntityId(persistenceId);
    DocumentState state = DocumentState.empty(key.collection(), key.id());
    try {
      for (Parsed line : lines) {
        state = state.apply((DocumentEvent) line.event());
      }
      return null;
    } catch (RuntimeException | StackOverflowError e) {
      return "event " + (state.version() + 1) + " of " + key + " does not apply: " + e;
    }
  }

  /** One document's consecutive lines of a window: compared with what is here, then written. */
  private CompletionStage<Void> importRun(
      String persistenceId, List<Parsed> lines, Principal caller, Tally tally) {
    if (tally.conflicted.contains(persistenceId)) {
      tally.conflicting.addAndGet(lines.size());
      return CompletableFuture.completedFuture(null);
    }
    long first = lines.get(0).version();
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).version() != first + i) {
        tally.conflict(
            persistenceId,
            lines,
            first,
            "the import's versions of it are not consecutive: "
                + lines.get(i).version()
                + " follows "
                + lines.get(i - 1).version());
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
    long first = lines.get(0).version();
    long last = first + lines.size() - 1;
    return journal
        .currentEventsByPersistenceId(persistenceId, first, last)
        .runWith(Sink.seq(), system)
        .thenCompose(
            existing -> {
              for (EventEnvelope here : existing) {
                Object imported = lines.get((int) (here.sequenceNr() - first)).event();
                JournalEntry present =
                    JournalCodec.entry(0, persistenceId, here.sequenceNr(), "", here.event());
                if (present == null
                    || !JournalCodec.canonical(present.event())
                        .equals(JournalCodec.canonical(Json.mapper().valueToTree(imported)))) {
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
    long after = chunk.get(0).version() - 1;
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
      long notWritten = lines.stream().filter(line -> line.version() >= version).count();
      conflicting.addAndGet(notWritten);
      Parsed first = lines.get(0);
      synchronized (conflicts) {
        if (conflicts.size() < ImportReport.MAX_LISTED) {
          conflicts.add(new ImportReport.Conflict(first.collection(), first.id(), version, reason));
        }
      }
    }

    /** Lines dealt with: imported, skipped or conflicting. */
    long done() {
      return imported.get() + skipped.get() + conflicting.get();
    }

    ImportReport report() {
      synchronized (conflicts) {
        return new ImportReport(
            imported.get(), skipped.get(), conflicting.get(), List.copyOf(conflicts));
      }
    }
  }
}
