package dev.cairn.persistence.readmodel;

import dev.cairn.persistence.CollectionEntity;
import dev.cairn.persistence.DocumentTags;
import dev.cairn.persistence.journal.JournalSlices;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How far the read model has got: each projection instance's newest applied event, what the journal
 * holds for its slice, and why an instance is stuck. The lag of a slice is how long its oldest
 * waiting event has waited, so a slice that is stuck shows a lag that keeps growing.
 */
final class ReadModelProgress {

  private static final long[] NOTHING = {0, 0};

  private ReadModelProgress() {}

  /** Records the newest event a projection instance has applied. */
  static void progress(Connection c, String projection, String slice, long ordering, long timestamp)
      throws SQLException {
    Sql.upsert(
        c,
        "read_model_progress",
        Sql.columns("projection", projection, "slice", slice),
        Sql.columns("event_ordering", ordering, "event_timestamp", timestamp));
  }

  /**
   * How far the document read model is behind, in milliseconds (the largest lag of its slices; 1
   * while index fields are still being refilled after a definition change), and which slices are
   * stuck.
   */
  static ReadModel.Freshness freshness(Connection c) throws SQLException {
    long lag = 0;
    List<String> stuck = new ArrayList<>();
    for (SliceStatus slice : slices(c)) {
      lag = Math.max(lag, slice.lagMillis());
      if (slice.stuck()) {
        stuck.add(slice.slice());
      }
    }
    return new ReadModel.Freshness(lag > 0 || !indexesBeingFilled(c) ? lag : 1, stuck, null);
  }

  /**
   * Each document slice: how far it is projected, what the journal holds, its failure. Four round
   * trips whatever the number of slices (progress, failures, the newest event of each slice, the
   * oldest waiting event of each slice that is behind), each per-slice lookup one step down the
   * (slice, ordering) index of the journal.
   */
  static List<SliceStatus> slices(Connection c) throws SQLException {
    Map<String, Map<String, SliceStatus.Failure>> failures = failures(c);
    Map<String, SliceStatus.Failure> documentFailures =
        failures.getOrDefault(DocumentProjection.NAME, Map.of());
    Map<String, long[]> projected = projected(c);
    List<String> tags = new ArrayList<>();
    for (int slice = 0; slice < DocumentTags.SLICES; slice++) {
      tags.add(DocumentTags.sliceTag(slice));
    }
    Map<String, long[]> newest = events(c, tags, Map.of(), "MAX", "");
    Map<String, Long> behind = new LinkedHashMap<>();
    for (String tag : tags) {
      long at = projected.getOrDefault(tag, NOTHING)[0];
      if (newest.containsKey(tag) && at < newest.get(tag)[0]) {
        behind.put(tag, at);
      }
    }
    Map<String, long[]> oldestWaiting =
        events(c, new ArrayList<>(behind.keySet()), behind, "MIN", " AND j.\"ordering\" > ?");
    long now = System.currentTimeMillis();
    List<SliceStatus> slices = new ArrayList<>();
    for (String tag : tags) {
      boolean waiting = behind.containsKey(tag);
      long lag =
          waiting ? Math.max(1, now - oldestWaiting.getOrDefault(tag, newest.get(tag))[1]) : 0;
      // A failure counts while events wait for the slice: once it has every event (the one it
      // failed on was removed, or a database outage ended), the failure is history.
      slices.add(
          new SliceStatus(
              tag,
              projected.getOrDefault(tag, NOTHING)[0],
              newest.getOrDefault(tag, NOTHING)[0],
              lag,
              waiting ? documentFailures.get(tag) : null));
    }
    SliceStatus.Failure definitions =
        failures.getOrDefault(CollectionProjection.NAME, Map.of()).get(CollectionEntity.TAG);
    if (definitions != null) {
      slices.add(new SliceStatus(CollectionEntity.TAG, 0, 0, 0, definitions));
    }
    return slices;
  }

