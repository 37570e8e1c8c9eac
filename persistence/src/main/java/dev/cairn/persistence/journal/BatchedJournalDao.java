package dev.cairn.persistence.journal;

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
 * The JDBC journal's data access with one change: on PostgreSQL a batch of events is written with
 * two statements, whatever its size.
 *
 * <p>pekko-persistence-jdbc 1.1.1 writes tagged events one {@code INSERT ... RETURNING ordering} at
 * a time (it needs each event's ordering for its {@code event_tag} rows), so a batch of n events
 * costs n + 1 round trips inside its transaction. Every Cairn document event carries two tags (its
 * read-model slice and the change feed), and under write load those round trips were the largest
 * share of the journal's database time (docs/performance.md). Here the batch is one multi-row
 * insert returning every ordering, then one multi-row insert of all its tags, in one transaction:
 * the same rows, the same all-or-nothing batch, the same reply after commit.
 *
 * <p>Recovery's question for the highest sequence number, which every entity asks once when it
 * starts, is likewise shared by the recoveries running at the same time (one query for many
 * entities).
 *
 * <p>Other databases (H2, embedded, where a round trip is a method call) keep the library's write
 * and lookup. Reading events, deleting and the read journal are the library's own.
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
    "meta_ser_manifest"
  };

  /** Rows per statement; PostgreSQL takes at most 65,535 bind parameters in one. */
  private static final int ROWS_PER_STATEMENT = 1000;

  /** Persistence ids per recovery query of {@link #highestSequenceNr}. */
  private static final int IDS_PER_LOOKUP = 500;

  private final boolean batched;
  private final CoalescingLookup<Long> highestSequenceNrs;

  public BatchedJournalDao(
      JdbcBackend.JdbcDatabaseDef db,
      JdbcProfile profile,
      JournalConfig journalConfig,
      Serialization serialization,
      ExecutionContext ec,
      Materializer mat) {
    super(db, profile, journalConfig, serialization, ec, mat);
    this.batched = SlickJdbc.isPostgres(profile);
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
    if (!batched) {
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
    if (!batched) {
      return super.writeJournalRows(rows);
    }
    List<Tuple2<JournalPekkoSerializationRow, Set<String>>> batch =
        CollectionConverters.asJava(rows);
    return SlickJdbc.run(
        db(),
        connection -> {
          inTransaction(connection, batch);
          return BoxedUnit.UNIT;
        });
  }

  private static void inTransaction(
      Connection connection, List<Tuple2<JournalPekkoSerializationRow, Set<String>>> batch)
      throws SQLException {
    boolean autoCommit = connection.getAutoCommit();
    connection.setAutoCommit(false);
    try {
      for (int from = 0; from < batch.size(); from += ROWS_PER_STATEMENT) {
        write(connection, batch.subList(from, Math.min(batch.size(), from + ROWS_PER_STATEMENT)));
      }
      connection.commit();
    } catch (SQLException | RuntimeException e) {
      connection.rollback();
      throw e;
    } finally {
      connection.setAutoCommit(autoCommit);
    }
  }

  private static void write(
      Connection connection, List<Tuple2<JournalPekkoSerializationRow, Set<String>>> rows)
      throws SQLException {
    Map<String, Long> orderings = insertEvents(connection, rows);
    List<Object[]> tags = new ArrayList<>();
    for (Tuple2<JournalPekkoSerializationRow, Set<String>> row : rows) {
      Long ordering = orderings.get(key(row._1().persistenceId(), row._1().sequenceNumber()));
      for (String tag : CollectionConverters.asJava(row._2())) {
        tags.add(new Object[] {ordering, tag});
      }
    }
    if (tags.isEmpty()) {
      return;
    }
    try (PreparedStatement insert =
        connection.prepareStatement(
            "INSERT INTO event_tag (event_id, tag) VALUES "
                + String.join(", ", Collections.nCopies(tags.size(), "(?, ?)")))) {
      int parameter = 1;
      for (Object[] tag : tags) {
        insert.setLong(parameter++, (Long) tag[0]);
        insert.setString(parameter++, (String) tag[1]);
      }
      insert.executeUpdate();
    }
  }

  /** Inserts the events and answers each one's ordering by persistence id and sequence number. */
  private static Map<String, Long> insertEvents(
      Connection connection, List<Tuple2<JournalPekkoSerializationRow, Set<String>>> rows)
      throws SQLException {
    String values = "(" + String.join(", ", Collections.nCopies(EVENT_COLUMNS.length, "?")) + ")";
    String sql =
        "INSERT INTO event_journal ("
            + String.join(", ", EVENT_COLUMNS)
            + ") VALUES "
            + String.join(", ", Collections.nCopies(rows.size(), values))
            + " RETURNING ordering, persistence_id, sequence_number";
    Map<String, Long> orderings = new HashMap<>();
    try (PreparedStatement insert = connection.prepareStatement(sql)) {
      int p = 1;
      for (Tuple2<JournalPekkoSerializationRow, Set<String>> tuple : rows) {
        JournalPekkoSerializationRow row = tuple._1();
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
        insert.setString(
            p++, row.metaSerManifest().isDefined() ? row.metaSerManifest().get() : null);
      }
      try (ResultSet inserted = insert.executeQuery()) {
        while (inserted.next()) {
          orderings.put(key(inserted.getString(2), inserted.getLong(3)), inserted.getLong(1));
        }
      }
    }
    return orderings;
  }

  private static String key(String persistenceId, long sequenceNumber) {
    return sequenceNumber + "|" + persistenceId;
  }
}
