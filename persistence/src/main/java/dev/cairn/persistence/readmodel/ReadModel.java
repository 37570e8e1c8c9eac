package dev.cairn.persistence.readmodel;

import dev.cairn.persistence.CairnMetrics;
import dev.cairn.persistence.CollectionEntity;
import dev.cairn.persistence.Database;
import dev.cairn.persistence.DocumentTags;
import dev.cairn.protocol.collection.CollectionEvent;
import dev.cairn.protocol.collection.CollectionView;
import dev.cairn.protocol.event.DocumentEvent;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ShardedDaemonProcess;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.projection.ProjectionBehavior;
import org.apache.pekko.projection.ProjectionId;
import org.apache.pekko.projection.eventsourced.javadsl.EventSourcedProvider;
import org.apache.pekko.projection.jdbc.javadsl.JdbcProjection;

/**
 * The read side: projections from the journal into queryable tables, run as a sharded daemon
 * process so that each slice of the journal is projected by exactly one node of the cluster, and
 * the queries over those tables.
 */
public final class ReadModel {

  /**
   * Batches of events are applied in one transaction: as many as one read of a slice returns (the
   * read journal's {@code max-buffer-size}, 2,000 in cairn-persistence.conf), so that a catch-up
   * commits once per read, or what came within the window. Larger batches fold more of a document's
   * events into one row write: on a harness catch-up of 394,991 events, 500 ran at 59,000-65,000
   * events/s in the third and fourth rounds (node 15, PostgreSQL 12 us an event), 2,000 at
   * 75,000-84,000 (12-13, 9 us), 5,000 no faster. Live writes fill a batch for the window only (a
   * dozen events at 5,000 writes/s over eight slices).
   */
  private static final Duration BATCH_WINDOW = Duration.ofMillis(20);

  /** Documents reindexed per collection and transaction by the index repair. */
  private static final int REPAIR_BATCH = 500;

  /** How long a computed {@link Freshness} answers list requests. */
  private static final long FRESHNESS_MILLIS = 250;

  private final Database database;
  private final AtomicReference<CompletableFuture<Stamped>> freshness = new AtomicReference<>();

  public ReadModel(Database database) {
    this.database = database;
  }

  /**
   * Starts this node's share of the projections; call once per node after joining.
   *
   * @param onParked told of every event a projection parks (for the audit trail)
   */
  public static void start(
      ActorSystem<?> system, Database database, Consumer<DeadLetters.Letter> onParked) {
    DeadLetters deadLetters = new DeadLetters(onParked);
    ShardedDaemonProcess.get(system)
        .init(
            ProjectionBehavior.Command.class,
            "document-projection",
            DocumentTags.SLICES,
            slice ->
                ProjectionBehavior.create(documentProjection(system, database, slice, deadLetters)),
            ProjectionBehavior.stopMessage());
    ShardedDaemonProcess.get(system)
        .init(
            ProjectionBehavior.Command.class,
            "collection-projection",
            1,
            ignored -> ProjectionBehavior.create(collectionProjection(system, database)),
            ProjectionBehavior.stopMessage());
  }

  /**
   * Every second, on every node: analyzes the read model's tables that have doubled since
   * PostgreSQL last did ({@link ReadStatistics}), and reindexes the documents indexed with an older
   * collection definition than the current one (after an index is added, and after the rare
   * projection that raced a definition change; row locks keep concurrent repairs apart).
   */
  public static void startMaintenance(ActorSystem<?> system, Database database) {
    system
        .scheduler()
        .scheduleWithFixedDelay(
            Duration.ofSeconds(1),
            Duration.ofSeconds(1),
            () ->
                database.run(
                    c -> {
                      ReadStatistics.refresh(c);
                      return repairIndexes(c);
                    }),
            system.executionContext());
  }

  private static int repairIndexes(java.sql.Connection connection) throws SQLException {
    int repaired = 0;
    for (CollectionView view : CollectionRows.collections(connection)) {
      connection.setAutoCommit(false);
      try {
        repaired +=
            Reindexing.reindex(
                connection,
                view.name(),
                new DocumentRows.Indexes(view.version(), view.definition().readModelIndexes()),
                REPAIR_BATCH);
        connection.commit();
      } catch (SQLException e) {
        connection.rollback();
        throw e;
      } finally {
        connection.setAutoCommit(true);
      }
    }
    return repaired;
  }

