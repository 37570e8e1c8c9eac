package dev.cairn.persistence.readmodel;

import dev.cairn.persistence.Database;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Keeps PostgreSQL's statistics of the read model's tables in step with a read model that grows
 * fast: a new database, a read model projected again from nothing, the inactive tables a full
 * rebuild fills.
 *
 * <p>A projection batch looks its documents up by primary key ({@code collection = ? AND id =
 * ANY(?)}), with a plan pgjdbc keeps for the connection's life. Planned while a table is empty or
 * far smaller than now, that plan reads the whole collection through the key's first column and
 * filters the ids (any index on {@code collection} serves; forbidding one index does not help), and
 * PostgreSQL makes a new plan only after the table is analyzed. Autovacuum analyzes it at the
 * earliest a minute later (its nap time), long after each batch has begun to read every row of its
 * collection: measured, 47 ms a batch of 100 events, and a catch-up of 160,000 events at a quarter
 * of its speed. Here a table is analyzed, some milliseconds of sampling, once it has twice as many
 * rows as when it was last analyzed, so a read model growing from nothing to a million documents is
 * analyzed about ten times. Updates do not count: they change neither the table's size nor its
 * collections (counting them as autovacuum does analyzed a read model of 100,000 documents twelve
 * times in one catch-up instead of seven, a fifth of PostgreSQL's time).
 */
final class ReadStatistics {

  /**
   * The sample these analyses take, a tenth of PostgreSQL's default: enough for the plans that
   * matter here (primary-key lookups, a collection's share of the table), and a sixth of the time
   * (95 -> 14 ms for 104,000 documents). Autovacuum's own analyses, with the default sample, follow
   * within minutes.
   */
  static final int STATISTICS_TARGET = 10;

  /** Rows that make a table that was empty when last analyzed worth analyzing. */
  static final long MIN_ROWS = 1_000;

  private ReadStatistics() {}

  /**
   * The columns worth statistics: a document table's all but the document itself, which no query
   * selects by and whose sampled text was a quarter of an analysis's time (126 -> 95 ms for a table
   * of 104,000 documents).
   */
  private static String columns(String table) {
    return table.startsWith("read_document_field")
        ? ""
        : " (collection, id, version, deleted, indexed_with)";
  }

  /** Analyzes the read-model tables that have doubled since last analyzed; returns their names. */
  static List<String> refresh(Connection c) throws SQLException {
    List<String> analyzed = new ArrayList<>();
    if (!Database.isPostgres(c)) {
      return analyzed;
    }
    try (PreparedStatement select =
        c.prepareStatement(
            "SELECT s.relname FROM pg_stat_user_tables s JOIN pg_class r ON r.oid = s.relid"
                + " WHERE s.schemaname = current_schema() AND s.relname IN ('read_document',"
                + " 'read_document_field', 'read_document_green', 'read_document_field_green')"
                + " AND s.n_live_tup >= GREATEST(?, 2 * r.reltuples)")) {
      select.setLong(1, MIN_ROWS);
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          analyzed.add(rows.getString(1));
        }
      }
    }
    if (analyzed.isEmpty()) {
      return analyzed;
    }
    try (Statement analyze = c.createStatement()) {
      analyze.execute("SET default_statistics_target = " + STATISTICS_TARGET);
      try {
        for (String table : analyzed) {
          analyze.execute("ANALYZE " + table + columns(table));
        }
      } finally {
        analyze.execute("RESET default_statistics_target");
      }
    }
    return analyzed;
  }
}