  /** Records why a projection instance failed; kept until {@link #clearFailure}. */
  static void recordFailure(Connection c, String projection, String slice, SliceStatus.Failure f)
      throws SQLException {
    Sql.upsert(
        c,
        "read_model_failure",
        Sql.columns("projection", projection, "slice", slice),
        Sql.columns(
            "event_ordering",
            f.eventOrdering(),
            "persistence_id",
            f.persistenceId(),
            "sequence_nr",
            f.sequenceNr(),
            "message",
            f.message(),
            "failed_at",
            f.failedAt()));
  }

  static void clearFailure(Connection c, String projection, String slice) throws SQLException {
    Sql.execute(
        c,
        "DELETE FROM read_model_failure WHERE projection = ? AND slice = ?",
        List.of(projection, slice));
  }

  /**
   * For each tag, the ordering and write time of one of its events, found with {@code aggregate}
   * (MAX: the newest; MIN with {@code condition}: the oldest after the tag's offset in {@code
   * after}), in one statement.
   */
  private static Map<String, long[]> events(
      Connection c, List<String> tags, Map<String, Long> after, String aggregate, String condition)
      throws SQLException {
    Map<String, long[]> found = new HashMap<>();
    if (tags.isEmpty()) {
      return found;
    }
    List<String> selects = new ArrayList<>();
    for (int i = 0; i < tags.size(); i++) {
      selects.add(
          "SELECT "
              + i
              + " AS n, e.\"ordering\", e.\"write_timestamp\" FROM \"event_journal\" e"
              + " WHERE e.\"ordering\" = (SELECT "
              + aggregate
              + "(j.\"ordering\") FROM \"event_journal\" j WHERE "
              + JournalSlices.condition(tags.get(i))
              + condition
              + ")");
    }
    try (PreparedStatement select = c.prepareStatement(String.join(" UNION ALL ", selects))) {
      int parameter = 1;
      for (String tag : tags) {
        JournalSlices.bind(select, parameter++, tag);
        if (!condition.isEmpty()) {
          select.setLong(parameter++, after.get(tag));
        }
      }
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          found.put(tags.get(rows.getInt(1)), new long[] {rows.getLong(2), rows.getLong(3)});
        }
      }
    }
    return found;
  }

  /** The newest applied event of each document slice: its ordering and write time. */
  private static Map<String, long[]> projected(Connection c) throws SQLException {
    Map<String, long[]> projected = new HashMap<>();
    try (PreparedStatement select =
        c.prepareStatement(
            "SELECT slice, event_ordering, event_timestamp FROM read_model_progress"
                + " WHERE projection = ?")) {
      select.setString(1, DocumentProjection.NAME);
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          projected.put(rows.getString(1), new long[] {rows.getLong(2), rows.getLong(3)});
        }
      }
    }
    return projected;
  }

  /** The recorded failures, by projection and slice. */
  private static Map<String, Map<String, SliceStatus.Failure>> failures(Connection c)
      throws SQLException {
    Map<String, Map<String, SliceStatus.Failure>> failures = new HashMap<>();
    try (PreparedStatement select =
            c.prepareStatement(
                "SELECT projection, slice, event_ordering, persistence_id, sequence_nr, message,"
                    + " failed_at FROM read_model_failure");
        ResultSet rows = select.executeQuery()) {
      while (rows.next()) {
        failures
            .computeIfAbsent(rows.getString(1), p -> new HashMap<>())
            .put(
                rows.getString(2),
                new SliceStatus.Failure(
                    rows.getObject(3, Long.class),
                    rows.getString(4),
                    rows.getObject(5, Long.class),
                    rows.getString(6),
                    rows.getLong(7)));
      }
    }
    return failures;
  }

  /** Whether some document's index fields still follow an older collection definition. */
  private static boolean indexesBeingFilled(Connection c) throws SQLException {
    try (PreparedStatement select =
            c.prepareStatement(
                "SELECT 1 FROM read_collection r JOIN "
                    + ReadTables.active(c).documents()
                    + " d ON d.collection = r.name AND d.indexed_with < r.version LIMIT 1");
        ResultSet row = select.executeQuery()) {
      return row.next();
    }
  }
}
