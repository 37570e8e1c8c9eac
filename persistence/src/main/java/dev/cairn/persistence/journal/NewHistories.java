package dev.cairn.persistence.journal;

import dev.cairn.persistence.CairnMetrics;
import dev.cairn.persistence.Database;
import dev.cairn.persistence.DocumentTags;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.pekko.persistence.jdbc.journal.dao.JournalTables.JournalPekkoSerializationRow;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;
import scala.Option;

/**
 * Writes whole histories of documents that have no events in the journal yet, many documents in one
 * transaction: how an import writes the documents it brings, instead of starting an entity for each
 * (a recovery and a commit per document).
 *
 * <p>The journal's primary key (persistence id, sequence number) is what keeps one writer per
 * document here: a history is written from version 1, so if any entity, on any node, writes a
 * document's first event before this transaction commits, one of the two inserts fails on the key
 * and its transaction writes nothing. An entity can only hold a document's absence while it handles
 * a command (an entity that has no events passivates after each one, see {@code DocumentEntity}),
 * so no running entity answers from a state older than what is written here.
 *
 * <p>Rows are those the journal plugin writes for the same events: the node's serializers, no
 * adapter manifest, no metadata, the slice of {@link DocumentTags} in the row's own column ({@link
 * JournalSlices}), counted in the journal's write meters. No snapshots are written; an entity that
 * recovers a history written here reads its events, and snapshots from its next write on.
 */
public final class NewHistories {

  /** A document's events from version 1, as its entity would persist them. */
  public record History(String persistenceId, List<?> events) {}

  /** SQLSTATE of a unique-key violation, on PostgreSQL and on H2. */
  private static final String UNIQUE_VIOLATION = "23505";

  /** Persistence ids per {@link #withEvents} statement. */
  private static final int IDS_PER_STATEMENT = 1000;

  private final Serialization serialization;
  private final JournalMetrics metrics;

  public NewHistories(Serialization serialization) {
    this.serialization = serialization;
    this.metrics =
        CairnMetrics.get(serialization.system()).meters(JournalMetrics.class, JournalMetrics::new);
  }

  private static final String WITH_EVENTS =
      "SELECT DISTINCT \"persistence_id\" FROM \"event_journal\" WHERE \"persistence_id\"";

  /** {@link #withEvents} on PostgreSQL: the ids as one array. */
  static final String WITH_EVENTS_POSTGRES = WITH_EVENTS + " = ANY(?)";

  /**
   * For the rest of the open transaction, statements are planned without their parameters and
   * without a sequential scan. The generic plan alone was not enough: made while the journal was
   * empty (a new database's first import), it was a scan, and pgjdbc's prepared statement kept it
   * for the whole import, 5 s a statement by its end (auto_explain, bench/run's full run).
   */
  static void planByPrimaryKey(Connection connection) throws SQLException {
    try (Statement set = connection.createStatement()) {
      set.execute("SET LOCAL plan_cache_mode = force_generic_plan");
      set.execute("SET LOCAL enable_seqscan = off");
    }
  }

  /**
   * Which of {@code persistenceIds} have at least one event in the journal.
   *
   * <p>On PostgreSQL the ids go as one array, looked up with the generic plan, which probes the
   * primary key for each id whatever the statistics say. With the ids as a list of literals the
   * planner used the statistics, and while an import grows the journal faster than autovacuum
   * analyzes it they say the table is small: it scanned the whole journal in parallel for each
   * 1,000 ids (auto_explain: 85-190 ms a statement, against 2-3 ms by the key), and PostgreSQL
   * spent 131-256 us an event of the imports of two bench runs; see {@link #planByPrimaryKey}.
   */
  public static Set<String> withEvents(Connection connection, Collection<String> persistenceIds)
      throws SQLException {
    List<String> ids = new ArrayList<>(persistenceIds);
    Set<String> found = new HashSet<>();
    boolean postgres = Database.isPostgres(connection);
    // SET LOCAL holds for a transaction: one of its own, unless the caller's is open already.
    boolean own = postgres && connection.getAutoCommit();
    if (own) {
      connection.setAutoCommit(false);
    }
    try {
      if (postgres) {
        planByPrimaryKey(connection);
      }
      for (int from = 0; from < ids.size(); from += IDS_PER_STATEMENT) {
        List<String> some = ids.subList(from, Math.min(ids.size(), from + IDS_PER_STATEMENT));
        try (PreparedStatement select =
            connection.prepareStatement(
                postgres
                    ? WITH_EVENTS_POSTGRES
                    : WITH_EVENTS
                        + " IN ("
                        + String.join(", ", Collections.nCopies(some.size(), "?"))
                        + ")")) {
          if (postgres) {
            select.setArray(1, connection.createArrayOf("varchar", some.toArray()));
          } else {
            for (int i = 0; i < some.size(); i++) {
              select.setString(i + 1, some.get(i));
            }
          }
          try (ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
              found.add(rows.getString(1));
            }
          }
        }
      }
      if (own) {
        connection.commit();
      }
    } catch (SQLException | RuntimeException e) {
      if (own) {
        connection.rollback();
      }
      throw e;
    } finally {
      if (own) {
        connection.setAutoCommit(true);
      }
    }
    return found;
  }

  /**
   * Writes every history in one transaction as {@code writer}. Returns false, having written
   * nothing, if one of the documents got an event here first; other failures throw.
   */
  public boolean append(Connection connection, List<History> histories, String writer)
      throws SQLException {
    long started = System.nanoTime();
    List<JournalPekkoSerializationRow> rows = new ArrayList<>();
    List<Short> slices = new ArrayList<>();
    long now = System.currentTimeMillis();
    for (History history : histories) {
      short slice = (short) DocumentTags.sliceOf(history.persistenceId());
      long version = 0;
      for (Object event : history.events()) {
        rows.add(row(history.persistenceId(), ++version, writer, now, event));
        slices.add(slice);
      }
    }
    boolean autoCommit = connection.getAutoCommit();
    connection.setAutoCommit(false);
    try {
      for (int from = 0; from < rows.size(); from += BatchedJournalDao.ROWS_PER_STATEMENT) {
        int to = Math.min(rows.size(), from + BatchedJournalDao.ROWS_PER_STATEMENT);
        BatchedJournalDao.insertEvents(
            connection, rows.subList(from, to), slices.subList(from, to));
      }
      connection.commit();
      metrics.written(rows.size(), started);
      return true;
    } catch (SQLException e) {
      connection.rollback();
      metrics.failed();
      if (UNIQUE_VIOLATION.equals(e.getSQLState())) {
        return false;
      }
      throw e;
    } catch (RuntimeException e) {
      connection.rollback();
      metrics.failed();
      throw e;
    } finally {
      connection.setAutoCommit(autoCommit);
    }
  }

  private JournalPekkoSerializationRow row(
      String persistenceId, long version, String writer, long timestamp, Object event) {
    Serializer serializer = serialization.findSerializerFor(event);
    return new JournalPekkoSerializationRow(
        Long.MIN_VALUE,
        false,
        persistenceId,
        version,
        writer,
        timestamp,
        "",
        serializer.toBinary(event),
        serializer.identifier(),
        Serializers.manifestFor(serializer, event),
        Option.empty(),
        Option.empty(),
        Option.empty());
  }
}
