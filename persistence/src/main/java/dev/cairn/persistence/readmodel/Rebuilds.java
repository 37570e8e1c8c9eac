package dev.cairn.persistence.readmodel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.persistence.AdminOperations;
import dev.cairn.persistence.Database;
import dev.cairn.persistence.DocumentState;
import dev.cairn.persistence.DocumentTags;
import dev.cairn.persistence.JournalPatterns;
import dev.cairn.persistence.journal.JournalSlices;
import dev.cairn.protocol.DocumentKey;
import dev.cairn.protocol.Json;
import dev.cairn.protocol.event.DocumentEvent;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rebuilds the document read model from the journal while it keeps answering queries. Every
 * document: blue/green, into the inactive set of {@link ReadTables}, switched to when it has caught
 * up with the live projection. One collection or one document: in place, each document folded from
 * all its events and its row replaced, unless the live projection has meanwhile written a newer
 * version of it (row locks keep the two apart).
 *
 * <p>Its progress is an operation row any node reads ({@code GET /admin/operations/{id}}); a
 * cancellation is asked for there, and only one rebuild runs at a time in the cluster.
 */
public final class Rebuilds {

  /** Another rebuild of the read model is running. */
  public static final class AlreadyRunning extends RuntimeException {
    AlreadyRunning(String message) {
      super(message, null, false, false);
    }
  }

  /** Documents folded between two writes of rows and progress. */
  private static final int BATCH_DOCUMENTS = 200;

  /**
   * A full rebuild's batches: at most this many documents, or about this many bytes of them
   * (reckoned by each document's largest event), whichever comes first. A transaction per 200
   * documents made the writer the slowest of a full rebuild's three threads; 1,000 a batch took
   * about a tenth off its time.
   */
  private static final int FULL_BATCH_DOCUMENTS = 1000;

  private static final long FULL_BATCH_BYTES = 16L << 20;

  private static final Logger log = LoggerFactory.getLogger(Rebuilds.class);

  private final Database database;
  private final Serialization serialization;
  private final Executor blocking;
  private final ProjectionAdmin projections;

  public Rebuilds(ActorSystem<?> system, Database database, ProjectionAdmin projections) {
    this.database = database;
    this.serialization = SerializationExtension.get(system.classicSystem());
    this.blocking = system.dispatchers().lookup(DispatcherSelector.blocking());
    this.projections = projections;
  }

  /**
   * Starts a rebuild of {@code projection} for {@code collection} (all when empty) and, with it,
   * one {@code id}, folding at most {@code maxEventsPerSecond} events a second when one is given;
   * completes with the operation's id once it has started.
   */
  public CompletionStage<String> start(
      String projection,
      Optional<String> collection,
      Optional<String> id,
      OptionalLong maxEventsPerSecond) {
    ObjectNode parameters = Json.mapper().createObjectNode().put("projection", projection);
    collection.ifPresent(c -> parameters.put("collection", c));
    id.ifPresent(i -> parameters.put("id", i));
    maxEventsPerSecond.ifPresent(rate -> parameters.put("maxEventsPerSecond", rate));
    boolean blueGreen = collection.isEmpty();
    parameters.put("mode", blueGreen ? "blue-green" : "in place");
    String operation = UUID.randomUUID().toString();
    return database
        .run(c -> begin(c, operation, projection, parameters, scope(collection, id)))
        .thenApply(
            total -> {
              CompletableFuture.runAsync(
                  () -> {
                    Throttle throttle = Throttle.of(maxEventsPerSecond);
                    if (blueGreen) {
                      runBlueGreen(operation, throttle);
                    } else {
                      run(operation, scope(collection, id), throttle);
                    }
                  },
                  blocking);
              return operation;
            });
  }

  /** Which journal rows a rebuild folds: a LIKE pattern on persistence ids, or one id. */
  private record Scope(String pattern, String exact) {}

  private static Scope scope(Optional<String> collection, Optional<String> id) {
    if (collection.isPresent() && id.isPresent()) {
      return new Scope(null, new DocumentKey(collection.get(), id.get()).entityId());
    }
    return new Scope(collection.map(c -> JournalPatterns.like(c + "|") + "%").orElse("%|%"), null);
  }

  private static String where(Scope scope) {
    return scope.exact() != null
        ? "\"persistence_id\" = ?"
        : "\"persistence_id\" LIKE ? ESCAPE '!' AND \"persistence_id\" NOT LIKE '!_%' ESCAPE '!'";
  }

