package dev.cairn.persistence.journal;

import dev.cairn.persistence.CairnMetrics;
import dev.cairn.persistence.PauseFence;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.persistence.jdbc.config.JournalConfig;
import org.apache.pekko.persistence.jdbc.journal.dao.DefaultJournalDao;
import org.apache.pekko.persistence.jdbc.journal.dao.JournalTables.JournalPekkoSerializationRow;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.stream.Materializer;
import scala.Tuple2;
import scala.collection.immutable.Seq;
import scala.collection.immutable.Set;
import scala.concurrent.ExecutionContext;
import scala.concurrent.Future;
import scala.jdk.javaapi.CollectionConverters;
import scala.jdk.javaapi.FutureConverters;
import scala.runtime.BoxedUnit;
import slick.jdbc.JdbcBackend;
import slick.jdbc.JdbcProfile;

/**
 * The JDBC journal's data access with two changes to how events are written, and one to recovery.
 *
 * <p>A document event's tags (its read-model slice and the change feed) are kept as the number of
 * its slice in the event's own row, not as two {@code event_tag} rows ({@link JournalSlices}).
 * Events with other tags keep their tag rows.
 *
 * <p>pekko-persistence-jdbc 1.1.1 writes tagged events one {@code INSERT ... RETURNING ordering} at
 * a time (it needs each event's ordering for its {@code event_tag} rows), so a batch of n events
 * cost n + 1 round trips inside its transaction. Here a batch of document events is one multi-row
 * insert, whatever its size (up to {@value #ROWS_PER_STATEMENT} rows a statement); the rare event
 * with tag rows (a collection definition) is inserted on its own and its tags after it. All in one
 * transaction: the same all-or-nothing batch, the same reply after commit.
 *
 * <p>Recovery's question for the highest sequence number, which every entity asks once when it
 * starts, is on PostgreSQL shared by the recoveries running at the same time (one query for many
 * entities). Reading events, deleting and the read journal are the library's own, except for {@code
 * eventsByTag} ({@link TagRangeReadJournalDao}).
 */
public class BatchedJournalDao extends DefaultJournalDao {

  private static final String[] EVENT_COLUMNS = {
    "deleted",
    "persistence_id",
    "sequence_number",
    "writer",
    "write_timestamp",
    "adapter_manifest",
    "event_payload",
    "event_ser_id",
    "event_ser_manifest",
    "meta_payload",
    "meta_ser_id",
    "meta_ser_manifest",
    "slice"
  };

  /** Rows per statement; PostgreSQL takes at most 65,535 bind parameters in one. */
  static final int ROWS_PER_STATEMENT = 1000;

  /** Persistence ids per recovery query of {@link #highestSequenceNr}. */
  private static final int IDS_PER_LOOKUP = 500;

  private final boolean coalesced;
  private final PauseFence fence;
  private final CoalescingLookup<Long> highestSequenceNrs;
  private final JournalMetrics metrics;

  public BatchedJournalDao(
      JdbcBackend.JdbcDatabaseDef db,
      JdbcProfile profile,
      JournalConfig journalConfig,
      Serialization serialization,
      ExecutionContext ec,
      Materializer mat) {
    super(db, profile, journalConfig, serialization, ec, mat);
    this.coalesced = SlickJdbc.isPostgres(profile);
    this.fence = PauseFence.get(serialization.system());
    this.metrics =
        CairnMetrics.get(serialization.system()).meters(JournalMetrics.class, JournalMetrics::new);
    this.highestSequenceNrs =
        new CoalescingLookup<>(
            ids ->
                FutureConverters.asJava(
                    SlickJdbc.run(db, connection -> highestSequenceNrs(connection, ids))),
            0L,
            IDS_PER_LOOKUP);
  }

  /**
   * Every recovery asks for its entity's highest sequence number, including the first recovery of
   * an entity that has no events yet. On PostgreSQL the recoveries that run at the same time share
   * one query (see {@link CoalescingLookup}): a million new documents are a million recoveries.
   */
  @Override
  public Future<Object> highestSequenceNr(String persistenceId, long fromSequenceNr) {
    if (!coalesced) {
      return super.highestSequenceNr(persistenceId, fromSequenceNr);
    }
    return FutureConverters.asScala(
        highestSequenceNrs.lookup(persistenceId).thenApply(highest -> (Object) highest));
  }

