package dev.cairn.persistence.readmodel;

import dev.cairn.persistence.Database;
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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntFunction;

/**
 * The read model's documents and their index fields, row by row. A projection batch reads the
 * documents it does not remember, then updates the rows that are there and inserts the others, in
 * JDBC batches: one round trip per statement kind, not per document. Each document belongs to
 * exactly one projection instance; of the rare other writers (rebuilds, re-driven dead letters),
 * the projection notices any change to a row it did not read: it writes such a row only where it is
 * still as the projection wrote it.
 */
final class DocumentRows {

  private DocumentRows() {}

  /** Ids per {@code IN (...)} when a projection batch reads its documents from H2. */
  private static final int IN_LIST = 100;

  /**
   * The stored state of these documents, those the read model has: one query per collection (on H2
   * per {@value #IN_LIST} ids), however many events a projection batch carries. On PostgreSQL the
   * ids are one array parameter, so the statement's text is the same for every batch and pgjdbc
   * prepares it on the server once, where a list of placeholders as long as the batch's documents
   * made a new text, parsed and planned by PostgreSQL, nearly every batch.
   */
  static Map<DocumentKey, DocumentState> documents(
      Connection c, ReadTables t, Collection<DocumentKey> keys) throws SQLException {
    planByPrimaryKey(c);
    Map<DocumentKey, DocumentState> found = new HashMap<>();
    Map<String, List<String>> idsByCollection = new HashMap<>();
    for (DocumentKey key : keys) {
      idsByCollection.computeIfAbsent(key.collection(), k -> new ArrayList<>()).add(key.id());
    }
    boolean postgres = Database.isPostgres(c);
    for (Map.Entry<String, List<String>> entry : idsByCollection.entrySet()) {
      List<String> ids = entry.getValue();
      if (postgres) {
        try (PreparedStatement select =
            c.prepareStatement(
                "SELECT document FROM "
                    + t.documents()
                    + " WHERE collection = ? AND id = ANY(?)")) {
          select.setString(1, entry.getKey());
          select.setArray(2, c.createArrayOf("varchar", ids.toArray()));
          read(select, found);
        }
        continue;
      }
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
          read(select, found);
        }
      }
    }
    return found;
  }

  private static void read(PreparedStatement select, Map<DocumentKey, DocumentState> found)
      throws SQLException {
    try (ResultSet rows = select.executeQuery()) {
      while (rows.next()) {
        DocumentState state = state(JsonText.read(rows.getString(1), Document.class));
        found.put(new DocumentKey(state.collection(), state.id()), state);
      }
    }
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
  static void planByPrimaryKey(Connection c) throws SQLException {
    if (!c.getAutoCommit() && Database.isPostgres(c)) {
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

  /** The columns {@link #bindDocument} binds, in its order. */
  private static final String DOCUMENT_COLUMNS =
      "version, deleted, document, indexed_with, collection, id";

  /** The same as arrays, one element per row, for {@code unnest}. */
  private static final String DOCUMENT_ARRAYS =
      "unnest(?::int8[], ?::bool[], ?::text[], ?::int8[], ?::varchar[], ?::varchar[])";

  /** A document's row: its state and the JSON text the row holds for it. */
  record Row(DocumentState state, String text) {

    static Row of(DocumentState state) {
      return new Row(state, JsonText.write(state.toDocument()));
    }

    DocumentKey key() {
      return new DocumentKey(state.collection(), state.id());
    }
  }

  /**
   * Writes these documents' rows and index fields. {@code stored} are the keys that already have a
   * row. On PostgreSQL each kind of change is one statement whatever the number of documents, its
   * rows bound as one array per column: the updates, the deletion of the updated documents' old
   * fields, the new rows and the new fields. A statement per row, even in one JDBC batch, cost
   * PostgreSQL a parse-bind-execute each (two per updated document); a multi-row {@code VALUES}
   * list, a text per number of rows that PostgreSQL parsed and planned at each batch. H2, in the
   * node's own process, updates row by row in JDBC batches.
   */
  static void saveDocuments(
      Connection c,
      ReadTables t,
      Collection<DocumentState> states,
      Set<DocumentKey> stored,
      Map<String, Indexes> indexes)
      throws SQLException {
    if (Database.isPostgres(c)) {
      saveRows(c, t, states.stream().map(Row::of).toList(), stored, indexes);
      return;
    }
    List<DocumentState> inserted = new ArrayList<>();
    List<DocumentState> updated = new ArrayList<>();
    for (DocumentState state : states) {
      boolean exists = stored.contains(new DocumentKey(state.collection(), state.id()));
      (exists ? updated : inserted).add(state);
    }
    updateInBatches(c, t, updated, withFields(updated, indexes), indexes);
    insertInBatches(c, t, inserted, fields(states, indexes), indexes);
  }

  /**
   * On PostgreSQL: {@link #saveDocuments} for rows whose JSON is made already. {@code stored} are
   * the keys that already have a row.
   */
  static void saveRows(
      Connection c,
      ReadTables t,
      List<Row> rows,
      Set<DocumentKey> stored,
      Map<String, Indexes> indexes)
      throws SQLException {
    List<Row> updates = new ArrayList<>();
    List<Row> inserts = new ArrayList<>();
    for (Row row : rows) {
      (stored.contains(row.key()) ? updates : inserts).add(row);
    }
    updateRows(c, t, updates, Collections.nCopies(updates.size(), null), indexes);
    insertRows(c, t, inserts, false, indexes);
    replaceFields(
        c,
        t,
        updates.stream().map(Row::state).toList(),
        rows.stream().map(Row::state).toList(),
        indexes);
  }

  /**
   * On PostgreSQL: updates these rows, each only if its row is still the one at the same place in
   * {@code replacing} (the same version and text; a null element: whatever row is there), in one
   * statement. Answers the keys it updated: a row another writer changed, or that is no longer
   * there, is not among them.
   */
  static Set<DocumentKey> updateRows(
      Connection c, ReadTables t, List<Row> rows, List<Row> replacing, Map<String, Indexes> indexes)
      throws SQLException {
    Set<DocumentKey> updated = new HashSet<>();
    if (rows.isEmpty()) {
      return updated;
    }
    try (PreparedStatement update =
        c.prepareStatement(
            "UPDATE "
                + t.documents()
                + " AS d SET version = v.version, deleted = v.deleted, document = v.document,"
                + " indexed_with = v.indexed_with FROM unnest(?::int8[], ?::bool[], ?::text[],"
                + " ?::int8[], ?::varchar[], ?::varchar[], ?::int8[], ?::text[]) AS v ("
                + DOCUMENT_COLUMNS
                + ", was_version, was_document) WHERE d.collection = v.collection AND d.id = v.id"
                + " AND (v.was_version IS NULL"
                + " OR (d.version = v.was_version AND d.document = v.was_document))"
                + " RETURNING d.collection, d.id")) {
      bindDocuments(c, update, rows, indexes);
      Object[] wasVersions = new Object[rows.size()];
      Object[] wasDocuments = new Object[rows.size()];
      for (int i = 0; i < rows.size(); i++) {
        Row was = replacing.get(i);
        wasVersions[i] = was == null ? null : was.state().version();
        wasDocuments[i] = was == null ? null : was.text();
      }
      update.setArray(7, c.createArrayOf("int8", wasVersions));
      update.setArray(8, c.createArrayOf("text", wasDocuments));
      readKeys(update, updated);
    }
    return updated;
  }

  /**
   * On PostgreSQL: inserts these rows in one statement and answers the keys inserted; with {@code
   * skipExisting} a row whose key is taken is left out (and not among the keys) instead of failing
   * the transaction.
   */
  static Set<DocumentKey> insertRows(
      Connection c,
      ReadTables t,
      List<Row> rows,
      boolean skipExisting,
      Map<String, Indexes> indexes)
      throws SQLException {
    Set<DocumentKey> inserted = new HashSet<>();
    if (rows.isEmpty()) {
      return inserted;
    }
    try (PreparedStatement insert =
        c.prepareStatement(
            "INSERT INTO "
                + t.documents()
                + " ("
                + DOCUMENT_COLUMNS
                + ") SELECT * FROM "
                + DOCUMENT_ARRAYS
                + (skipExisting ? " ON CONFLICT DO NOTHING RETURNING collection, id" : ""))) {
      bindDocuments(c, insert, rows, indexes);
      if (skipExisting) {
        readKeys(insert, inserted);
      } else {
        insert.executeUpdate();
        rows.forEach(row -> inserted.add(row.key()));
      }
    }
    return inserted;
  }

  private static void readKeys(PreparedStatement statement, Set<DocumentKey> keys)
      throws SQLException {
    try (ResultSet rows = statement.executeQuery()) {
      while (rows.next()) {
        keys.add(new DocumentKey(rows.getString(1), rows.getString(2)));
      }
    }
  }

  /**
   * On PostgreSQL: the index fields of {@code written} documents, in place of the old fields of
   * those of them that were {@code updated}. A collection that was never defined (indexes version
   * 0) has no index fields: fields are only written with a definition's indexes, and a definition
   * is never removed, so an update in such a collection has no old fields to delete.
   */
  static void replaceFields(
      Connection c,
      ReadTables t,
      Collection<DocumentState> updated,
      Collection<DocumentState> written,
      Map<String, Indexes> indexes)
      throws SQLException {
    List<DocumentState> withFields = withFields(updated, indexes);
    if (!withFields.isEmpty()) {
      try (PreparedStatement delete =
          c.prepareStatement(
              "DELETE FROM "
                  + t.fields()
                  + " AS f USING unnest(?::varchar[], ?::varchar[]) AS v (collection, id)"
                  + " WHERE f.collection = v.collection AND f.id = v.id")) {
        Object[] collections = new Object[withFields.size()];
        Object[] ids = new Object[withFields.size()];
        for (int i = 0; i < withFields.size(); i++) {
          collections[i] = withFields.get(i).collection();
          ids[i] = withFields.get(i).id();
        }
        delete.setArray(1, c.createArrayOf("varchar", collections));
        delete.setArray(2, c.createArrayOf("varchar", ids));
        delete.executeUpdate();
      }
    }
    insertFields(c, t, fields(written, indexes));
  }

  /** The updated documents that can have old index fields: those of defined collections. */
  private static List<DocumentState> withFields(
      Collection<DocumentState> updated, Map<String, Indexes> indexes) {
    return updated.stream().filter(s -> indexes.get(s.collection()).version() != 0).toList();
  }

  private static List<Field> fields(
      Collection<DocumentState> states, Map<String, Indexes> indexes) {
    List<Field> fields = new ArrayList<>();
    for (DocumentState state : states) {
      for (IndexValue value :
          IndexValue.of(indexes.get(state.collection()).fields(), state.data())) {
        fields.add(new Field(state.collection(), state.id(), value));
      }
    }
    return fields;
  }

  /** Binds the rows' columns as one array each, in the order of {@link #DOCUMENT_COLUMNS}. */
  private static void bindDocuments(
      Connection c, PreparedStatement statement, List<Row> rows, Map<String, Indexes> indexes)
      throws SQLException {
    int n = rows.size();
    Object[] versions = new Object[n];
    Object[] deleted = new Object[n];
    Object[] documents = new Object[n];
    Object[] indexedWith = new Object[n];
    Object[] collections = new Object[n];
    Object[] ids = new Object[n];
    for (int i = 0; i < n; i++) {
      DocumentState state = rows.get(i).state();
      versions[i] = state.version();
      deleted[i] = state.deleted();
      documents[i] = rows.get(i).text();
      indexedWith[i] = indexes.get(state.collection()).version();
      collections[i] = state.collection();
      ids[i] = state.id();
    }
    statement.setArray(1, c.createArrayOf("int8", versions));
    statement.setArray(2, c.createArrayOf("bool", deleted));
    statement.setArray(3, c.createArrayOf("text", documents));
    statement.setArray(4, c.createArrayOf("int8", indexedWith));
    statement.setArray(5, c.createArrayOf("varchar", collections));
    statement.setArray(6, c.createArrayOf("varchar", ids));
  }

  /**
   * On H2: updates the rows, and deletes the old fields of {@code withFields} (updated documents of
   * defined collections), one JDBC batch of statements each.
   */
  private static void updateInBatches(
      Connection c,
      ReadTables t,
      List<DocumentState> updated,
      List<DocumentState> withFields,
      Map<String, Indexes> indexes)
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
        bindDocument(update, 1, state, indexes.get(state.collection()));
        update.addBatch();
      }
      for (DocumentState state : withFields) {
        deleteFields.setString(1, state.collection());
        deleteFields.setString(2, state.id());
        deleteFields.addBatch();
      }
      update.executeBatch();
      deleteFields.executeBatch();
    }
  }

  /** On H2: inserts the new rows and the fields, a multi-row statement per chunk of rows. */
  private static void insertInBatches(
      Connection c,
      ReadTables t,
      List<DocumentState> inserted,
      List<Field> fields,
      Map<String, Indexes> indexes)
      throws SQLException {
    inChunks(
        c,
        rows ->
            "INSERT INTO "
                + t.documents()
                + " ("
                + DOCUMENT_COLUMNS
                + ") VALUES "
                + values(rows, 6),
        6,
        inserted,
        (statement, at, state) ->
            bindDocument(statement, at, state, indexes.get(state.collection())));
    insertFields(c, t, fields);
  }

  private static final String FIELD_COLUMNS =
      "collection, id, field, string_value, number_value, boolean_value, timestamp_value";

  private static void insertFields(Connection c, ReadTables t, List<Field> fields)
      throws SQLException {
    if (fields.isEmpty()) {
      return;
    }
    if (!Database.isPostgres(c)) {
      inChunks(
          c,
          rows ->
              "INSERT INTO " + t.fields() + " (" + FIELD_COLUMNS + ") VALUES " + values(rows, 7),
          7,
          fields,
          (insert, at, field) ->
              bindField(insert, at, field.collection(), field.id(), field.value()));
      return;
    }
    int n = fields.size();
    Object[][] columns = new Object[7][n];
    for (int i = 0; i < n; i++) {
      Field field = fields.get(i);
      Object value = field.value().value();
      columns[0][i] = field.collection();
      columns[1][i] = field.id();
      columns[2][i] = field.value().field();
      columns[3][i] = value instanceof String ? value : null;
      columns[4][i] = value instanceof Double ? value : null;
      columns[5][i] = value instanceof Boolean ? value : null;
      columns[6][i] = value instanceof Long ? value : null;
    }
    String[] types = {"varchar", "varchar", "varchar", "varchar", "float8", "bool", "int8"};
    try (PreparedStatement insert =
        c.prepareStatement(
            "INSERT INTO "
                + t.fields()
                + " ("
                + FIELD_COLUMNS
                + ") SELECT * FROM unnest(?::varchar[], ?::varchar[], ?::varchar[], ?::varchar[],"
                + " ?::float8[], ?::bool[], ?::int8[])")) {
      for (int column = 0; column < 7; column++) {
        insert.setArray(column + 1, c.createArrayOf(types[column], columns[column]));
      }
      insert.executeUpdate();
    }
  }

  private record Field(String collection, String id, IndexValue value) {}

  private interface Binder<T> {
    void bind(PreparedStatement statement, int firstIndex, T row) throws SQLException;
  }

  /** Rows per multi-row statement on H2. */
  private static final int ROWS_PER_STATEMENT = 500;

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

  /** {@code rows} rows of {@code width} parameters: "(?, ?), (?, ?)". */
  private static String values(int rows, int width) {
    String row = "(" + String.join(", ", Collections.nCopies(width, "?")) + ")";
    return String.join(", ", Collections.nCopies(rows, row));
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
