package dev.cairn.persistence.readmodel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.persistence.DocumentState;
import dev.cairn.persistence.TestPostgres;
import dev.cairn.protocol.DocumentKey;
import dev.cairn.protocol.collection.IndexField;
import dev.cairn.protocol.collection.IndexType;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The read model's lookups on a real PostgreSQL whose statistics lag behind the data. */
class DocumentRowsPostgresTest {

  private static String url;

  /** Version 3 of a collection's definition, indexing {@code /n} and {@code /tag}. */
  private static final DocumentRows.Indexes NUMBER_AND_TAG =
      new DocumentRows.Indexes(
          3,
          Map.of(
              "n", new IndexField("/n", IndexType.NUMBER),
              "tag", new IndexField("/tag", IndexType.STRING)));

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

      assertEquals(2, indexFetches(c), "rows fetched for 3 ids, 2 of them stored");
      c.rollback();
    }
  }

  @Test
  void aLookupPlannedWhileTheTableWasEmptyReadsOnlyItsRowsOnceTheGrownTableIsAnalyzed()
      throws Exception {
    String empty = TestPostgres.freshDatabase();
    try (Connection c = TestPostgres.connect(empty);
        Statement s = c.createStatement()) {
      s.execute("ALTER TABLE read_document SET (autovacuum_enabled = false)");
      c.setAutoCommit(false);
      List<DocumentKey> keys =
          List.of(new DocumentKey("grown", "d7"), new DocumentKey("grown", "d19999"));
      // pgjdbc prepares a statement on the server at its fifth use; its plan is made then, while
      // the table is empty, and kept for the connection's life.
      for (int i = 0; i < 6; i++) {
        assertEquals(0, DocumentRows.documents(c, ReadTables.BLUE, keys).size());
        c.rollback();
      }
      s.execute(insertDocuments("grown", 20000));
      c.commit();
      assertEquals(2, DocumentRows.documents(c, ReadTables.BLUE, keys).size());
      assertEquals(20000, indexFetches(c), "the plan made for an empty table reads them all");
      c.rollback();

      // The statistics collector counts the inserts within a second or so.
      c.setAutoCommit(true);
      List<String> analyzed = new java.util.ArrayList<>();
      for (int i = 0; i < 100 && !analyzed.contains("read_document"); i++) {
        analyzed.addAll(ReadStatistics.refresh(c));
        Thread.sleep(100);
      }
      assertTrue(analyzed.contains("read_document"), "analyzed: " + analyzed);
      c.setAutoCommit(false);

      assertEquals(2, DocumentRows.documents(c, ReadTables.BLUE, keys).size());
      assertEquals(2, indexFetches(c), "rows fetched for 2 ids once the table is analyzed");
      c.rollback();
    }
  }

  @Test
  void documentsAndTheirIndexFieldsAreWrittenInMultiRowInsertsOfAnySize() throws Exception {
    String database = TestPostgres.freshDatabase();
    try (Connection c = TestPostgres.connect(database);
        Statement s = c.createStatement()) {
      java.time.Instant at = java.time.Instant.parse("2026-12-03T12:00:00Z");
      List<DocumentState> states = new java.util.ArrayList<>();
      for (int i = 0; i < 1234; i++) {
        com.fasterxml.jackson.databind.node.ObjectNode data =
            dev.cairn.protocol.Json.mapper().createObjectNode().put("n", i);
        if (i % 2 == 0) {
          data.put("tag", "t" + i);
        }
        states.add(new DocumentState("many", "d" + i, 1, true, false, data, at, at, List.of()));
      }
      DocumentRows.Indexes indexes = NUMBER_AND_TAG;

      DocumentRows.saveDocuments(
          c, ReadTables.BLUE, states, java.util.Set.of(), Map.of("many", indexes));

      assertEquals(1234, count(s, "SELECT count(*) FROM read_document WHERE indexed_with = 3"));
      assertEquals(1234, count(s, "SELECT count(*) FROM read_document_field WHERE field = 'n'"));
      assertEquals(617, count(s, "SELECT count(*) FROM read_document_field WHERE field = 'tag'"));
      assertEquals(
          1233,
          count(
              s,
              "SELECT number_value FROM read_document_field WHERE id = 'd1233' AND field = 'n'"));
      assertEquals(
          List.of(states.get(1232)),
          List.copyOf(
              DocumentRows.documents(c, ReadTables.BLUE, List.of(new DocumentKey("many", "d1232")))
                  .values()));
    }
  }

  @Test
  void updatesReplaceTheirRowsAndOldIndexFieldsInMultiRowStatementsOfAnySize() throws Exception {
    String database = TestPostgres.freshDatabase();
    try (Connection c = TestPostgres.connect(database);
        Statement s = c.createStatement()) {
      java.time.Instant at = java.time.Instant.parse("2026-12-03T12:00:00Z");
      DocumentRows.Indexes indexes = NUMBER_AND_TAG;
      List<DocumentState> created = new java.util.ArrayList<>();
      List<DocumentState> updated = new java.util.ArrayList<>();
      java.util.Set<DocumentKey> stored = new java.util.HashSet<>();
      for (int i = 0; i < 1234; i++) {
        // Even documents lose their tag, odd ones gain one, and every number changes.
        com.fasterxml.jackson.databind.node.ObjectNode before =
            dev.cairn.protocol.Json.mapper().createObjectNode().put("n", i);
        com.fasterxml.jackson.databind.node.ObjectNode after =
            dev.cairn.protocol.Json.mapper().createObjectNode().put("n", -i);
        (i % 2 == 0 ? before : after).put("tag", "t" + i);
        created.add(new DocumentState("many", "d" + i, 1, true, false, before, at, at, List.of()));
        updated.add(
            new DocumentState(
                "many", "d" + i, 2, true, i == 7, after, at, at.plusSeconds(1), List.of()));
        stored.add(new DocumentKey("many", "d" + i));
      }
      DocumentRows.saveDocuments(
          c, ReadTables.BLUE, created, java.util.Set.of(), Map.of("many", indexes));

      DocumentRows.saveDocuments(c, ReadTables.BLUE, updated, stored, Map.of("many", indexes));

      assertEquals(1234, count(s, "SELECT count(*) FROM read_document WHERE version = 2"));
      assertEquals(1, count(s, "SELECT count(*) FROM read_document WHERE deleted"));
      assertEquals(1234, count(s, "SELECT count(*) FROM read_document_field WHERE field = 'n'"));
      assertEquals(0, count(s, "SELECT count(*) FROM read_document_field WHERE number_value > 0"));
      assertEquals(617, count(s, "SELECT count(*) FROM read_document_field WHERE field = 'tag'"));
      assertEquals(
          0,
          count(
              s,
              "SELECT count(*) FROM read_document_field WHERE field = 'tag'"
                  + " AND right(id, 1) IN ('0', '2', '4', '6', '8')"));
      assertEquals(
          List.of(updated.get(1233)),
          List.copyOf(
              DocumentRows.documents(c, ReadTables.BLUE, List.of(new DocumentKey("many", "d1233")))
                  .values()));
    }
  }

  private static long count(Statement s, String sql) throws SQLException {
    try (ResultSet row = s.executeQuery(sql)) {
      row.next();
      return row.getLong(1);
    }
  }

  /** This transaction's own count of rows read through an index of {@code read_document}. */
  private static long indexFetches(Connection c) throws SQLException {
    try (PreparedStatement read =
            c.prepareStatement(
                "SELECT idx_tup_fetch FROM pg_stat_xact_user_tables"
                    + " WHERE relname = 'read_document'");
        ResultSet rows = read.executeQuery()) {
      rows.next();
      return rows.getLong(1);
    }
  }
}
