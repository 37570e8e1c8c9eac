package dev.cairn.persistence.journal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ConcurrentSkipListSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The journal's orderings that the read side may pass on PostgreSQL: up to the first missing one
 * that a transaction still open may yet commit.
 *
 * <p>An event's ordering is taken from a sequence when its row is inserted, but becomes visible
 * when its transaction commits, so a writer frozen between the two (a paused process, a GC pause)
 * leaves a gap below orderings that others have committed. pekko-persistence-jdbc waits for a
 * missing ordering {@code max-tries × query-delay} (5 s here) and then takes it as never coming, so
 * an event that commits later is never read by the projections or the change feed (chaos finding
 * 2). Here a gap holds the read side back for as long as some session of the database has a writing
 * transaction that began before the gap was first seen; when none has, the gap cannot be filled any
 * more (its transaction rolled back) and is handed on to the library's own wait. A gap held longer
 * than {@link #MAX_WAIT} is handed on with a warning, so that one transaction left open cannot stop
 * every read model.
 *
 * <p>A session counts as writing when it has a transaction id or is running a statement (an insert
 * takes its ordering a moment before its transaction id); a long read, such as an export, does not
 * hold gaps back. Sessions of other database roles are invisible in {@code pg_stat_activity} and
 * are not waited for.
 */
final class CommittedOrderings {

  /** The longest a gap holds the read side back. */
  static final Duration MAX_WAIT = Duration.ofSeconds(60);

  private static final Logger log = LoggerFactory.getLogger(CommittedOrderings.class);

  private static final String OPEN_WRITERS =
      "SELECT statement_timestamp(), (SELECT count(*) FROM pg_stat_activity"
          + " WHERE datname = current_database() AND pid <> pg_backend_pid()"
          + " AND xact_start < COALESCE(?, statement_timestamp())"
          + " AND (backend_xid IS NOT NULL OR state = 'active'))";

  // First ordering of each gap seen, with the database's time when it was first seen.
  private final NavigableMap<Long, Timestamp> gaps = new ConcurrentSkipListMap<>();
  // Gaps no open transaction can fill any more.
  private final NavigableSet<Long> settled = new ConcurrentSkipListSet<>();

  /** Up to {@code limit} orderings after {@code offset}, in order, cut before a gap still open. */
  List<Long> after(Connection connection, long offset, long limit) throws SQLException {
    List<Long> found = new ArrayList<>();
    try (PreparedStatement select =
        connection.prepareStatement(
            "SELECT \"ordering\" FROM \"event_journal\" WHERE \"ordering\" > ?"
                + " ORDER BY \"ordering\" LIMIT ?")) {
      select.setLong(1, offset);
      select.setLong(2, limit);
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          found.add(rows.getLong(1));
        }
      }
    }
    gaps.headMap(offset, true).clear();
    settled.headSet(offset, true).clear();
    long expected = offset + 1;
    for (int i = 0; i < found.size(); i++) {
      long ordering = found.get(i);
      if (ordering > expected && mayStillCommit(connection, expected, ordering)) {
        return found.subList(0, i);
      }
      expected = ordering + 1;
    }
    return found;
  }

  /** Whether the orderings from {@code missing} up to {@code next} may still be committed. */
  private boolean mayStillCommit(Connection connection, long missing, long next)
      throws SQLException {
    if (settled.contains(missing)) {
      return false;
    }
    Timestamp firstSeen = gaps.get(missing);
    try (PreparedStatement open = connection.prepareStatement(OPEN_WRITERS)) {
      open.setTimestamp(1, firstSeen);
      try (ResultSet row = open.executeQuery()) {
        row.next();
        Timestamp now = row.getTimestamp(1);
        long writers = row.getLong(2);
        if (firstSeen == null) {
          firstSeen = now;
          gaps.put(missing, now);
        }
        if (writers == 0) {
          settled.add(missing);
          return false;
        }
        if (now.getTime() - firstSeen.getTime() > MAX_WAIT.toMillis()) {
          log.warn(
              "Journal orderings {} to {} have been missing for over {} s while a transaction"
                  + " older than the gap is still open; the read side goes on without them (an"
                  + " event committed there later reaches the read model with its document's"
                  + " next event, and never the change feed)",
              missing,
              next - 1,
              MAX_WAIT.toSeconds());
          settled.add(missing);
          return false;
        }
        return true;
      }
    }
  }
}
