package dev.cairn.persistence.admin;

import dev.cairn.persistence.CollectionEntity;
import dev.cairn.persistence.Database;
import dev.cairn.persistence.JournalPatterns;
import dev.cairn.protocol.DocumentKey;
import dev.cairn.protocol.Json;
import dev.cairn.protocol.api.DocumentSummary;
import dev.cairn.protocol.api.DocumentSummaryPage;
import dev.cairn.protocol.api.JournalEntry;
import dev.cairn.protocol.api.JournalPage;
import dev.cairn.protocol.event.DocumentEvent;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * Reads the journal table itself, in its global order ({@code ordering}): what an administrator
 * browses, exports and counts. Rows are deserialized with the node's own serializers, so an event
 * reads here exactly as its entity recovers it. Names in SQL come from this class; values are
 * parameters.
 */
public final class JournalReader {

  /** Rows an export fetches from the database at a time. */
  private static final int FETCH_SIZE = 500;

  /**
   * Events an export hands on at a time: each stream element crosses from the reading thread to the
   * writing one, and that costs more than an event (measured: one element per event spent more CPU
   * waking threads than reading and writing events).
   */
  private static final int EXPORT_BATCH = 256;

  private static final String COLUMNS =
      "\"ordering\", \"persistence_id\", \"sequence_number\", \"writer\", \"event_ser_id\","
          + " \"event_ser_manifest\", \"event_payload\"";

  /** Batches of an export read and written as JSON at once. */
  private static final int EXPORT_PARALLELISM = 2;

  private final Database database;
  private final Serialization serialization;
  private final Executor executor;

  public JournalReader(ActorSystem<?> system, Database database) {
    this.database = database;
    this.serialization = SerializationExtension.get(system.classicSystem());
    this.executor = system.executionContext();
  }

  /**
   * Up to {@code limit} events after {@code after}, of one collection (with its definition) or of
   * all, written at or after {@code since} when given.
   */
  public CompletionStage<JournalPage> page(
      long after, int limit, Optional<String> collection, Optional<Instant> since) {
    return database.run(
        c -> {
          List<JournalEntry> items = new ArrayList<>();
          long from = after;
          boolean more = true;
          // Rows are filtered by their event's own timestamp, so read until the page is full.
          while (items.size() < limit && more) {
            int batch = Math.max(limit, 100);
            int read = 0;
            try (PreparedStatement select = select(c, from, collection, batch);
                ResultSet rows = select.executeQuery()) {
              while (rows.next()) {
                read++;
                from = rows.getLong(1);
                JournalEntry entry = entry(rows);
                if (entry != null
                    && (since.isEmpty() || !entry.timestamp().isBefore(since.get()))
                    && items.size() < limit) {
                  items.add(entry);
                }
              }
            }
            more = read == batch;
          }
          Long next = items.size() == limit ? items.get(items.size() - 1).offset() : null;
          return new JournalPage(items, next);
        });
  }

  /**
   * Every event after {@code after}, of one collection (with its definition) or of all, as one
   * consistent read: the export sees the journal as it was when it began, so each document's
   * history in it is whole up to some version. Holds one pooled connection while it runs.
   */
  public Source<ByteString, NotUsed> export(long after, Optional<String> collection) {
    // The cursor's thread only fetches rows; the events are read and written as JSON a batch at a
    // time on the dispatcher's threads, two batches at once, in order.
    return Source.unfoldResource(
            () -> new Cursor(after, collection),
            cursor -> Optional.ofNullable(cursor.next(EXPORT_BATCH)),
            Cursor::close)
        .mapAsync(
            EXPORT_PARALLELISM,
            rows -> CompletableFuture.supplyAsync(() -> ndjson(rows), executor));
  }

