package dev.cairn.persistence.readmodel;

import dev.cairn.persistence.CollectionEntity;
import dev.cairn.persistence.DocumentTags;
import dev.cairn.persistence.JournalDatabase;
import dev.cairn.protocol.collection.CollectionEvent;
import dev.cairn.protocol.collection.CollectionView;
import dev.cairn.protocol.event.DocumentEvent;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
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

  /** Batches of events applied in one transaction: up to this many, or after this long. */
  private static final int BATCH_SIZE = 100;

  private static final Duration BATCH_WINDOW = Duration.ofMillis(20);

  /** Documents reindexed per collection and transaction by the index repair. */
  private static final int REPAIR_BATCH = 500;

  private final JournalDatabase database;

  public ReadModel(JournalDatabase database) {
    this.database = database;
  }

  /** Starts this node's share of the projections; call once per node after joining. */
  public static void start(ActorSystem<?> system, JournalDatabase database) {
    ShardedDaemonProcess.get(system)
        .init(
            ProjectionBehavior.Command.class,
            "document-projection",
            DocumentTags.SLICES,
            slice -> ProjectionBehavior.create(documentProjection(system, database, slice)),
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
   * Reindexes, every second, the documents indexed with an older collection definition than the
   * current one: after an index is added, and after the rare projection that raced a definition
   * change. Runs on every node; row locks keep concurrent repairs apart.
   */
  public static void startIndexRepair(ActorSystem<?> system, JournalDatabase database) {
    system
        .scheduler()
        .scheduleWithFixedDelay(
            Duration.ofSeconds(1),
            Duration.ofSeconds(1),
            () -> database.run(ReadModel::repairIndexes),
            system.executionContext());
  }

  private static int repairIndexes(java.sql.Connection connection) throws SQLException {
    int repaired = 0;
    for (CollectionView view : ReadModelStore.collections(connection)) {
      connection.setAutoCommit(false);
      try {
        repaired +=
            ReadModelStore.reindex(
                connection,
                view.name(),
                new ReadModelStore.Indexes(view.version(), view.definition().indexes()),
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
   */
  public record Freshness(long lagMillis, List<String> stuckSlices) {}

  public CompletionStage<Freshness> freshness() {
    return database.run(ReadModelStore::freshness);
  }

  /**
   * Each slice of the document read model: how far it is, how long its oldest waiting event has
   * waited, and why it is stuck if it is.
   */
  public CompletionStage<List<SliceStatus>> slices() {
    return database.run(ReadModelStore::slices);
  }

  public CompletionStage<List<CollectionView>> collections() {
    return database.run(ReadModelStore::collections);
  }

  public CompletionStage<DocumentQuery.Page> list(DocumentQuery query) {
    return database.run(query::run);
  }

  private static org.apache.pekko.projection.Projection<?> documentProjection(
      ActorSystem<?> system, JournalDatabase database, int slice) {
    String tag = DocumentTags.sliceTag(slice);
    return JdbcProjection.groupedWithin(
            ProjectionId.of(DocumentProjection.NAME, tag),
            EventSourcedProvider.<DocumentEvent>eventsByTag(
                system, JdbcReadJournal.Identifier(), tag),
            () -> session(database),
            () -> new DocumentProjection(tag),
            system)
        .withGroup(BATCH_SIZE, BATCH_WINDOW)
        .withStatusObserver(new ProjectionFailures<>(database, DocumentProjection.NAME, tag));
  }

  private static org.apache.pekko.projection.Projection<?> collectionProjection(
      ActorSystem<?> system, JournalDatabase database) {
    return JdbcProjection.exactlyOnce(
            ProjectionId.of(CollectionProjection.NAME, CollectionEntity.TAG),
            EventSourcedProvider.<CollectionEvent>eventsByTag(
                system, JdbcReadJournal.Identifier(), CollectionEntity.TAG),
            () -> session(database),
            CollectionProjection::new,
            system)
        .withStatusObserver(
            new ProjectionFailures<>(database, CollectionProjection.NAME, CollectionEntity.TAG));
  }

  private static PooledJdbcSession session(JournalDatabase database) {
    try {
      return new PooledJdbcSession(database.connection());
    } catch (SQLException e) {
      throw new IllegalStateException("no connection for the read model: " + e.getMessage(), e);
    }
  }
}
