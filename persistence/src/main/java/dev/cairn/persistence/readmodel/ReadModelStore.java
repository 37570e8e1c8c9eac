package dev.cairn.persistence.readmodel;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.persistence.CollectionEntity;
import dev.cairn.persistence.DocumentState;
import dev.cairn.persistence.DocumentTags;
import dev.cairn.protocol.Document;
import dev.cairn.protocol.DocumentKey;
import dev.cairn.protocol.Json;
import dev.cairn.protocol.collection.CollectionView;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The read model's tables, row by row, in plain parameterized SQL that H2 and PostgreSQL both run.
 * A projection batch reads its documents first and then updates the rows it found and inserts the
 * others; other upserts are an UPDATE then, if nothing was there, an INSERT. Each document belongs
 * to exactly one projection instance, so no two transactions race for the same row.
 */
final class ReadModelStore {

  /** Ids per {@code IN (...)} when a projection batch reads its documents. */
  private static final int IN_LIST = 100;

  private static final String INSERT_FIELD =
      "INSERT INTO read_document_field (collection, id, field, string_value, number_value,"
          + " boolean_value, timestamp_value) VALUES (?, ?, ?, ?, ?, ?, ?)";

  private ReadModelStore() {}

  /**
   * The stored state of these documents, those the read model has: one query per collection and up
   * to {@value #IN_LIST} ids, however many events a projection batch carries.
   */
  static Map<DocumentKey, DocumentState> documents(Connection c, Collection<DocumentKey> keys)
      throws SQLException {
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
                "SELECT document FROM read_document WHERE collection = ? AND id IN ("
                    + String.join(", ", Collections.nCopies(chunk.size(), "?"))
                    + ")")) {
          select.setString(1, entry.getKey());
          for (int i = 0; i < chunk.size(); i++) {
            select.setString(i + 2, chunk.get(i));
          }
          try (ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
              DocumentState state = state(read(rows.getString(1), Document.class));
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
      Collection<DocumentState> states,
      Set<DocumentKey> stored,
      Map<String, Indexes> indexes)
      throws SQLException {
    try (PreparedStatement update =
            c.prepareStatement(
                "UPDATE read_document SET version = ?, deleted = ?, document = ?, indexed_with = ?"
                    + " WHERE collection = ? AND id = ?");
        PreparedStatement insert =
            c.prepareStatement(
                "INSERT INTO read_document (version, deleted, document, indexed_with, collection,"
                    + " id) VALUES (?, ?, ?, ?, ?, ?)");
        PreparedStatement deleteFields =
            c.prepareStatement("DELETE FROM read_document_field WHERE collection = ? AND id = ?");
        PreparedStatement insertField = c.prepareStatement(INSERT_FIELD)) {
      int updates = 0;
      int inserts = 0;
      int fields = 0;
      for (DocumentState state : states) {
        Indexes declared = indexes.get(state.collection());
        boolean exists = stored.contains(new DocumentKey(state.collection(), state.id()));
        PreparedStatement row = exists ? update : insert;
        row.setLong(1, state.version());
        row.setBoolean(2, state.deleted());
        row.setString(3, write(state.toDocument()));
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
    setOrNull(insert, 4, value.value() instanceof String s ? s : null, Types.VARCHAR);
    setOrNull(insert, 5, value.value() instanceof Double d ? d : null, Types.DOUBLE);
    setOrNull(insert, 6, value.value() instanceof Boolean b ? b : null, Types.BOOLEAN);
    setOrNull(insert, 7, value.value() instanceof Long l ? l : null, Types.BIGINT);
  }

  static void saveFields(Connection c, String collection, String id, List<IndexValue> values)
      throws SQLException {
    try (PreparedStatement delete =
        c.prepareStatement("DELETE FROM read_document_field WHERE collection = ? AND id = ?")) {
      delete.setString(1, collection);
      delete.setString(2, id);
      delete.executeUpdate();
    }
    if (values.isEmpty()) {
      return;
    }
    try (PreparedStatement insert = c.prepareStatement(INSERT_FIELD)) {
      for (IndexValue value : values) {
        bindField(insert, collection, id, value);
        insert.addBatch();
      }
      insert.executeBatch();
    }
  }

  /**
   * Recomputes the index fields of a collection's documents that were indexed with an older
   * definition than {@code indexes}, up to {@code limit} of them, locking their rows so that a
   * projection updating the same document waits. A document projected concurrently with a
   * definition change can be indexed with the old definition; the next repair finds it.
   */
  static int reindex(Connection c, String collection, Indexes indexes, int limit)
      throws SQLException {
    List<String[]> stale = new ArrayList<>();
    try (PreparedStatement select =
        c.prepareStatement(
            "SELECT id, document FROM read_document WHERE collection = ? AND indexed_with < ?"
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
            "UPDATE read_document SET indexed_with = ? WHERE collection = ? AND id = ?")) {
      for (String[] row : stale) {
        ObjectNode data = read(row[1], Document.class).data();
        saveFields(c, collection, row[0], IndexValue.of(indexes.fields(), data));
        mark.setLong(1, indexes.version());
        mark.setString(2, collection);
        mark.setString(3, row[0]);
        mark.addBatch();
      }
      mark.executeBatch();
    }
    return stale.size();
  }

  static Indexes indexes(Connection c, String collection) throws SQLException {
    return collection(c, collection)
        .map(view -> new Indexes(view.version(), view.definition().indexes()))
        .orElse(new Indexes(0, Map.of()));
  }

  static Optional<CollectionView> collection(Connection c, String name) throws SQLException {
    try (PreparedStatement select =
        c.prepareStatement("SELECT collection FROM read_collection WHERE name = ?")) {
      select.setString(1, name);
      try (ResultSet row = select.executeQuery()) {
        return row.next()
            ? Optional.of(read(row.getString(1), CollectionView.class))
            : Optional.empty();
      }
    }
  }

  static List<CollectionView> collections(Connection c) throws SQLException {
    try (PreparedStatement select =
            c.prepareStatement("SELECT collection FROM read_collection ORDER BY name");
        ResultSet rows = select.executeQuery()) {
      List<CollectionView> views = new java.util.ArrayList<>();
      while (rows.next()) {
        views.add(read(rows.getString(1), CollectionView.class));
      }
      return views;
    }
  }

  static void saveCollection(Connection c, CollectionView view) throws SQLException {
    upsert(
        c,
        "read_collection",
        columns("name", view.name()),
        columns("version", view.version(), "collection", write(view)));
  }

  /** Records the newest event a projection instance has applied. */
  static void progress(Connection c, String projection, String slice, long ordering, long timestamp)
      throws SQLException {
    upsert(
        c,
        "read_model_progress",
        columns("projection", projection, "slice", slice),
        columns("event_ordering", ordering, "event_timestamp", timestamp));
  }

  /**
   * Updates the row with this key, or inserts it if there is none: portable between H2 and
   * PostgreSQL, and safe because each row has one writer (one projection instance owns it). Table
   * and column names come from this class, never from a request.
   */
  private static void upsert(
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

  private static int execute(Connection c, String sql, List<Object> parameters)
      throws SQLException {
    try (PreparedStatement statement = c.prepareStatement(sql)) {
      for (int i = 0; i < parameters.size(); i++) {
        statement.setObject(i + 1, parameters.get(i));
      }
      return statement.executeUpdate();
    }
  }

  /** Column names and values, in order: {@code columns("a", 1, "b", "x")}. */
  private static Map<String, Object> columns(Object... namesAndValues) {
    Map<String, Object> columns = new LinkedHashMap<>();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      columns.put((String) namesAndValues[i], namesAndValues[i + 1]);
    }
    return columns;
  }

  /**
   * How far the document read model is behind, and which slices are stuck. The lag is in
   * milliseconds: for each slice with journal events it has not projected, how long ago the oldest
   * of them was written (so a slice that is stuck shows a lag that keeps growing); the largest of
   * these, or 0 when every slice has caught up.
   */
  static ReadModel.Freshness freshness(Connection c) throws SQLException {
    long lag = 0;
    List<String> stuck = new ArrayList<>();
    for (SliceStatus slice : slices(c)) {
      lag = Math.max(lag, slice.lagMillis());
      if (slice.stuck()) {
        stuck.add(slice.slice());
      }
    }
    return new ReadModel.Freshness(lag > 0 || !indexesBeingFilled(c) ? lag : 1, stuck);
  }

  /** Each document slice: how far it is projected, what the journal holds, its failure. */
  static List<SliceStatus> slices(Connection c) throws SQLException {
    Map<String, SliceStatus.Failure> failures = failures(c, DocumentProjection.NAME);
    List<SliceStatus> slices = new ArrayList<>();
    long now = System.currentTimeMillis();
    for (int slice = 0; slice < DocumentTags.SLICES; slice++) {
      String tag = DocumentTags.sliceTag(slice);
      long[] newest = newestEvent(c, tag);
      long[] projected = projected(c, tag);
      long projectedOrdering = projected == null ? 0 : projected[0];
      long lag = 0;
      boolean waiting = newest != null && projectedOrdering < newest[0];
      if (waiting) {
        Long oldestWaiting = firstEventAfter(c, tag, projectedOrdering);
        lag = Math.max(1, now - (oldestWaiting == null ? newest[1] : oldestWaiting));
      }
      // A failure counts while events wait for the slice: once it has every event (the one it
      // failed on was removed, or a database outage ended), the failure is history.
      slices.add(
          new SliceStatus(
              tag,
              projectedOrdering,
              newest == null ? 0 : newest[0],
              lag,
              waiting ? failures.get(tag) : null));
    }
    SliceStatus.Failure definitions =
        failures(c, CollectionProjection.NAME).get(CollectionEntity.TAG);
    if (definitions != null) {
      slices.add(new SliceStatus(CollectionEntity.TAG, 0, 0, 0, definitions));
    }
    return slices;
  }

  /** The write time of the first event of {@code tag} after {@code ordering}, or null. */
  private static Long firstEventAfter(Connection c, String tag, long ordering) throws SQLException {
    try (PreparedStatement select =
        c.prepareStatement(
            "SELECT j.\"write_timestamp\" FROM \"event_journal\" j"
                + " WHERE j.\"ordering\" = (SELECT MIN(t.\"event_id\") FROM \"event_tag\" t"
                + " WHERE t.\"tag\" = ? AND t.\"event_id\" > ?)")) {
      select.setString(1, tag);
      select.setLong(2, ordering);
      try (ResultSet row = select.executeQuery()) {
        return row.next() ? row.getLong(1) : null;
      }
    }
  }

  /** Records why a projection instance failed; kept until {@link #clearFailure}. */
  static void recordFailure(Connection c, String projection, String slice, SliceStatus.Failure f)
      throws SQLException {
    upsert(
        c,
        "read_model_failure",
        columns("projection", projection, "slice", slice),
        columns(
            "event_ordering",
            f.eventOrdering(),
            "persistence_id",
            f.persistenceId(),
            "sequence_nr",
            f.sequenceNr(),
            "message",
            f.message(),
            "failed_at",
            f.failedAt()));
  }

  static void clearFailure(Connection c, String projection, String slice) throws SQLException {
    execute(
        c,
        "DELETE FROM read_model_failure WHERE projection = ? AND slice = ?",
        List.of(projection, slice));
  }

  /** The recorded failures of a projection's instances, by slice. */
  static Map<String, SliceStatus.Failure> failures(Connection c, String projection)
      throws SQLException {
    Map<String, SliceStatus.Failure> failures = new HashMap<>();
    try (PreparedStatement select =
        c.prepareStatement(
            "SELECT slice, event_ordering, persistence_id, sequence_nr, message, failed_at"
                + " FROM read_model_failure WHERE projection = ?")) {
      select.setString(1, projection);
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          failures.put(
              rows.getString(1),
              new SliceStatus.Failure(
                  (Long) rows.getObject(2, Long.class),
                  rows.getString(3),
                  (Long) rows.getObject(4, Long.class),
                  rows.getString(5),
                  rows.getLong(6)));
        }
      }
    }
    return failures;
  }

  /** Whether some document's index fields still follow an older collection definition. */
  private static boolean indexesBeingFilled(Connection c) throws SQLException {
    try (PreparedStatement select =
            c.prepareStatement(
                "SELECT 1 FROM read_collection r JOIN read_document d ON d.collection = r.name"
                    + " AND d.indexed_with < r.version LIMIT 1");
        ResultSet row = select.executeQuery()) {
      return row.next();
    }
  }

  /** The ordering and write time of the newest event with this tag, or null. */
  private static long[] newestEvent(Connection c, String tag) throws SQLException {
    try (PreparedStatement select =
        c.prepareStatement(
            "SELECT j.\"ordering\", j.\"write_timestamp\" FROM \"event_journal\" j"
                + " WHERE j.\"ordering\" = (SELECT MAX(t.\"event_id\") FROM \"event_tag\" t"
                + " WHERE t.\"tag\" = ?)")) {
      select.setString(1, tag);
      try (ResultSet row = select.executeQuery()) {
        return row.next() ? new long[] {row.getLong(1), row.getLong(2)} : null;
      }
    }
  }

  private static long[] projected(Connection c, String tag) throws SQLException {
    try (PreparedStatement select =
        c.prepareStatement(
            "SELECT event_ordering, event_timestamp FROM read_model_progress"
                + " WHERE projection = ? AND slice = ?")) {
      select.setString(1, DocumentProjection.NAME);
      select.setString(2, tag);
      try (ResultSet row = select.executeQuery()) {
        return row.next() ? new long[] {row.getLong(1), row.getLong(2)} : null;
      }
    }
  }

  private static void setOrNull(PreparedStatement statement, int index, Object value, int type)
      throws SQLException {
    if (value == null) {
      statement.setNull(index, type);
    } else {
      statement.setObject(index, value, type);
    }
  }

  static <T> T read(String json, Class<T> type) {
    try {
      return Json.mapper().readValue(json, type);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("the read model holds unreadable JSON", e);
    }
  }

  static <T> T read(String json, TypeReference<T> type) {
    try {
      return Json.mapper().readValue(json, type);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("the read model holds unreadable JSON", e);
    }
  }

  static String write(Object value) {
    try {
      return Json.mapper().writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("read model rows always render", e);
    }
  }
}
