package dev.cairn.persistence.readmodel;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The document read model's two sets of tables, one of them active: lists read the active set and
 * the live projection writes it, while a full rebuild fills the other set and then switches, in one
 * committed row, so that lists go from the old read model to the new one at once (blue/green).
 */
record ReadTables(String name, String documents, String fields) {

  static final ReadTables BLUE = new ReadTables("blue", "read_document", "read_document_field");
  static final ReadTables GREEN =
      new ReadTables("green", "read_document_green", "read_document_field_green");

  ReadTables other() {
    return this == BLUE ? GREEN : BLUE;
  }

  /** The set lists read now. */
  static ReadTables active(Connection c) throws SQLException {
    try (PreparedStatement select =
            c.prepareStatement(
                "SELECT active FROM read_model_tables WHERE projection = '"
                    + DocumentProjection.NAME
                    + "'");
        ResultSet row = select.executeQuery()) {
      return row.next() && row.getString(1).equals(GREEN.name) ? GREEN : BLUE;
    }
  }

  /** Makes {@code tables} the active set, in the caller's transaction. */
  static void activate(Connection c, ReadTables tables) throws SQLException {
    Sql.upsert(
        c,
        "read_model_tables",
        Sql.columns("projection", DocumentProjection.NAME),
        Sql.columns("active", tables.name));
  }
}
