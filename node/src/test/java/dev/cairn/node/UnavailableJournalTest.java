package dev.cairn.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * When the journal cannot be reached, entities cannot recover or persist, and the front door says
 * so with 503 and Retry-After instead of hanging or failing with 500.
 */
class UnavailableJournalTest {

  @TempDir static Path dataDir;
  static TestNode node;

  @BeforeAll
  static void startNodeWithoutADatabase() throws Exception {
    node =
        TestNode.start(
            dataDir,
            Map.of(
                // Nothing listens on port 1: every connection is refused at once.
                "cairn.db.url", "jdbc:h2:tcp://127.0.0.1:1/nowhere",
                "cairn.db.migrate-on-start", false,
                "cairn.http.ask-timeout", "1s"));
  }

  @AfterAll
  static void stopNode() throws Exception {
    node.close();
  }

  @Test
  void aWriteIs503WithRetryAfter() {
    var response = node.put("/v1/notes/n1", "{\"a\":1}");

    assertThat(response.status()).isEqualTo(503);
    assertThat(response.problem()).isEqualTo("unavailable");
    assertThat(response.header("Retry-After")).hasValue("1");
  }

  @Test
  void aReadIs503WithRetryAfter() {
    var response = node.get("/v1/notes/n2");

    assertThat(response.status()).isEqualTo(503);
    assertThat(response.header("Retry-After")).isPresent();
  }

  @Test
  void badInputIsStillRefusedBeforeTheJournalIsNeeded() {
    assertThat(node.put("/v1/notes/n3", "not json").status()).isEqualTo(400);
  }
}
