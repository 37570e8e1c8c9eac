package dev.cairn.persistence.readmodel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.persistence.TestPostgres;
import dev.cairn.protocol.Document;
import dev.cairn.protocol.Json;
import dev.cairn.protocol.PatchFormat;
import dev.cairn.protocol.event.DocumentEvent;
import dev.cairn.protocol.event.EventMetadata;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The live projection's batches on a real PostgreSQL, where a document it wrote in its last batch
 * is folded onto the row as it wrote it, unread: each way that row can stop being what the
 * projection remembers.
 */
class DocumentProjectionPostgresTest {

  private static final String PERSISTENCE_ID = "notes|a";

  private String url;
  private DocumentProjection projection;

  @BeforeEach
  void freshDatabase() {
    url = TestPostgres.freshDatabase();
    // No event here is passed over, so the journal (and the serialization to read it) is not used.
    projection = new DocumentProjection("slice-0", new DeadLetters(letter -> {}), null);
    projection.start();
  }

  @Test
  void aRowRewrittenAtTheSameVersionIsFoldedOntoAsItIsNowNotAsTheProjectionWroteIt()
      throws Exception {
    commit(created(1, "{\"n\":1}"));
    // An in-place rebuild replaced the row with a different text at the same version.
    execute(
        "UPDATE read_document SET document = replace(document, '\"n\":1', '\"n\":1,\"fixed\":true')");

    commit(patched(2, 2, "{\"m\":2}"));

    assertEquals(Json.mapper().readTree("{\"n\":1,\"fixed\":true,\"m\":2}"), data());
    assertEquals(2, document().version());
  }

  @Test
  void aBatchRolledBackIsNotRememberedSoItsRetryWritesItsEvents() throws Exception {
    commit(created(1, "{\"n\":1}"));
    List<EventEnvelope<DocumentEvent>> second = List.of(replaced(2, 2, "{\"n\":2}"));
    PooledJdbcSession session = session();
    try {
      projection.process(session, second);
      session.rollback();
    } finally {
      session.close();
    }

    commit(second);

    assertEquals(2, document().version());
    assertEquals(Json.mapper().readTree("{\"n\":2}"), data());
  }

  @Test
  void aReplayFromAnEarlierOffsetForgetsTheRowsItWrote() throws Exception {
    commit(created(1, "{\"n\":1}"));
    commit(replaced(2, 2, "{\"n\":2}"));
    execute("TRUNCATE read_document, read_document_field");

    commit(created(1, "{\"n\":1}"), replaced(2, 2, "{\"n\":2}"));

    assertEquals(2, document().version());
    assertEquals(Json.mapper().readTree("{\"n\":2}"), data());
  }

  @Test
  void aRowAnotherWriterMovedOnIsReadBeforeTheNextEventIsFolded() throws Exception {
    commit(created(1, "{\"n\":1}"));
    // A re-driven dead letter (or any other writer) wrote version 2 meanwhile.
    execute(
        "UPDATE read_document SET version = 2,"
            + " document = replace(replace(document, '\"version\":1', '\"version\":2'),"
            + " '\"n\":1', '\"n\":1,\"other\":true')");

    commit(patched(3, 3, "{\"m\":3}"));

    assertEquals(3, document().version());
    assertEquals(Json.mapper().readTree("{\"n\":1,\"other\":true,\"m\":3}"), data());
  }

  @SafeVarargs
  private void commit(EventEnvelope<DocumentEvent>... envelopes) throws Exception {
    commit(List.of(envelopes));
  }

  private void commit(List<EventEnvelope<DocumentEvent>> envelopes) throws Exception {
    PooledJdbcSession session = session();
    try {
      projection.process(session, envelopes);
      session.commit();
    } finally {
      session.close();
    }
  }

  private PooledJdbcSession session() throws Exception {
    return new PooledJdbcSession(TestPostgres.connect(url));
  }

  private void execute(String sql) throws Exception {
    try (Connection c = TestPostgres.connect(url);
        Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  private Document document() throws Exception {
    try (Connection c = TestPostgres.connect(url);
        PreparedStatement select =
            c.prepareStatement(
                "SELECT document FROM read_document WHERE collection = 'notes' AND id = 'a'");
        ResultSet row = select.executeQuery()) {
      row.next();
      return JsonText.read(row.getString(1), Document.class);
    }
  }

  private JsonNode data() throws Exception {
    return document().data();
  }

  private static EventEnvelope<DocumentEvent> created(long offset, String data) throws Exception {
    return envelope(
        offset, 1, new DocumentEvent.Created((ObjectNode) Json.mapper().readTree(data), meta()));
  }

  private static EventEnvelope<DocumentEvent> replaced(long offset, long version, String data)
      throws Exception {
    return envelope(
        offset,
        version,
        new DocumentEvent.Replaced((ObjectNode) Json.mapper().readTree(data), meta()));
  }

  private static EventEnvelope<DocumentEvent> patched(long offset, long version, String patch)
      throws Exception {
    return envelope(
        offset,
        version,
        new DocumentEvent.Patched(PatchFormat.MERGE_PATCH, Json.mapper().readTree(patch), meta()));
  }

  private static EventEnvelope<DocumentEvent> envelope(
      long offset, long version, DocumentEvent event) {
    return EventEnvelope.create(
        Offset.sequence(offset), PERSISTENCE_ID, version, event, 1_000 * offset);
  }

  private static EventMetadata meta() {
    return new EventMetadata(
        Instant.parse("2026-12-08T00:00:00Z"), "request", "alice", null, null, null, null, null);
  }
}