  private long begin(
      Connection c, String operation, String projection, JsonNode parameters, Scope scope)
      throws SQLException {
    long now = System.currentTimeMillis();
    // A rebuild whose node stopped reporting no longer holds the read model.
    try (PreparedStatement abandon =
        c.prepareStatement(
            "UPDATE admin_operation SET state = 'abandoned', running_key = NULL"
                + " WHERE running_key = ? AND updated_at < ?")) {
      abandon.setString(1, projection);
      abandon.setLong(2, now - AdminOperations.ABANDONED_MILLIS);
      abandon.executeUpdate();
    }
    long total;
    try (PreparedStatement count =
        c.prepareStatement(
            "SELECT COUNT(*) FROM \"event_journal\" WHERE \"deleted\" = FALSE AND "
                + where(scope))) {
      count.setString(1, scope.exact() != null ? scope.exact() : scope.pattern());
      try (ResultSet row = count.executeQuery()) {
        row.next();
        total = row.getLong(1);
      }
    }
    try {
      AdminOperations.insert(c, operation, "rebuild", projection, parameters, total);
    } catch (SQLException e) {
      if (runningRebuild(c, projection).isPresent()) {
        throw new AlreadyRunning(
            "a rebuild of "
                + projection
                + " is running: GET /admin/operations/"
                + runningRebuild(c, projection).get()
                + " (DELETE cancels it)");
      }
      throw e;
    }
    return total;
  }

  private static Optional<String> runningRebuild(Connection c, String projection)
      throws SQLException {
    try (PreparedStatement select =
        c.prepareStatement("SELECT id FROM admin_operation WHERE running_key = ?")) {
      select.setString(1, projection);
      try (ResultSet row = select.executeQuery()) {
        return row.next() ? Optional.of(row.getString(1)) : Optional.empty();
      }
    }
  }

  /** The rebuild itself, on a thread of the blocking dispatcher, with two connections. */
  private void run(String operation, Scope scope, Throttle throttle) {
    long done = 0;
    String state = "done";
    String message = null;
    try (Connection read = database.connection();
        Connection write = database.connection()) {
      read.setAutoCommit(false);
      read.setReadOnly(true);
      try (PreparedStatement select =
          read.prepareStatement(
              "SELECT \"persistence_id\", \"sequence_number\", \"event_ser_id\","
                  + " \"event_ser_manifest\", \"event_payload\" FROM \"event_journal\""
                  + " WHERE \"deleted\" = FALSE AND "
                  + where(scope)
                  + " ORDER BY \"persistence_id\", \"sequence_number\"")) {
        select.setString(1, scope.exact() != null ? scope.exact() : scope.pattern());
        select.setFetchSize(500);
        try (ResultSet rows = select.executeQuery()) {
          List<DocumentState> batch = new ArrayList<>();
          DocumentState current = null;
          String currentId = null;
          boolean broken = false;
          long reported = System.currentTimeMillis();
          int failed = 0;
          while (rows.next()) {
            String persistenceId = rows.getString(1);
            if (!persistenceId.equals(currentId)) {
              if (current != null && !broken && current.everExisted()) {
                batch.add(current);
              }
              DocumentKey key = DocumentKey.ofEntityId(persistenceId);
              current = DocumentState.empty(key.collection(), key.id());
              currentId = persistenceId;
              broken = false;
              if (batch.size() >= BATCH_DOCUMENTS) {
                save(write, batch);
                batch.clear();
              }
            }
            done++;
            throttle.pass();
            if (!broken) {
              try {
                Object event =
                    serialization
                        .deserialize(rows.getBytes(5), rows.getInt(3), rows.getString(4))
                        .get();
                current = current.apply((DocumentEvent) event);
              } catch (RuntimeException e) {
                // Left as it is: the live projection parks such an event, the check reports it.
                broken = true;
                failed++;
              }
            }
            if (System.currentTimeMillis() - reported >= AdminOperations.REPORT_MILLIS) {
              reported = System.currentTimeMillis();
              if (!AdminOperations.report(write, operation, done)) {
                state = "cancelled";
                break;
              }
            }
          }
          if (state.equals("done")) {
            if (current != null && !broken && current.everExisted()) {
              batch.add(current);
            }
            save(write, batch);
            if (failed > 0) {
              message =
                  failed + " documents have events that do not fold and were left as they were";
            }
          }
        }
      } finally {
        read.rollback();
      }
      AdminOperations.finish(write, operation, state, done, message, null);
    } catch (SQLException | RuntimeException e) {
      log.error("the rebuild {} failed", operation, e);
      try (Connection c = database.connection()) {
        AdminOperations.finish(c, operation, "failed", done, e.toString(), null);
      } catch (SQLException again) {
        log.error("the rebuild {} could not record its failure", operation, again);
      }
    }
  }

