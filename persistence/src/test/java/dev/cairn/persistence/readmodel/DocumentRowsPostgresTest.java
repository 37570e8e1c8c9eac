package dev.cairn.persistence.readmodel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cairn.persistence.TestPostgres;
import dev.cairn.protocol.DocumentKey;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The read model's lookups on a real PostgreSQL whose statistics lag behind the data. */
class DocumentRowsPostgresTest {

  private static String url;

  @BeforeAll
  static void schema() throws Exception {
    url = TestPostgres.freshDatabase();
    try (Connection c = TestPostgres.connect(url);
        Statement s = c.createStatement()) {
      // Statistics taken while only "old" existed, then a collection the planner has never seen
      // grows (autovacuum would analyze it eventually; here it never does).
      s.execute("ALTER TABLE read_document SET (autovacuum_enabled = false)");
      s.execute(insertDocuments("old", 1000));
      s.execute("ANALYZE read_document");
      s.execute(insertDocuments("new", 20000));
    }
  }

  private static String insertDocuments(String collection, int count) {
    return "INSERT INTO read_document (collection, id, version, deleted, indexed_with, document)"
        + " SELECT '"
        + collection
        + "', 'd' || g, 1, false, 0, '{\"collection\":\""
        + collection
        + "\",\"id\":\"d' || g || '\",\"version\":1,\"deleted\":false,\"data\":{}}'"
        + " FROM generate_series(1, "
        + count
        + ") g";
  }

  @Test
  void aProjectionBatchReadsOnlyTheRowsOfItsDocumentsInACollectionNewerThanTheStatistics()
      throws SQLException {
    try (Connection c = TestPostgres.connect(url)) {
      c.setAutoCommit(false);
      List<DocumentKey> keys =
          List.of(
              new DocumentKey("new", "d7"),
              new DocumentKey("new", "d19999"),
              new DocumentKey("new", "missing"));

      assertEquals(2, DocumentRows.documents(c, ReadTables.BLUE, keys).size());

      // This transaction's own counters: how many rows the lookup fetched through an index.
      try (PreparedStatement read =
              c.prepareStatement(
                  "SELECT idx_tup_fetch FROM pg_stat_xact_user_tables"
                      + " WHERE relname = 'read_document'");
          ResultSet rows = read.executeQuery()) {
        rows.next();
        assertEquals(2, rows.getLong(1), "rows fetched for 3 ids, 2 of them stored");
      }
      c.rollback();
    }
  }
}
