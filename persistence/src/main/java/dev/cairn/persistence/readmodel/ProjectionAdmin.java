package dev.cairn.persistence.readmodel;

import dev.cairn.persistence.CollectionEntity;
import dev.cairn.persistence.Database;
import dev.cairn.persistence.DocumentState;
import dev.cairn.persistence.DocumentTags;
import dev.cairn.persistence.journal.JournalSlices;
import dev.cairn.protocol.DocumentKey;
import dev.cairn.protocol.api.DeadLetter;
import dev.cairn.protocol.api.ProjectionView;
import dev.cairn.protocol.event.DocumentEvent;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.projection.ProjectionId;
import org.apache.pekko.projection.javadsl.ProjectionManagement;

/**
 * The projections as an administrator sees them: each instance's state, offset and lag, pausing and
 * resuming them cluster-wide (Pekko Projection's {@link ProjectionManagement}: the flag is kept in
 * the offset store, so a pause outlives restarts and rebalances), and the events parked in {@link
 * DeadLetters}, re-driven once their cause is fixed.
 */
public final class ProjectionAdmin {

  /** The projections there are, by name. */
  public static final List<String> NAMES =
      List.of(DocumentProjection.NAME, CollectionProjection.NAME);

  /** A re-drive that failed again: the event still does not apply. */
  public static final class StillFailing extends RuntimeException {
    StillFailing(String message) {
      super(message, null, false, false);
    }
  }

  private final ActorSystem<?> system;
  private final Database database;
  private final JdbcReadJournal journal;

  public ProjectionAdmin(ActorSystem<?> system, Database database) {
    this.system = system;
    this.database = database;
    this.journal =
        PersistenceQuery.get(system)
            .getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
  }

  /** The instances (keys) of a projection, or empty if there is no such projection. */
  public static Optional<List<String>> keys(String name) {
    if (name.equals(DocumentProjection.NAME)) {
      List<String> slices = new ArrayList<>();
      for (int slice = 0; slice < DocumentTags.SLICES; slice++) {
        slices.add(DocumentTags.sliceTag(slice));
      }
      return Optional.of(slices);
    }
    if (name.equals(CollectionProjection.NAME)) {
      return Optional.of(List.of(CollectionEntity.TAG));
    }
    return Optional.empty();
  }

  /**
   * Every projection with its slices. A slice's events per second are measured from the previous
   * listing on this node when that was 1 to 60 s ago; otherwise this listing reads the offsets
   * twice, a second apart.
   */
  public CompletionStage<List<ProjectionView>> list() {
    return database
        .run(this::views)
        .thenCompose(
            views ->
                measured(views)
                    ? CompletableFuture.completedFuture(views)
                    : CompletableFuture.supplyAsync(
                            () -> null,
                            CompletableFuture.delayedExecutor(
                                RATE_WINDOW_MIN.toMillis(), TimeUnit.MILLISECONDS))
                        .thenCompose(ignored -> database.run(this::views)));
  }

  /** The shortest and longest time between two offsets that a rate is measured over. */
  private static final Duration RATE_WINDOW_MIN = Duration.ofSeconds(1);

  private static final Duration RATE_WINDOW_MAX = Duration.ofMinutes(1);

  /** Where a slice was at a listing: its offset and the events it still had to apply. */
  private record Sample(long offset, long waiting, long nanos) {}

  private final Map<String, Sample> samples = new ConcurrentHashMap<>();

  private static boolean measured(List<ProjectionView> views) {
    return views.stream()
        .flatMap(v -> v.slices().stream())
        .noneMatch(s -> s.eventsPerSecond() == null);
  }

  /**
   * The events per second a slice applied since the last sample of it, null when there is no sample
   * of the right age; keeps this listing as the next sample when the last is old enough.
   */
  private Double rate(Connection c, String projection, String tag, long offset, long waiting)
      throws SQLException {
    String key = projection + "/" + tag;
    long now = System.nanoTime();
    Sample last = samples.get(key);
    Double rate = null;
    long age = last == null ? Long.MAX_VALUE : now - last.nanos();
    if (last != null
        && age >= RATE_WINDOW_MIN.toNanos()
        && age <= RATE_WINDOW_MAX.toNanos()
        && offset >= last.offset()) {
      // Applied since: what waited after the last offset, less what still waits now.
      long applied = waiting(c, tag, last.offset()) - waiting;
      rate = Math.round(Math.max(0, applied) / (age / 1e9) * 10) / 10.0;
    }
    if (last == null || age >= RATE_WINDOW_MIN.toNanos()) {
      samples.put(key, new Sample(offset, waiting, now));
    }
    return rate;
  }