  /**
   * Writes rebuilt documents' rows in one transaction, each only if the read model does not hold a
   * newer version of it: the live projection may have applied a later event meanwhile.
   */
  private static void save(Connection c, List<DocumentState> states) throws SQLException {
    if (states.isEmpty()) {
      return;
    }
    Sql.inTransaction(
        c,
        () -> {
          ReadTables tables = ReadTables.active(c);
          Map<String, List<DocumentState>> byCollection = new HashMap<>();
          for (DocumentState state : states) {
            byCollection.computeIfAbsent(state.collection(), k -> new ArrayList<>()).add(state);
          }
          List<DocumentState> newer = new ArrayList<>();
          Set<DocumentKey> stored = new HashSet<>();
          Map<String, DocumentRows.Indexes> indexes = new HashMap<>();
          for (Map.Entry<String, List<DocumentState>> entry : byCollection.entrySet()) {
            Map<String, Long> versions =
                lockedVersions(c, tables, entry.getKey(), entry.getValue());
            for (DocumentState state : entry.getValue()) {
              Long version = versions.get(state.id());
              if (version != null) {
                stored.add(new DocumentKey(state.collection(), state.id()));
              }
              if (version == null || version <= state.version()) {
                newer.add(state);
              }
            }
            indexes.put(entry.getKey(), CollectionRows.indexes(c, entry.getKey()));
          }
          DocumentRows.saveDocuments(c, tables, newer, stored, indexes);
          return null;
        });
  }

