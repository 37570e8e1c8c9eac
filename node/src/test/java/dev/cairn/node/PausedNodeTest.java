package dev.cairn.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.persistence.PauseFence;
import dev.cairn.persistence.TestPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Map;
import org.apache.pekko.actor.PoisonPill;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node that did not run for a while (chaos finding 1) may have been downed and its documents
 * recovered elsewhere. Two nodes on PostgreSQL; the pause is simulated on the second (a test cannot
 * freeze its own JVM; {@code chaos/run} freezes real processes with SIGSTOP). While the cluster
 * confirms the paused node is still a member it goes on serving; when no member confirms it, it
 * answers no read of its documents and commits no write, through itself or through the other node.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PausedNodeTest {

  private static final Map<String, Object> SETTINGS =
      Map.of("cairn.cluster.pause-fence", "1s", "cairn.http.ask-timeout", "3s");

  private static String db;
  private static TestNode first;
  private static TestNode paused;
  private static String path;

  @BeforeAll
  static void startCluster(@TempDir Path dataDir) throws Exception {
    db = TestPostgres.emptyDatabase();
    int seedPort = FreePorts.next();
    first = start(dataDir.resolve("first"), seedPort, seedPort);
    paused = start(dataDir.resolve("paused"), 0, seedPort);
    Await.until(
        "two members are up", () -> paused.get("/admin/cluster").json().get("members").size() == 2);
    path = documentHostedBy(paused);
  }

  private static TestNode start(Path dataDir, int port, int seedPort) throws Exception {
    Map<String, Object> settings = new java.util.HashMap<>(SETTINGS);
    settings.put("cairn.cluster.port", port);
    settings.put("cairn.cluster.seed-nodes", "127.0.0.1:" + seedPort);
    settings.put("cairn.db.url", db);
    settings.put("cairn.db.user", "postgres");
    return TestNode.start(dataDir, settings);
  }

  @AfterAll
  static void stopCluster() throws Exception {
    paused.close();
    first.close();
  }

  @Test
  @Order(1)
  void aPausedNodeThatTheClusterStillCountsServesAgainOnceConfirmed() {
    PauseFence fence = PauseFence.get(paused.node().system());
    long pauses = fence.pauses();

    fence.simulatePause(Duration.ofSeconds(5));
    boolean openRightAfter = fence.isOpen();
    var written = paused.put(path, "{\"n\":2}");
    var read = paused.get(path);

    assertThat(openRightAfter).as("open right after the pause").isFalse();
    assertThat(written.status()).isEqualTo(200);
    assertThat(read.version()).isEqualTo(2);
    assertThat(fence.pauses()).isEqualTo(pauses + 1);
    assertThat(fence.isOpen()).isTrue();
  }

  @Test
  @Order(2)
  void aPausedNodeThatNoMemberConfirmsNeitherAnswersReadsNorCommitsWrites() throws Exception {
    // The other member stops answering, as the members of a cluster that downed the paused node do.
    first
        .node()
        .system()
        .classicSystem()
        .actorSelection("/system/cairn-pause-witness")
        .tell(PoisonPill.getInstance(), org.apache.pekko.actor.ActorRef.noSender());
    PauseFence fence = PauseFence.get(paused.node().system());

    fence.simulatePause(Duration.ofSeconds(5));
    var read = paused.get(path);
    var readThroughTheOther = first.get(path);
    var write = paused.put(path, "{\"n\":3}");

    assertThat(read.status()).isEqualTo(503);
    assertThat(read.problem()).isEqualTo("unavailable");
    assertThat(read.json().get("detail").asText())
        .contains("did not run for")
        .contains("has not yet confirmed with the cluster");
    assertThat(read.header("Retry-After")).isPresent();
    assertThat(readThroughTheOther.status()).isEqualTo(503);
    assertThat(write.status()).isEqualTo(503);
    assertThat(highestVersionInTheJournal()).isEqualTo(2);
    assertThat(fence.isOpen()).isFalse();
  }

  /** Writes documents through the first node until one lives on {@code node}; its path. */
  private static String documentHostedBy(TestNode node) {
    String self = node.get("/admin/cluster").json().get("self").asText();
    for (int i = 0; ; i++) {
      String id = "d" + i;
      assertThat(first.put("/v1/paused/" + id, "{\"n\":1}").status()).isEqualTo(201);
      String shard = Integer.toString(Math.abs(("paused|" + id).hashCode() % 1000));
      for (JsonNode region : first.get("/admin/cluster/shards").json().get("regions")) {
        if (region.get("shards").has(shard) && region.get("address").asText().equals(self)) {
          return "/v1/paused/" + id;
        }
      }
    }
  }

  private static long highestVersionInTheJournal() throws Exception {
    try (Connection c = TestPostgres.connect(TestPostgres.inSchema(db, "cairn"));
        PreparedStatement select =
            c.prepareStatement(
                "SELECT max(sequence_number) FROM event_journal WHERE persistence_id = ?")) {
      select.setString(1, "paused|" + path.substring(path.lastIndexOf('/') + 1));
      try (ResultSet row = select.executeQuery()) {
        row.next();
        return row.getLong(1);
      }
    }
  }
}
