package dev.cairn.persistence.readmodel;

import dev.cairn.persistence.DocumentState;
import dev.cairn.protocol.Document;
import dev.cairn.protocol.DocumentKey;
import dev.cairn.protocol.collection.IndexField;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The read model's documents and their index fields, row by row. A projection batch reads its
 * documents first and then updates the rows it found and inserts the others, in JDBC batches: one
 * round trip per statement kind, not per document. Each document belongs to exactly one projection
 * instance, so no two transactions race for the same row.
 */
final class DocumentRows {

  private DocumentRows() {}

  /** Ids per {@code IN (...)} when a projection batch reads its documents. */
  private static final int IN_LIST = 100;

  private static String insertField(ReadTables t) {
    return "INSERT INTO "
        + t.fields()
        + " (collection, id, field, string_value, number_value, boolean_value, timestamp_value)"
        + " VALUES (?, ?, ?, ?, ?, ?, ?)";
  }

  /**
   * The stored state of these documents, those the read model has: one query per collection and up
   * to {@value #IN_LIST} ids, however many events a projection batch carries.
   */
  static Map<DocumentKey, DocumentState> documents(
      Connection c, ReadTables t, Collection<DocumentKey> keys) throws SQLException {
    planByPrimaryKey(c);
    Map<DocumentKey, DocumentState> found = new HashMap<>();
    Map<String, List<String>> idsByCollection = new HashMap<>();
    for (DocumentKey key : keys) {
      idsByCollection.computeIfAbsent(key.collection(), k -> new ArrayList<>()).add(key.id());
    }
    for (Map.Entry<String, List<String>> entry : idsByCollection.entrySet()) {
      List<String> ids = entry.getValue();
      for (int from = 0; from < ids.size(); from += IN_LIST) {
        List<String> chunk = ids.subList(from, Math.min(ids.size(), from + IN_LIST));
        try (PreparedStatement select =
            c.prepareStatement(
                "SELECT document FROM "
                    + t.documents()
                    + " WHERE collection = ? AND id IN ("
                    + String.join(", ", Collections.nCopies(chunk.size(), "?"))
                    + ")")) {
          select.setString(1, entry.getKey());
          for (int i = 0; i < chunk.size(); i++) {
            select.setString(i + 2, chunk.get(i));
          }
          try (ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
              DocumentState state = state(JsonText.read(rows.getString(1), Document.class));
              found.put(new DocumentKey(state.collection(), state.id()), state);
            }
          }
        }
      }
    }
    return found;
  }

  /**
   * On PostgreSQL, plans the rest of this transaction's statements without their parameter values.
   * A collection that is new since the table was last analyzed looks almost empty to the planner
   * (its name is not among the statistics' common values), so with the values it reads the whole
   * collection through {@code collection} alone and filters the ids: a projection batch then costs
   * a scan of the collection until autovacuum analyzes the table again (measured: 10 ms a batch
   * while a new collection grew to 40,000 documents). The generic plan looks the ids up in the
   * primary key whatever the statistics say.
   */
  private static void planByPrimaryKey(Connection c) throws SQLException {
    if (!c.getAutoCommit() && "PostgreSQL".equals(c.getMetaData().getDatabaseProductName())) {
      try (Statement set = c.createStatement()) {
        set.execute("SET LOCAL plan_cache_mode = force_generic_plan");
      }
    }
  }

  private static DocumentState state(Document document) {
    return new DocumentState(
        document.collection(),
        document.id(),
        document.version(),
        true,
        document.deleted(),
        document.data(),
        document.createdAt(),
        document.updatedAt(),
        List.of());
  }

  /** A collection's declared indexes as of a version of its definition (0: never defined). */
  record Indexes(long version, Map<String, IndexField> fields) {}

  /**
   * Writes these documents' rows and index fields as JDBC batches: one round trip per statement
   * kind, not per document. {@code stored} are the keys that already have a row.
   */
  static void saveDocuments(
      Connection c,
      ReadTables t,
      Collection<DocumentState> states,
      Set<DocumentKey> stored,
      Map<String, Indexes> indexes)
      throws SQLException {
    try (PreparedStatement update =
            c.prepareStatement(
                "UPDATE "
                    + t.documents()
                    + " SET version = ?, deleted = ?, document = ?, indexed_with = ?"
                    + " WHERE collection = ? AND id = ?");
        PreparedStatement insert =
            c.prepareStatement(
                "INSERT INTO "
                    + t.documents()
                    + " (version, deleted, document, indexed_with, collection, id)"
                    + " VALUES (?, ?, ?, ?, ?, ?)");
        PreparedStatement deleteFields =
            c.prepareStatement("DELETE FROM " + t.fields() + " WHERE collection = ? AND id = ?");
        PreparedStatement insertField = c.prepareStatement(insertField(t))) {
      int updates = 0;
      int inserts = 0;
      int fields = 0;
      for (DocumentState state : states) {
        Indexes declared = indexes.get(state.collection());
        boolean exists = stored.contains(new DocumentKey(state.collection(), state.id()));
        PreparedStatement row = exists ? update : insert;
        row.setLong(1, state.version());
        row.setBoolean(2, state.deleted());
        row.setString(3, JsonText.write(state.toDocument()));
        row.setLong(4, declared.version());
        row.setString(5, state.collection());
        row.setString(6, state.id());
        row.addBatch();
        if (exists) {
          updates++;
          deleteFields.setString(1, state.collection());
          deleteFields.setString(2, state.id());
          deleteFields.addBatch();
        } else {
          inserts++;
        }
        for (IndexValue value : IndexValue.of(declared.fields(), state.data())) {
          bindField(insertField, state.collection(), state.id(), value);
          insertField.addBatch();
          fields++;
        }
      }
      if (updates > 0) {
        update.executeBatch();
        deleteFields.executeBatch();
      }
      if (inserts > 0) {
        insert.executeBatch();
      }
      if (fields > 0) {
        insertField.executeBatch();
      }
    }
  }

  private static void bindField(
      PreparedStatement insert, String collection, String id, IndexValue value)
      throws SQLException {
    insert.setString(1, collection);
    insert.setString(2, id);
    insert.setString(3, value.field());
    Sql.setOrNull(insert, 4, value.value() instanceof String s ? s : null, Types.VARCHAR);
    Sql.setOrNull(insert, 5, value.value() instanceof Double d ? d : null, Types.DOUBLE);
    Sql.setOrNull(insert, 6, value.value() instanceof Boolean b ? b : null, Types.BOOLEAN);
    Sql.setOrNull(insert, 7, value.value() instanceof Long l ? l : null, Types.BIGINT);
  }

  static void saveFields(
      Connection c, ReadTables t, String collection, String id, List<IndexValue> values)
      throws SQLException {
    try (PreparedStatement delete =
        c.prepareStatement("DELETE FROM " + t.fields() + " WHERE collection = ? AND id = ?")) {
      delete.setString(1, collection);
      delete.setString(2, id);
      delete.executeUpdate();
    }
    if (values.isEmpty()) {
      return;
    }
    try (PreparedStatement insert = c.prepareStatement(insertField(t))) {
      for (IndexValue value : values) {
        bindField(insert, collection, id, value);
        insert.addBatch();
      }
      insert.executeBatch();
    }
  }
}
