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
import java.util.function.IntFunction;

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
    if (!c.getAutoCommit() && isPostgres(c)) {
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
   * Rows per multi-row statement: PostgreSQL plans and executes one statement for them, not one per
   * row (a full rebuild of 160,000 events: PostgreSQL's CPU 12 -> 8 us an event).
   */
  private static final int ROWS_PER_STATEMENT = 500;

  /** The columns {@link #bindDocument} binds, in its order. */
  private static final String DOCUMENT_COLUMNS =
      "version, deleted, document, indexed_with, collection, id";

  /** The same, typed: the first row of a {@code VALUES} list gives its columns their types. */
  private static final String TYPED_DOCUMENT_ROW =
      "(?::bigint, ?::boolean, ?::text, ?::bigint, ?::varchar, ?::varchar)";

  /**
   * Writes these documents' rows and index fields. {@code stored} are the keys that already have a
   * row. On PostgreSQL each kind of change is one multi-row statement per {@value
   * #ROWS_PER_STATEMENT} documents: the updates, the deletion of the updated documents' old fields,
   * the new rows and the new fields. A statement per row, even in one JDBC batch, cost PostgreSQL a
   * parse-bind-execute each (two per updated document). H2, in the node's own process, updates row
   * by row in JDBC batches.
   */
  static void saveDocuments(
      Connection c,
      ReadTables t,
      Collection<DocumentState> states,
      Set<DocumentKey> stored,
      Map<String, Indexes> indexes)
      throws SQLException {
    List<DocumentState> inserted = new ArrayList<>();
    List<DocumentState> updated = new ArrayList<>();
    List<Field> fields = new ArrayList<>();
    for (DocumentState state : states) {
      boolean exists = stored.contains(new DocumentKey(state.collection(), state.id()));
      (exists ? updated : inserted).add(state);
      for (IndexValue value :
          IndexValue.of(indexes.get(state.collection()).fields(), state.data())) {
        fields.add(new Field(state.collection(), state.id(), value));
      }
    }
    Binder<DocumentState> document =
        (statement, at, state) ->
            bindDocument(statement, at, state, indexes.get(state.collection()));
    if (isPostgres(c)) {
      inChunks(
          c,
          rows ->
              "UPDATE "
                  + t.documents()
                  + " AS d SET version = v.version, deleted = v.deleted, document = v.document,"
                  + " indexed_with = v.indexed_with FROM (VALUES "
                  + TYPED_DOCUMENT_ROW
                  + values(rows - 1, 6, ", ")
                  + ") AS v ("
                  + DOCUMENT_COLUMNS
                  + ") WHERE d.collection = v.collection AND d.id = v.id",
          6,
          updated,
          document);
      inChunks(
          c,
          rows ->
              "DELETE FROM "
                  + t.fields()
                  + " AS f USING (VALUES (?::varchar, ?::varchar)"
                  + values(rows - 1, 2, ", ")
                  + ") AS v (collection, id) WHERE f.collection = v.collection AND f.id = v.id",
          2,
          updated,
          (statement, at, state) -> {
            statement.setString(at, state.collection());
            statement.setString(at + 1, state.id());
          });
    } else {
      updateInBatches(c, t, updated, document);
    }
    inChunks(
        c,
        rows ->
            "INSERT INTO "
                + t.documents()
                + " ("
                + DOCUMENT_COLUMNS
                + ") VALUES "
                + values(rows, 6, ""),
        6,
        inserted,
        document);
    insertFields(c, t, fields);
  }

  /** Updates the rows, and deletes their old fields, one JDBC batch of statements each. */
  private static void updateInBatches(
      Connection c, ReadTables t, List<DocumentState> updated, Binder<DocumentState> document)
      throws SQLException {
    if (updated.isEmpty()) {
      return;
    }
    try (PreparedStatement update =
            c.prepareStatement(
                "UPDATE "
                    + t.documents()
                    + " SET version = ?, deleted = ?, document = ?, indexed_with = ?"
                    + " WHERE collection = ? AND id = ?");
        PreparedStatement deleteFields =
            c.prepareStatement("DELETE FROM " + t.fields() + " WHERE collection = ? AND id = ?")) {
      for (DocumentState state : updated) {
        document.bind(update, 1, state);
        update.addBatch();
        deleteFields.setString(1, state.collection());
        deleteFields.setString(2, state.id());
        deleteFields.addBatch();
      }
      update.executeBatch();
      deleteFields.executeBatch();
    }
  }

  private static boolean isPostgres(Connection c) throws SQLException {
    return "PostgreSQL".equals(c.getMetaData().getDatabaseProductName());
  }

  private static void insertFields(Connection c, ReadTables t, List<Field> fields)
      throws SQLException {
    inChunks(
        c,
        rows ->
            "INSERT INTO "
                + t.fields()
                + " (collection, id, field, string_value, number_value, boolean_value, timestamp_value)"
                + " VALUES "
                + values(rows, 7, ""),
        7,
        fields,
        (insert, at, field) ->
            bindField(insert, at, field.collection(), field.id(), field.value()));
  }

  private record Field(String collection, String id, IndexValue value) {}

  private interface Binder<T> {
    void bind(PreparedStatement statement, int firstIndex, T row) throws SQLException;
  }

  /**
   * Runs one statement per {@value #ROWS_PER_STATEMENT} rows, its text made for the number of rows
   * by {@code sql}, binding {@code width} parameters per row.
   */
  private static <T> void inChunks(
      Connection c, IntFunction<String> sql, int width, List<T> rows, Binder<T> binder)
      throws SQLException {
    for (int from = 0; from < rows.size(); from += ROWS_PER_STATEMENT) {
      List<T> chunk = rows.subList(from, Math.min(rows.size(), from + ROWS_PER_STATEMENT));
      try (PreparedStatement statement = c.prepareStatement(sql.apply(chunk.size()))) {
        for (int i = 0; i < chunk.size(); i++) {
          binder.bind(statement, 1 + i * width, chunk.get(i));
        }
        statement.executeUpdate();
      }
    }
  }

  /** {@code rows} rows of {@code width} parameters, "(?, ?), (?, ?)", after {@code prefix}. */
  private static String values(int rows, int width, String prefix) {
    if (rows == 0) {
      return "";
    }
    String row = "(" + String.join(", ", Collections.nCopies(width, "?")) + ")";
    return prefix + String.join(", ", Collections.nCopies(rows, row));
  }

  private static void bindDocument(
      PreparedStatement row, int at, DocumentState state, Indexes declared) throws SQLException {
    row.setLong(at, state.version());
    row.setBoolean(at + 1, state.deleted());
    row.setString(at + 2, JsonText.write(state.toDocument()));
    row.setLong(at + 3, declared.version());
    row.setString(at + 4, state.collection());
    row.setString(at + 5, state.id());
  }

  private static void bindField(
      PreparedStatement insert, int at, String collection, String id, IndexValue value)
      throws SQLException {
    insert.setString(at, collection);
    insert.setString(at + 1, id);
    insert.setString(at + 2, value.field());
    Sql.setOrNull(insert, at + 3, value.value() instanceof String s ? s : null, Types.VARCHAR);
    Sql.setOrNull(insert, at + 4, value.value() instanceof Double d ? d : null, Types.DOUBLE);
    Sql.setOrNull(insert, at + 5, value.value() instanceof Boolean b ? b : null, Types.BOOLEAN);
    Sql.setOrNull(insert, at + 6, value.value() instanceof Long l ? l : null, Types.BIGINT);
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
    List<Field> fields = new ArrayList<>();
    for (IndexValue value : values) {
      fields.add(new Field(collection, id, value));
    }
    insertFields(c, t, fields);
  }
}