  /**
   * How current lists are.
   *
   * @param lagMillis how long the oldest journal event not yet in the read model has waited (0: it
   *     has every event)
   * @param stuckSlices the slices that fail on an event or cannot read the journal
   * @param measuredAt when the measurement began: every write acknowledged before it is in the read
   *     model if the lag is 0
   */
  public record Freshness(long lagMillis, List<String> stuckSlices, java.time.Instant measuredAt) {

    Freshness measuredAt(java.time.Instant at) {
      return new Freshness(lagMillis, stuckSlices, at);
    }
  }

  /**
   * How current lists are, computed at most every {@value #FRESHNESS_MILLIS} ms on this node and
   * shared by the requests in between, so that the cost of asking does not grow with the rate of
   * list requests.
   */
  public CompletionStage<Freshness> freshness() {
    CompletableFuture<Stamped> current = freshness.get();
    if (current != null
        && (!current.isDone()
            || (!current.isCompletedExceptionally()
                && System.nanoTime() - current.join().nanos() < FRESHNESS_MILLIS * 1_000_000))) {
      return current.thenApply(Stamped::freshness);
    }
    CompletableFuture<Stamped> next = new CompletableFuture<>();
    if (!freshness.compareAndSet(current, next)) {
      return freshness();
    }
    java.time.Instant measuring = java.time.Instant.now();
    database
        .run(c -> ReadModelProgress.freshness(c).measuredAt(measuring))
        .whenComplete(
            (computed, failure) -> {
              if (failure == null) {
                next.complete(new Stamped(computed, System.nanoTime()));
              } else {
                next.completeExceptionally(failure);
              }
            });
    return next.thenApply(Stamped::freshness);
  }

  private record Stamped(Freshness freshness, long nanos) {}

  /**
   * Each slice of the document read model: how far it is, how long its oldest waiting event has
   * waited, and why it is stuck if it is.
   */
  public CompletionStage<List<SliceStatus>> slices() {
    return database.run(ReadModelProgress::slices);
  }

  public CompletionStage<List<CollectionView>> collections() {
    return database.run(CollectionRows::collections);
  }

  public CompletionStage<DocumentQuery.Page> list(DocumentQuery query) {
    return database.run(query::run);
  }

  private static org.apache.pekko.projection.Projection<?> documentProjection(
      ActorSystem<?> system, Database database, int slice, DeadLetters deadLetters) {
    String tag = DocumentTags.sliceTag(slice);
    return JdbcProjection.groupedWithin(
            ProjectionId.of(DocumentProjection.NAME, tag),
            EventSourcedProvider.<DocumentEvent>eventsByTag(
                system, JdbcReadJournal.Identifier(), tag),
            () -> session(database),
            () ->
                new DocumentProjection(
                    tag,
                    deadLetters,
                    org.apache.pekko.serialization.SerializationExtension.get(
                        system.classicSystem())),
            system)
        .withGroup(
            system.settings().config().getInt("jdbc-read-journal.max-buffer-size"), BATCH_WINDOW)
        .withStatusObserver(
            new ProjectionFailures<>(
                database, CairnMetrics.get(system).registry(), DocumentProjection.NAME, tag));
  }

  private static org.apache.pekko.projection.Projection<?> collectionProjection(
      ActorSystem<?> system, Database database) {
    return JdbcProjection.exactlyOnce(
            ProjectionId.of(CollectionProjection.NAME, CollectionEntity.TAG),
            EventSourcedProvider.<CollectionEvent>eventsByTag(
                system, JdbcReadJournal.Identifier(), CollectionEntity.TAG),
            () -> session(database),
            CollectionProjection::new,
            system)
        .withStatusObserver(
            new ProjectionFailures<>(
                database,
                CairnMetrics.get(system).registry(),
                CollectionProjection.NAME,
                CollectionEntity.TAG));
  }

  private static PooledJdbcSession session(Database database) {
    try {
      return new PooledJdbcSession(database.connection());
    } catch (SQLException e) {
      throw new IllegalStateException("no connection for the read model: " + e.getMessage(), e);
    }
  }
}