  private static Map<String, Long> lockedVersions(
      Connection c, ReadTables tables, String collection, List<DocumentState> states)
      throws SQLException {
    Map<String, Long> versions = new HashMap<>();
    try (PreparedStatement select =
        c.prepareStatement(
            "SELECT id, version FROM "
                + tables.documents()
                + " WHERE collection = ? AND id IN ("
                + String.join(", ", Collections.nCopies(states.size(), "?"))
                + ") FOR UPDATE")) {
      select.setString(1, collection);
      for (int i = 0; i < states.size(); i++) {
        select.setString(i + 2, states.get(i).id());
      }
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          versions.put(rows.getString(1), rows.getLong(2));
        }
      }
    }
    return versions;
  }

  /**
   * A full rebuild, blue/green: the inactive set of tables is emptied and filled from the journal
   * up to where each slice's live projection had got when the rebuild began, while the active set
   * keeps answering lists and the live projection keeps writing it. Then the live projection is
   * paused, the new set catches up to where each slice stopped, the new set becomes the active one
   * in one committed row, and the projection resumes, now writing the new set: no event is folded
   * into neither set, and lists go from the old read model to the new one at once. The throttle
   * holds the first fold only: the catch-up runs at full speed, as it runs while the projection is
   * paused.
   */
  private void runBlueGreen(String operation, Throttle throttle) {
    long[] done = {0};
    try (Connection read = database.connection();
        Connection write = database.connection()) {
      ReadTables next = ReadTables.active(write).other();
      clear(write, next);
      Map<String, Long> from = liveOffsets(write);
      if (!build(read, write, next, from, operation, throttle, done)) {
        AdminOperations.finish(write, operation, "cancelled", done[0], null, null);
        return;
      }
      ReadTables old;
      join(projections.pause(DocumentProjection.NAME));
      try {
        Map<String, Long> to = liveOffsets(write);
        for (String slice : ProjectionAdmin.keys(DocumentProjection.NAME).orElseThrow()) {
          done[0] +=
              catchUp(
                  read,
                  write,
                  next,
                  slice,
                  from.getOrDefault(slice, 0L),
                  to.getOrDefault(slice, 0L));
        }
        old =
            Sql.inTransaction(
                write,
                () -> {
                  ReadTables active = ReadTables.active(write);
                  ReadTables.activate(write, next);
                  return active;
                });
      } finally {
        join(projections.resume(DocumentProjection.NAME));
      }
      clear(write, old);
      AdminOperations.finish(
          write, operation, "done", done[0], "switched to the " + next.name() + " tables", null);
    } catch (SQLException | RuntimeException e) {
      log.error("the rebuild {} failed", operation, e);
      try (Connection c = database.connection()) {
        AdminOperations.finish(c, operation, "failed", done[0], e.toString(), null);
      } catch (SQLException again) {
        log.error("the rebuild {} could not record its failure", operation, again);
      }
    }
  }

  private static void join(CompletionStage<?> stage) {
    try {
      stage.toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException("pausing or resuming the projection failed", e.getCause());
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("the projection did not pause or resume within 60 s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * Folds every document from its events into {@code tables}, each slice's up to where its live
   * projection had got ({@code upTo}, by slice tag); false if a cancellation was asked for. Three
   * threads take part: a {@link Reader} fetches the rows, this one folds them, a {@link Writer}
   * inserts the folded documents.
   */
  private boolean build(
      Connection read,
      Connection write,
      ReadTables tables,
      Map<String, Long> upTo,
      String operation,
      Throttle throttle,
      long[] done)
      throws SQLException {
    long[] bounds = new long[DocumentTags.SLICES];
    for (int slice = 0; slice < bounds.length; slice++) {
      bounds[slice] = upTo.getOrDefault(DocumentTags.sliceTag(slice), 0L);
    }
    try (Reader reader = new Reader(read, bounds);
        Writer writer = new Writer(write, tables)) {
      List<DocumentState> batch = new ArrayList<>();
      long batchBytes = 0;
      DocumentState current = null;
      String currentId = null;
      int largest = 0;
      boolean stopped = false;
      long reported = System.currentTimeMillis();
      for (List<Row> chunk = reader.next(); !chunk.isEmpty(); chunk = reader.next()) {
        for (Row row : chunk) {
          if (!row.persistenceId().equals(currentId)) {
            if (current != null && current.everExisted()) {
              batch.add(current);
              batchBytes += largest;
            }
            DocumentKey key = DocumentKey.ofEntityId(row.persistenceId());
            current = DocumentState.empty(key.collection(), key.id());
            currentId = row.persistenceId();
            largest = 0;
            stopped = false;
            if (batch.size() >= FULL_BATCH_DOCUMENTS || batchBytes >= FULL_BATCH_BYTES) {
              writer.write(batch);
              batch = new ArrayList<>();
              batchBytes = 0;
            }
          }
          largest = Math.max(largest, row.payload().length);
          done[0]++;
          throttle.pass();
          if (!stopped && row.sequenceNumber() == current.version() + 1) {
            try {
              Object event =
                  serialization
                      .deserialize(row.payload(), row.serializerId(), row.manifest())
                      .get();
              current = current.apply((DocumentEvent) event);
            } catch (RuntimeException e) {
              // As the live projection parks it: the document as it was before the event.
              stopped = true;
            }
          }
          // Per row, not per chunk: held by the throttle, one chunk can take longer than the run.
          if (System.currentTimeMillis() - reported >= AdminOperations.REPORT_MILLIS) {
            reported = System.currentTimeMillis();
            writer.flush();
            if (!AdminOperations.report(write, operation, done[0])) {
              return false;
            }
          }
        }
      }
      if (current != null && current.everExisted()) {
        batch.add(current);
      }
      writer.write(batch);
    }
    return AdminOperations.report(write, operation, done[0]);
  }

  /** A journal row of a document event, as a full rebuild folds it. */
  private record Row(
      String persistenceId,
      long sequenceNumber,
      int serializerId,
      String manifest,
      byte[] payload) {}

  /**
   * Fetches a full rebuild's rows on another thread, a chunk ahead of the fold: pgjdbc fetches the
   * next rows of a cursor only when asked, so a thread that fetched and folded in turn left
   * PostgreSQL idle while it folded and itself idle while PostgreSQL read (a third of its time).
   *
   * <p>One pass over the journal in its primary key's order, (persistence id, sequence number):
   * each document's events arrive together and in order, streamed from the index as they are read.
   * A query per slice in that order had PostgreSQL sort the slice's rows before the first one (an
   * external sort of 50,000 events took 150 ms, eight times a rebuild). Rows after where their
   * slice's live projection was are left out: the catch-up folds them, in the journal's order.
   */
  private final class Reader implements AutoCloseable {

    private static final int CHUNK_ROWS = 500;

    /** Chunks of rows; then an empty chunk, or the failure that ended the reading. */
    private final BlockingQueue<Object> chunks = new ArrayBlockingQueue<>(4);

    private final CompletableFuture<Void> reading;
    private volatile boolean closed;

    Reader(Connection connection, long[] bounds) {
      reading = CompletableFuture.runAsync(() -> read(connection, bounds), blocking);
    }

    private void read(Connection connection, long[] bounds) {
      try {
        connection.setAutoCommit(false);
        connection.setReadOnly(true);
        try (PreparedStatement select =
            connection.prepareStatement(
                "SELECT j.\"persistence_id\", j.\"sequence_number\", j.\"event_ser_id\","
                    + " j.\"event_ser_manifest\", j.\"event_payload\", j.\"slice\","
                    + " j.\"ordering\" FROM \"event_journal\" j WHERE "
                    + JournalSlices.condition(DocumentTags.ALL)
                    + " AND j.\"deleted\" = FALSE"
                    + " ORDER BY j.\"persistence_id\", j.\"sequence_number\"")) {
          JournalSlices.bind(select, 1, DocumentTags.ALL);
          select.setFetchSize(CHUNK_ROWS);
          try (ResultSet rows = select.executeQuery()) {
            List<Row> chunk = new ArrayList<>(CHUNK_ROWS);
            while (!closed && rows.next()) {
              if (rows.getLong(7) > bounds[rows.getShort(6)]) {
                continue;
              }
              chunk.add(
                  new Row(
                      rows.getString(1),
                      rows.getLong(2),
                      rows.getInt(3),
                      rows.getString(4),
                      rows.getBytes(5)));
              if (chunk.size() == CHUNK_ROWS) {
                hand(chunk);
                chunk = new ArrayList<>(CHUNK_ROWS);
              }
            }
            if (!chunk.isEmpty()) {
              hand(chunk);
            }
            hand(List.of());
          }
        } finally {
          connection.rollback();
        }
      } catch (SQLException | RuntimeException e) {
        hand(e);
      }
    }

    /** Queues {@code item} for the fold, unless the fold has stopped taking them. */
    private void hand(Object item) {
      try {
        while (!closed && !chunks.offer(item, 100, TimeUnit.MILLISECONDS)) {
          // the fold is behind: wait for room
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        closed = true;
      }
    }

    /** The next chunk of rows in order; empty after the last. */
    @SuppressWarnings("unchecked")
    List<Row> next() throws SQLException {
      Object item;
      try {
        item = chunks.take();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while reading the journal", e);
      }
      if (item instanceof SQLException failure) {
        throw failure;
      }
      if (item instanceof RuntimeException failure) {
        throw failure;
      }
      return (List<Row>) item;
    }

    /** Stops the reading, and returns once the connection is no longer used. */
    @Override
    public void close() {
      closed = true;
      chunks.clear();
      reading.join();
    }
  }

  /**
   * Writes a full rebuild's batches of folded documents on another thread, one batch at a time,
   * while the next batch is folded: the fold (the node's CPU) and the inserts (PostgreSQL's) then
   * overlap instead of taking turns. At most one batch is in flight, and the connection is used by
   * one thread at a time: {@link #flush} waits for it before anyone else uses the connection.
   */
  private final class Writer implements AutoCloseable {

    private final Connection connection;
    private final ReadTables tables;
    private CompletableFuture<Void> inFlight = CompletableFuture.completedFuture(null);

    Writer(Connection connection, ReadTables tables) {
      this.connection = connection;
      this.tables = tables;
    }

    /** Hands on {@code batch}, which the caller no longer touches, once the previous is in. */
    void write(List<DocumentState> batch) throws SQLException {
      flush();
      inFlight =
          CompletableFuture.runAsync(
              () -> {
                try {
                  insert(connection, tables, batch);
                } catch (SQLException e) {
                  throw new java.util.concurrent.CompletionException(e);
                }
              },
              blocking);
    }

    /** Waits until the batch in flight is written, and fails as it failed. */
    void flush() throws SQLException {
      try {
        inFlight.join();
      } catch (java.util.concurrent.CompletionException e) {
        inFlight = CompletableFuture.completedFuture(null);
        if (e.getCause() instanceof SQLException failure) {
          throw failure;
        }
        throw e;
      }
    }

    @Override
    public void close() throws SQLException {
      flush();
    }
  }

  /**
   * Folds {@code slice}'s events after {@code after} up to {@code upTo}, in journal order, into the
   * rows {@code tables} hold, as the live projection would have; returns how many there were.
   */
  private long catchUp(
      Connection read, Connection write, ReadTables tables, String slice, long after, long upTo)
      throws SQLException {
    if (upTo <= after) {
      return 0;
    }
    Map<DocumentKey, List<Object[]>> events = new java.util.LinkedHashMap<>();
    long count = 0;
    try (PreparedStatement select =
        read.prepareStatement(
            "SELECT j.\"persistence_id\", j.\"sequence_number\", j.\"event_ser_id\","
                + " j.\"event_ser_manifest\", j.\"event_payload\" FROM \"event_journal\" j"
                + " WHERE "
                + JournalSlices.condition(slice)
                + " AND j.\"ordering\" > ? AND j.\"ordering\" <= ?"
                + " AND j.\"deleted\" = FALSE ORDER BY j.\"ordering\"")) {
      JournalSlices.bind(select, 1, slice);
      select.setLong(2, after);
      select.setLong(3, upTo);
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          count++;
          events
              .computeIfAbsent(DocumentKey.ofEntityId(rows.getString(1)), k -> new ArrayList<>())
              .add(
                  new Object[] {
                    rows.getLong(2), rows.getInt(3), rows.getString(4), rows.getBytes(5)
                  });
        }
      }
    } finally {
      read.rollback();
    }
    if (events.isEmpty()) {
      return 0;
    }
    Sql.inTransaction(
        write,
        () -> {
          Map<DocumentKey, DocumentState> stored =
              DocumentRows.documents(write, tables, events.keySet());
          List<DocumentState> changed = new ArrayList<>();
          Map<String, DocumentRows.Indexes> indexes = new HashMap<>();
          for (Map.Entry<DocumentKey, List<Object[]>> entry : events.entrySet()) {
            DocumentKey key = entry.getKey();
            DocumentState state =
                stored.getOrDefault(key, DocumentState.empty(key.collection(), key.id()));
            DocumentState before = state;
            for (Object[] event : entry.getValue()) {
              if ((long) event[0] != state.version() + 1) {
                continue;
              }
              try {
                state =
                    state.apply(
                        (DocumentEvent)
                            serialization
                                .deserialize((byte[]) event[3], (int) event[1], (String) event[2])
                                .get());
              } catch (RuntimeException e) {
                break;
              }
            }
            if (state != before) {
              changed.add(state);
              if (!indexes.containsKey(key.collection())) {
                indexes.put(key.collection(), CollectionRows.indexes(write, key.collection()));
              }
            }
          }
          DocumentRows.saveDocuments(write, tables, changed, stored.keySet(), indexes);
          return null;
        });
    return count;
  }

  /** Writes rows into a set of tables that has none of these documents yet. */
  private static void insert(Connection c, ReadTables tables, List<DocumentState> states)
      throws SQLException {
    if (states.isEmpty()) {
      return;
    }
    Map<String, DocumentRows.Indexes> indexes = new HashMap<>();
    for (DocumentState state : states) {
      if (!indexes.containsKey(state.collection())) {
        indexes.put(state.collection(), CollectionRows.indexes(c, state.collection()));
      }
    }
    Sql.inTransaction(
        c,
        () -> {
          DocumentRows.saveDocuments(c, tables, states, Set.of(), indexes);
          return null;
        });
  }

  private static void clear(Connection c, ReadTables tables) throws SQLException {
    Sql.execute(c, "DELETE FROM " + tables.fields(), List.of());
    Sql.execute(c, "DELETE FROM " + tables.documents(), List.of());
  }

  /** Where each slice's live projection has got: its stored offset (a journal offset). */
  private static Map<String, Long> liveOffsets(Connection c) throws SQLException {
    Map<String, Long> offsets = new HashMap<>();
    try (PreparedStatement select =
        c.prepareStatement(
            "SELECT \"projection_key\", \"current_offset\" FROM \"pekko_projection_offset_store\""
                + " WHERE \"projection_name\" = ?")) {
      select.setString(1, DocumentProjection.NAME);
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          offsets.put(rows.getString(1), Long.parseLong(rows.getString(2)));
        }
      }
    }
    return offsets;
  }
}
