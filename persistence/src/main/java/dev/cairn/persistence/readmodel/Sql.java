package dev.cairn.persistence.readmodel;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The few SQL shapes the read model's stores share, in plain parameterized SQL that H2 and
 * PostgreSQL both run. Table and column names come from Cairn's code, never from a request.
 */
final class Sql {

  private Sql() {}

  /**
   * Updates the row with this key, or inserts it if there is none: portable between H2 and
   * PostgreSQL, and safe because each row has one writer (one projection instance owns it). Table
   * and column names come from this class, never from a request.
   */
  static void upsert(
      Connection c, String table, Map<String, Object> key, Map<String, Object> values)
      throws SQLException {
    List<Object> parameters = new ArrayList<>(values.values());
    parameters.addAll(key.values());
    String update =
        "UPDATE "
            + table
            + " SET "
            + String.join(" = ?, ", values.keySet())
            + " = ? WHERE "
            + String.join(" = ? AND ", key.keySet())
            + " = ?";
    if (execute(c, update, parameters) > 0) {
      return;
    }
    Map<String, Object> row = new LinkedHashMap<>(key);
    row.putAll(values);
    String insert =
        "INSERT INTO "
            + table
            + " ("
            + String.join(", ", row.keySet())
            + ") VALUES ("
            + String.join(", ", Collections.nCopies(row.size(), "?"))
            + ")";
    execute(c, insert, new ArrayList<>(row.values()));
  }

  /** Statements on a connection that {@link #inTransaction} runs in one transaction. */
  @FunctionalInterface
  interface Transaction<T> {
    T run() throws SQLException;
  }

  /**
   * Runs {@code work} in one transaction on {@code c}: committed if it returns, else rolled back.
   */
  static <T> T inTransaction(Connection c, Transaction<T> work) throws SQLException {
    c.setAutoCommit(false);
    try {
      T result = work.run();
      c.commit();
      return result;
    } catch (SQLException | RuntimeException e) {
      c.rollback();
      throw e;
    } finally {
      c.setAutoCommit(true);
    }
  }

  static int execute(Connection c, String sql, List<Object> parameters) throws SQLException {
    try (PreparedStatement statement = c.prepareStatement(sql)) {
      for (int i = 0; i < parameters.size(); i++) {
        statement.setObject(i + 1, parameters.get(i));
      }
      return statement.executeUpdate();
    }
  }

  /** Column names and values, in order: {@code columns("a", 1, "b", "x")}. */
  static Map<String, Object> columns(Object... namesAndValues) {
    Map<String, Object> columns = new LinkedHashMap<>();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      columns.put((String) namesAndValues[i], namesAndValues[i + 1]);
    }
    return columns;
  }

  static void setOrNull(PreparedStatement statement, int index, Object value, int type)
      throws SQLException {
    if (value == null) {
      statement.setNull(index, type);
    } else {
      statement.setObject(index, value, type);
    }
  }
}