  private static Map<String, Long> highestSequenceNrs(Connection connection, List<String> ids)
      throws SQLException {
    Map<String, Long> highest = new HashMap<>();
    try (PreparedStatement select =
        connection.prepareStatement(
            "SELECT k.id, (SELECT max(j.sequence_number) FROM event_journal j"
                + " WHERE j.persistence_id = k.id) FROM unnest(?) AS k(id)")) {
      select.setArray(1, connection.createArrayOf("varchar", ids.toArray()));
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          highest.put(rows.getString(1), rows.getLong(2));
        }
      }
    }
    return highest;
  }

  @Override
  public Future<BoxedUnit> writeJournalRows(
      Seq<Tuple2<JournalPekkoSerializationRow, Set<String>>> rows) {
    List<Tuple2<JournalPekkoSerializationRow, Set<String>>> batch =
        CollectionConverters.asJava(rows);
    long started = System.nanoTime();
    Future<BoxedUnit> written =
        SlickJdbc.run(
            db(),
            connection -> {
              inTransaction(connection, batch);
              metrics.written(batch.size(), started);
              return BoxedUnit.UNIT;
            });
    // A failure to get a connection fails the write as well as a failed statement does.
    FutureConverters.asJava(written)
        .whenComplete(
            (done, failure) -> {
              if (failure != null) {
                metrics.failed();
              }
            });
    return written;
  }

  /**
   * Writes the batch in one transaction. The {@link PauseFence} is asked after the insert and
   * before the commit: if the node was paused at any point before, the transaction waits for the
   * cluster to confirm this node still owns the documents and is rolled back if it does not (the
   * rows stay invisible to a new owner's recovery meanwhile, and its insert of the same sequence
   * number waits for the rollback).
   */
  private void inTransaction(
      Connection connection, List<Tuple2<JournalPekkoSerializationRow, Set<String>>> batch)
      throws SQLException {
    boolean autoCommit = connection.getAutoCommit();
    connection.setAutoCommit(false);
    try {
      write(connection, batch);
      awaitFence();
      connection.commit();
    } catch (SQLException | RuntimeException e) {
      connection.rollback();
      throw e;
    } finally {
      connection.setAutoCommit(autoCommit);
    }
  }

  private void awaitFence() throws SQLException {
    try {
      if (!fence.awaitOpen()) {
        throw new SQLException("not written: " + fence.reason());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SQLException("not written (interrupted at the pause fence): " + fence.reason(), e);
    }
  }

  private static void write(
      Connection connection, List<Tuple2<JournalPekkoSerializationRow, Set<String>>> batch)
      throws SQLException {
    List<JournalPekkoSerializationRow> rows = new ArrayList<>(batch.size());
    List<Short> slices = new ArrayList<>(batch.size());
    List<Tuple2<JournalPekkoSerializationRow, Set<String>>> tagged = new ArrayList<>();
    for (Tuple2<JournalPekkoSerializationRow, Set<String>> row : batch) {
      java.util.Set<String> tags = CollectionConverters.asJava(row._2());
      Short slice = tags.isEmpty() ? null : JournalSlices.slice(tags);
      if (tags.isEmpty() || slice != null) {
        rows.add(row._1());
        slices.add(slice);
      } else {
        tagged.add(row);
      }
    }
    for (int from = 0; from < rows.size(); from += ROWS_PER_STATEMENT) {
      int to = Math.min(rows.size(), from + ROWS_PER_STATEMENT);
      insertEvents(connection, rows.subList(from, to), slices.subList(from, to));
    }
    for (Tuple2<JournalPekkoSerializationRow, Set<String>> row : tagged) {
      insertTagged(connection, row._1(), CollectionConverters.asJava(row._2()));
    }
  }

  private static String insert(int rows) {
    String values = "(" + String.join(", ", Collections.nCopies(EVENT_COLUMNS.length, "?")) + ")";
    return "INSERT INTO \"event_journal\" (\""
        + String.join("\", \"", EVENT_COLUMNS)
        + "\") VALUES "
        + String.join(", ", Collections.nCopies(rows, values));
  }

  /** Inserts events without tag rows, each with its slice (or none). */
  static void insertEvents(
      Connection connection, List<JournalPekkoSerializationRow> rows, List<Short> slices)
      throws SQLException {
    try (PreparedStatement insert = connection.prepareStatement(insert(rows.size()))) {
      int p = 1;
      for (int i = 0; i < rows.size(); i++) {
        p = bind(insert, p, rows.get(i), slices.get(i));
      }
      insert.executeUpdate();
    }
  }

  /** Inserts one event and its tag rows, which name it by its ordering. */
  private static void insertTagged(
      Connection connection, JournalPekkoSerializationRow row, java.util.Set<String> tags)
      throws SQLException {
    long ordering;
    try (PreparedStatement insert =
        connection.prepareStatement(insert(1), new String[] {"ordering"})) {
      bind(insert, 1, row, null);
      insert.executeUpdate();
      try (ResultSet key = insert.getGeneratedKeys()) {
        if (!key.next()) {
          throw new SQLException("the journal did not answer the ordering of the event it wrote");
        }
        ordering = key.getLong(1);
      }
    }
    try (PreparedStatement insert =
        connection.prepareStatement(
            "INSERT INTO \"event_tag\" (\"event_id\", \"tag\") VALUES (?, ?)")) {
      for (String tag : tags) {
        insert.setLong(1, ordering);
        insert.setString(2, tag);
        insert.addBatch();
      }
      insert.executeBatch();
    }
  }

  private static int bind(
      PreparedStatement insert, int from, JournalPekkoSerializationRow row, Short slice)
      throws SQLException {
    int p = from;
    insert.setBoolean(p++, row.deleted());
    insert.setString(p++, row.persistenceId());
    insert.setLong(p++, row.sequenceNumber());
    insert.setString(p++, row.writer());
    insert.setLong(p++, row.writeTimestamp());
    insert.setString(p++, row.adapterManifest());
    insert.setBytes(p++, row.eventPayload());
    insert.setInt(p++, row.eventSerId());
    insert.setString(p++, row.eventSerManifest());
    insert.setBytes(p++, row.metaPayload().isDefined() ? row.metaPayload().get() : null);
    if (row.metaSerId().isDefined()) {
      insert.setInt(p++, (Integer) row.metaSerId().get());
    } else {
      insert.setNull(p++, Types.INTEGER);
    }
    insert.setString(p++, row.metaSerManifest().isDefined() ? row.metaSerManifest().get() : null);
    if (slice == null) {
      insert.setNull(p++, Types.SMALLINT);
    } else {
      insert.setShort(p++, slice);
    }
    return p;
  }
}
