package dev.cairn.persistence.readmodel;

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
 * <p>A projection batch looks its documents up by primary key ({@code collection = ? AND id IN
 * (...)}), with a plan pgjdbc keeps for the connection's life. Planned while a table is empty or
 * far smaller than now, that plan reads the whole collection through the key's first column and
 * filters the ids (any index on {@code collection} serves; forbidding one index does not help), and
 * PostgreSQL makes a new plan only after the table is analyzed. Autovacuum analyzes it at the
 * earliest a minute later (its nap time), long after each batch has begun to read every row of its
 * collection: measured, 47 ms a batch of 100 events, and a catch-up of 160,000 events at a quarter
 * of its speed. Here a table is analyzed, a few tens of milliseconds of sampling, once it has as
 * many changed rows as it had rows when it was last analyzed: when it has doubled, so a read model
 * growing from nothing to a million documents is analyzed about twenty times.
 */
final class ReadStatistics {

  /** Changed rows that make a table that was empty when last analyzed worth analyzing. */
  static final long MIN_CHANGES = 1_000;

  private ReadStatistics() {}

  /** Analyzes the read-model tables that have doubled since last analyzed; returns their names. */
  static List<String> refresh(Connection c) throws SQLException {
    List<String> analyzed = new ArrayList<>();
    if (!"PostgreSQL".equals(c.getMetaData().getDatabaseProductName())) {
      return analyzed;
    }
    try (PreparedStatement select =
        c.prepareStatement(
            "SELECT s.relname FROM pg_stat_user_tables s JOIN pg_class r ON r.oid = s.relid"
                + " WHERE s.schemaname = current_schema() AND s.relname IN ('read_document',"
                + " 'read_document_field', 'read_document_green', 'read_document_field_green')"
                + " AND s.n_mod_since_analyze >= GREATEST(?, r.reltuples)")) {
      select.setLong(1, MIN_CHANGES);
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          analyzed.add(rows.getString(1));
        }
      }
    }
    try (Statement analyze = c.createStatement()) {
      for (String table : analyzed) {
        analyze.execute("ANALYZE " + table);
      }
    }
    return analyzed;
  }
}
