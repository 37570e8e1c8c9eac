package dev.cairn.persistence.readmodel;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.protocol.Document;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Refills the index fields of documents indexed with an older collection definition than the
 * current one: after an index is added, and after the rare projection that raced a definition
 * change.
 */
final class Reindexing {

  private Reindexing() {}

  /**
   * Recomputes the index fields of a collection's documents that were indexed with an older
   * definition than {@code indexes}, up to {@code limit} of them, locking their rows so that a
   * projection updating the same document waits. A document projected concurrently with a
   * definition change can be indexed with the old definition; the next repair finds it.
   */
  static int reindex(Connection c, String collection, DocumentRows.Indexes indexes, int limit)
      throws SQLException {
    ReadTables t = ReadTables.active(c);
    List<String[]> stale = new ArrayList<>();
    try (PreparedStatement select =
        c.prepareStatement(
            "SELECT id, document FROM "
                + t.documents()
                + " WHERE collection = ? AND indexed_with < ?"
                + " ORDER BY id LIMIT ? FOR UPDATE")) {
      select.setString(1, collection);
      select.setLong(2, indexes.version());
      select.setInt(3, limit);
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          stale.add(new String[] {rows.getString(1), rows.getString(2)});
        }
      }
    }
    try (PreparedStatement mark =
        c.prepareStatement(
            "UPDATE " + t.documents() + " SET indexed_with = ? WHERE collection = ? AND id = ?")) {
      for (String[] row : stale) {
        ObjectNode data = JsonText.read(row[1], Document.class).data();
        DocumentRows.saveFields(c, t, collection, row[0], IndexValue.of(indexes.fields(), data));
        mark.setLong(1, indexes.version());
        mark.setString(2, collection);
        mark.setString(3, row[0]);
        mark.addBatch();
      }
      mark.executeBatch();
    }
    return stale.size();
  }
}