  /** Pauses every instance of {@code name}, wherever it runs; completes when each has paused. */
  public CompletionStage<Done> pause(String name) {
    return forEachKey(name, id -> ProjectionManagement.get(system).pause(id));
  }

  public CompletionStage<Done> resume(String name) {
    return forEachKey(name, id -> ProjectionManagement.get(system).resume(id));
  }

  public CompletionStage<List<DeadLetter>> deadLetters(String name) {
    return database.run(
        c -> DeadLetters.list(c, name).stream().map(ProjectionAdmin::view).toList());
  }

  /**
   * Re-drives a parked event: folds its document from the journal again with the code running now
   * and, if every event applies, writes the document's row and forgets the letter. Folds again
   * while the journal moves on meanwhile, so an event the projection passed over in the meantime is
   * not lost. Empty when there is no such letter.
   */
  public CompletionStage<Optional<DeadLetter>> retry(String name, long offset) {
    return database
        .run(c -> DeadLetters.find(c, name, offset))
        .thenCompose(
            found -> {
              if (found.isEmpty()) {
                return CompletableFuture.completedFuture(Optional.<DeadLetter>empty());
              }
              DeadLetters.Letter letter = found.get();
              return refold(DocumentKey.ofEntityId(letter.persistenceId()), 0, 3)
                  .handle(
                      (version, failure) -> {
                        if (failure != null) {
                          return database
                              .run(
                                  c -> {
                                    DeadLetters.park(
                                        c,
                                        new DeadLetters.Letter(
                                            letter.projection(),
                                            letter.offset(),
                                            letter.slice(),
                                            letter.persistenceId(),
                                            letter.version(),
                                            cause(failure).toString(),
                                            letter.attempts() + 1,
                                            letter.parkedAt()));
                                    return Optional.<DeadLetter>empty();
                                  })
                              .<Optional<DeadLetter>>thenApply(
                                  ignored -> {
                                    throw new StillFailing(
                                        "the event at offset "
                                            + offset
                                            + " still does not apply: "
                                            + cause(failure));
                                  });
                        }
                        return database.run(
                            c -> {
                              DeadLetters.remove(c, name, offset);
                              return Optional.of(view(letter));
                            });
                      })
                  .thenCompose(stage -> stage);
            });
  }

  /** Folds the document and saves it; again while its head moves on, up to {@code rounds}. */
  private CompletionStage<Long> refold(DocumentKey key, long savedVersion, int rounds) {
    return journal
        .currentEventsByPersistenceId(key.entityId(), 1, Long.MAX_VALUE)
        .runFold(
            DocumentState.empty(key.collection(), key.id()),
            (state, envelope) -> state.apply((DocumentEvent) envelope.event()),
            system)
        .thenCompose(
            state -> {
              if (state.version() == savedVersion || rounds == 0) {
                return CompletableFuture.completedFuture(state.version());
              }
              return database
                  .run(c -> save(c, state))
                  .thenCompose(saved -> refold(key, state.version(), rounds - 1));
            });
  }

  private static long save(Connection c, DocumentState state) throws SQLException {
    DocumentKey key = new DocumentKey(state.collection(), state.id());
    return Sql.inTransaction(
        c,
        () -> {
          ReadTables tables = ReadTables.active(c);
          Set<DocumentKey> stored = DocumentRows.documents(c, tables, List.of(key)).keySet();
          DocumentRows.saveDocuments(
              c,
              tables,
              List.of(state),
              stored,
              Map.of(key.collection(), CollectionRows.indexes(c, key.collection())));
          return state.version();
        });
  }

  private CompletionStage<Done> forEachKey(
      String name, java.util.function.Function<ProjectionId, CompletionStage<Done>> operation) {
    CompletionStage<Done> all = CompletableFuture.completedFuture(Done.done());
    for (String key : keys(name).orElseThrow()) {
      all = all.thenCompose(done -> operation.apply(ProjectionId.of(name, key)));
    }
    return all;
  }