  /** Rows as NDJSON: one {@link JournalEntry} a line, rows of other events left out. */
  private ByteString ndjson(List<Row> rows) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(rows.size() * 512);
    try {
      for (Row row : rows) {
        JournalCodec.Exported exported =
            JournalCodec.exported(
                row.offset(),
                row.persistenceId(),
                row.version(),
                row.writer(),
                serialization.deserialize(row.payload(), row.serializer(), row.manifest()).get());
        if (exported != null) {
          Json.mapper().writeValue(out, exported);
          out.write('\n');
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return ByteString.fromArrayUnsafe(out.toByteArray());
  }

  /** A journal row as an export fetches it, its event not yet read. */
  private record Row(
      long offset,
      String persistenceId,
      long version,
      String writer,
      int serializer,
      String manifest,
      byte[] payload) {}

  /** The highest offset in the journal now: how far an export started now will go. */
  public CompletionStage<Long> head() {
    return database.run(
        c -> {
          try (PreparedStatement select =
                  c.prepareStatement(
                      "SELECT COALESCE(MAX(\"ordering\"), 0) FROM \"event_journal\"");
              ResultSet row = select.executeQuery()) {
            row.next();
            return row.getLong(1);
          }
        });
  }

  /**
   * Up to {@code limit} documents after {@code after} ({@code collection/id}) in the order of their
   * collection and id, of one collection, their ids starting with {@code prefix}, with the version,
   * deletion and time of their latest event.
   */
  public CompletionStage<DocumentSummaryPage> documents(
      Optional<String> collection, String prefix, Optional<DocumentKey> after, int limit) {
    String pattern =
        collection.map(name -> JournalPatterns.like(name + "|" + prefix) + "%").orElse("%|%");
    return database.run(
        c -> {
          List<DocumentSummary> items = new ArrayList<>();
          try (PreparedStatement select =
              c.prepareStatement(
                  "SELECT "
                      + COLUMNS
                      + " FROM \"event_journal\" j WHERE j.\"persistence_id\" > ?"
                      + " AND j.\"persistence_id\" LIKE ? ESCAPE '!'"
                      + " AND j.\"persistence_id\" NOT LIKE '!_%' ESCAPE '!' AND j.\"deleted\" = FALSE"
                      + " AND j.\"sequence_number\" = (SELECT MAX(k.\"sequence_number\")"
                      + " FROM \"event_journal\" k WHERE k.\"persistence_id\" = j.\"persistence_id\")"
                      + " ORDER BY j.\"persistence_id\" LIMIT ?")) {
            select.setString(1, after.map(DocumentKey::entityId).orElse(""));
            select.setString(2, pattern);
            select.setInt(3, limit);
            try (ResultSet rows = select.executeQuery()) {
              while (rows.next()) {
                Object event = deserialize(rows);
                if (event instanceof DocumentEvent document) {
                  DocumentKey key = DocumentKey.ofEntityId(rows.getString(2));
                  items.add(
                      new DocumentSummary(
                          key.collection(),
                          key.id(),
                          rows.getLong(3),
                          document instanceof DocumentEvent.Deleted,
                          document.meta().timestamp()));
                }
              }
            }
          }
          String next =
              items.size() == limit
                  ? items.get(items.size() - 1).collection()
                      + "/"
                      + items.get(items.size() - 1).id()
                  : null;
          return new DocumentSummaryPage(items, next);
        });
  }

  /**
   * Events of persistence ids starting with {@code prefix}, newest first, before {@code before}.
   */
  CompletionStage<List<RawEvent>> newestFirst(String prefix, long before, int limit) {
    return database.run(
        c -> {
          List<RawEvent> events = new ArrayList<>();
          try (PreparedStatement select =
              c.prepareStatement(
                  "SELECT "
                      + COLUMNS
                      + " FROM \"event_journal\" WHERE \"ordering\" < ? AND \"persistence_id\" LIKE ?"
                      + " ESCAPE '!' AND \"deleted\" = FALSE ORDER BY \"ordering\" DESC LIMIT ?")) {
            select.setLong(1, before);
            select.setString(2, JournalPatterns.like(prefix) + "%");
            select.setInt(3, limit);
            try (ResultSet rows = select.executeQuery()) {
              while (rows.next()) {
                events.add(new RawEvent(rows.getLong(1), rows.getString(2), deserialize(rows)));
              }
            }
          }
          return events;
        });
  }

  /** An event as it is in the journal. */
  record RawEvent(long offset, String persistenceId, Object event) {}

  private PreparedStatement select(Connection c, long after, Optional<String> collection, int limit)
      throws SQLException {
    PreparedStatement select =
        c.prepareStatement(
            "SELECT "
                + COLUMNS
                + " FROM \"event_journal\" WHERE \"ordering\" > ? AND \"deleted\" = FALSE"
                + (collection.isPresent()
                    ? " AND (\"persistence_id\" LIKE ? ESCAPE '!' OR \"persistence_id\" = ?)"
                    : "")
                + " ORDER BY \"ordering\""
                + (limit > 0 ? " LIMIT " + limit : ""));
    select.setLong(1, after);
    if (collection.isPresent()) {
      select.setString(2, JournalPatterns.like(collection.get() + "|") + "%");
      select.setString(3, CollectionEntity.persistenceId(collection.get()));
    }
    return select;
  }

  private JournalEntry entry(ResultSet row) throws SQLException {
    return JournalCodec.entry(
        row.getLong(1), row.getString(2), row.getLong(3), row.getString(4), deserialize(row));
  }

  private Object deserialize(ResultSet row) throws SQLException {
    return serialization.deserialize(row.getBytes(7), row.getInt(5), row.getString(6)).get();
  }

  /** One export's read: a connection in a transaction, so the database gives one snapshot. */
  private final class Cursor {
    private final Connection connection;
    private final PreparedStatement select;
    private final ResultSet rows;

    Cursor(long after, Optional<String> collection) throws SQLException {
      connection = database.connection();
      try {
        connection.setAutoCommit(false);
        connection.setReadOnly(true);
        select = select(connection, after, collection, 0);
        select.setFetchSize(FETCH_SIZE);
        rows = select.executeQuery();
      } catch (SQLException | RuntimeException e) {
        connection.close();
        throw e;
      }
    }

    /** Up to {@code limit} more rows, or null at the end. */
    List<Row> next(int limit) throws SQLException {
      List<Row> batch = new ArrayList<>(limit);
      while (batch.size() < limit && rows.next()) {
        batch.add(
            new Row(
                rows.getLong(1),
                rows.getString(2),
                rows.getLong(3),
                rows.getString(4),
                rows.getInt(5),
                rows.getString(6),
                rows.getBytes(7)));
      }
      return batch.isEmpty() ? null : batch;
    }

    void close() throws SQLException {
      try {
        rows.close();
        select.close();
        connection.rollback();
        connection.setReadOnly(false);
        connection.setAutoCommit(true);
      } finally {
        connection.close();
      }
    }
  }
}
