package dev.cairn.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.persistence.Database;
import dev.cairn.persistence.DocumentTags;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * An event in the journal that cannot be read back (written by something other than Cairn, or by a
 * Cairn with a bug) must not stop the read side silently: {@code /health/read-model} names the
 * stuck slice and why, lists say it in a header, the change feed ends with a {@code failed} event,
 * and once the event is gone the slice moves on by itself.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PoisonEventTest {

  private static final String POISON = "poison|p1";

  private TestNode node;

  @BeforeAll
  void start(@TempDir Path dataDir) throws Exception {
    node =
        TestNode.start(
            dataDir,
            Map.of(
                "pekko.projection.restart-backoff.min-backoff", "100ms",
                "pekko.projection.restart-backoff.max-backoff", "500ms"));
  }

  @AfterAll
  void stop() throws Exception {
    node.close();
  }

  @Test
  void aStuckSliceIsReportedWithItsReasonAndRecoversWhenTheEventIsGone() throws Exception {
    String slice = DocumentTags.sliceTag(Math.floorMod(POISON.hashCode(), DocumentTags.SLICES));
    node.put("/v1/before/b1", "{\"n\":1}");
    Await.until("the read model is healthy", () -> node.get("/health/read-model").status() == 200);

    long ordering = insertPoison(slice);

    Await.until(
        "the read model reports " + slice + " stuck",
        () -> node.get("/health/read-model").status() == 503);
    var status = node.get("/health/read-model");
    assertThat(status.problem()).isEqualTo("unavailable");
    assertThat(status.json().get("detail").asText()).contains(slice);
    Await.until(
        "lists say the slice is stuck",
        () ->
            node.get("/v1/before")
                .header("Cairn-Read-Model-Stuck")
                .equals(java.util.Optional.of(slice)));
    assertThat(lastFeedEvent()).startsWith("event:failed");

    deletePoison(ordering);

    Await.until(
        "the slice moves on once the event is gone",
        () -> node.get("/health/read-model").status() == 200);
    // Lists share a freshness computed at most every 250 ms.
    Await.until(
        "lists no longer say the slice is stuck",
        () -> node.get("/v1/before").header("Cairn-Read-Model-Stuck").isEmpty());
  }

  /** The kind of the last event the feed sends before it closes, or what it sends at all. */
  private String lastFeedEvent() throws Exception {
    HttpResponse<java.io.InputStream> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(node.uri("/v1/_changes?since=0"))
                    .timeout(Duration.ofSeconds(30))
                    .build(),
                HttpResponse.BodyHandlers.ofInputStream());
    String last = "";
    try (BufferedReader lines =
        new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
      for (String line; (line = lines.readLine()) != null; ) {
        if (line.startsWith("event:")) {
          last = line.replace(" ", "");
          if (last.equals("event:failed")) {
            break;
          }
        }
      }
    }
    return last;
  }

  /** An event no serializer can read, in a document's slice, as a foreign writer might. */
  private long insertPoison(String slice) throws Exception {
    try (Connection c = new Database(node.node().system()).connection()) {
      try (PreparedStatement insert =
          c.prepareStatement(
              "INSERT INTO \"event_journal\" (\"deleted\", \"persistence_id\", \"sequence_number\","
                  + " \"writer\", \"write_timestamp\", \"adapter_manifest\", \"event_payload\","
                  + " \"event_ser_id\", \"event_ser_manifest\", \"slice\") VALUES (FALSE, ?, 1, 'test', ?,"
                  + " '', ?, 33, 'dev.cairn.protocol.event.DocumentEvent$Created', ?)",
              Statement.RETURN_GENERATED_KEYS)) {
        insert.setString(1, POISON);
        insert.setLong(2, System.currentTimeMillis());
        insert.setBytes(3, new byte[] {(byte) 0xff, 0x00, 0x13});
        insert.setShort(4, (short) DocumentTags.slice(slice).getAsInt());
        insert.executeUpdate();
        try (ResultSet keys = insert.getGeneratedKeys()) {
          keys.next();
          long ordering = keys.getLong(1);
          return ordering;
        }
      }
    }
  }

  private void deletePoison(long ordering) throws Exception {
    try (Connection c = new Database(node.node().system()).connection();
        PreparedStatement delete =
            c.prepareStatement("DELETE FROM \"event_journal\" WHERE \"ordering\" = ?")) {
      delete.setLong(1, ordering);
      assertThat(delete.executeUpdate()).isEqualTo(1);
    }
  }
}