  private List<ProjectionView> views(Connection c) throws SQLException {
    Map<String, Boolean> paused = paused(c);
    List<ProjectionView> views = new ArrayList<>();
    List<ProjectionView.Slice> documentSlices = new ArrayList<>();
    for (SliceStatus slice : ReadModelProgress.slices(c)) {
      long waiting = waiting(c, slice.slice(), slice.projectedOrdering());
      documentSlices.add(
          new ProjectionView.Slice(
              slice.slice(),
              state(paused, DocumentProjection.NAME, slice.slice(), slice.stuck()),
              slice.projectedOrdering(),
              slice.newestOrdering(),
              waiting,
              slice.lagMillis(),
              rate(c, DocumentProjection.NAME, slice.slice(), slice.projectedOrdering(), waiting),
              slice.stuck() ? slice.failure().message() : null));
    }
    views.add(
        new ProjectionView(
            DocumentProjection.NAME,
            documentSlices,
            DeadLetters.list(c, DocumentProjection.NAME).size()));
    long definitions = newest(c, CollectionEntity.TAG);
    long definitionsApplied = offset(c, CollectionProjection.NAME, CollectionEntity.TAG);
    long definitionsWaiting = waiting(c, CollectionEntity.TAG, definitionsApplied);
    views.add(
        new ProjectionView(
            CollectionProjection.NAME,
            List.of(
                new ProjectionView.Slice(
                    CollectionEntity.TAG,
                    state(paused, CollectionProjection.NAME, CollectionEntity.TAG, false),
                    definitionsApplied,
                    definitions,
                    definitionsWaiting,
                    0,
                    rate(
                        c,
                        CollectionProjection.NAME,
                        CollectionEntity.TAG,
                        definitionsApplied,
                        definitionsWaiting),
                    null)),
            0));
    return views;
  }

  private static String state(
      Map<String, Boolean> paused, String name, String key, boolean failing) {
    if (paused.getOrDefault(name + "/" + key, false)) {
      return "paused";
    }
    return failing ? "failed" : "running";
  }

  private static Map<String, Boolean> paused(Connection c) throws SQLException {
    Map<String, Boolean> paused = new HashMap<>();
    try (PreparedStatement select =
            c.prepareStatement(
                "SELECT \"projection_name\", \"projection_key\", \"paused\""
                    + " FROM \"pekko_projection_management\"");
        ResultSet rows = select.executeQuery()) {
      while (rows.next()) {
        paused.put(rows.getString(1) + "/" + rows.getString(2), rows.getBoolean(3));
      }
    }
    return paused;
  }

  /** Events of {@code tag} after {@code offset}: what an instance has still to apply. */
  private static long waiting(Connection c, String tag, long offset) throws SQLException {
    try (PreparedStatement select =
        c.prepareStatement(
            "SELECT COUNT(*) FROM \"event_journal\" j WHERE "
                + JournalSlices.condition(tag)
                + " AND j.\"ordering\" > ?")) {
      JournalSlices.bind(select, 1, tag);
      select.setLong(2, offset);
      try (ResultSet row = select.executeQuery()) {
        row.next();
        return row.getLong(1);
      }
    }
  }

  private static long newest(Connection c, String tag) throws SQLException {
    try (PreparedStatement select =
        c.prepareStatement(
            "SELECT COALESCE(MAX(j.\"ordering\"), 0) FROM \"event_journal\" j WHERE "
                + JournalSlices.condition(tag))) {
      JournalSlices.bind(select, 1, tag);
      try (ResultSet row = select.executeQuery()) {
        row.next();
        return row.getLong(1);
      }
    }
  }

  /** The offset pekko-projection stored for an instance (a journal offset), or 0. */
  private static long offset(Connection c, String name, String key) throws SQLException {
    try (PreparedStatement select =
        c.prepareStatement(
            "SELECT \"current_offset\" FROM \"pekko_projection_offset_store\""
                + " WHERE \"projection_name\" = ? AND \"projection_key\" = ?")) {
      select.setString(1, name);
      select.setString(2, key);
      try (ResultSet row = select.executeQuery()) {
        return row.next() ? Long.parseLong(row.getString(1)) : 0;
      }
    }
  }

  private static DeadLetter view(DeadLetters.Letter letter) {
    DocumentKey key = DocumentKey.ofEntityId(letter.persistenceId());
    return new DeadLetter(
        letter.projection(),
        letter.offset(),
        letter.slice(),
        key.collection(),
        key.id(),
        letter.version(),
        letter.message(),
        letter.attempts(),
        Instant.ofEpochMilli(letter.parkedAt()));
  }

  private static Throwable cause(Throwable failure) {
    Throwable cause = failure;
    while (cause instanceof java.util.concurrent.CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }
}
