package dev.cairn.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.persistence.TestPostgres;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Cluster administration over HTTP: asking members to leave, and refusing unknown members. */
class AdminClusterTest {

  @TempDir Path dataDir;

  @Test
  void aMemberAskedToLeaveThroughAnotherNodeHandsOffAndStops() throws Exception {
    String db = TestPostgres.emptyDatabase();
    int seedPort = FreePorts.next();
    int leaverPort = FreePorts.next();
    try (TestNode staying = start("staying", seedPort, seedPort, db);
        TestNode leaving = start("leaving", leaverPort, seedPort, db)) {
      for (int i = 0; i < 20; i++) {
        leaving.put("/v1/handoff/d" + i, "{\"i\":" + i + "}");
      }

      var accepted =
          staying.send(
              "POST", "/admin/cluster/members/127.0.0.1:" + leaverPort + "/leave", null, null);

      assertThat(accepted.status()).isEqualTo(202);
      assertThat(accepted.json().get("member").asText()).endsWith(":" + leaverPort);
      leaving.node().whenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
      Await.until(
          "the leaver is removed from the membership",
          () -> staying.get("/admin/cluster").json().get("members").size() == 1);
      for (int i = 0; i < 20; i++) {
        assertThat(staying.get("/v1/handoff/d" + i).json().get("data").get("i").asInt())
            .isEqualTo(i);
      }
    }
  }

  @Test
  void aNodeLeavesByItsOwnLeaveEndpointAndTheFullAddressFormWorks() throws Exception {
    String db = TestPostgres.emptyDatabase();
    int seedPort = FreePorts.next();
    int otherPort = FreePorts.next();
    try (TestNode first = start("first", seedPort, seedPort, db);
        TestNode second = start("second", otherPort, seedPort, db)) {
      String full =
          URLEncoder.encode("pekko://cairn@127.0.0.1:" + otherPort, StandardCharsets.UTF_8);

      var unknown = first.send("POST", "/admin/cluster/members/127.0.0.1:1/down", null, null);
      var malformed =
          first.send("POST", "/admin/cluster/members/not%20an%20address/leave", null, null);
      var byFullAddress = first.get("/admin/cluster");
      var self = second.send("POST", "/admin/cluster/leave", null, null);

      assertThat(unknown.status()).isEqualTo(404);
      assertThat(unknown.problem()).isEqualTo("member-not-found");
      assertThat(malformed.problem()).isEqualTo("member-not-found");
      assertThat(byFullAddress.body())
          .contains(java.net.URLDecoder.decode(full, StandardCharsets.UTF_8));
      assertThat(self.status()).isEqualTo(202);
      second.node().whenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }
  }

  private TestNode start(String name, int clusterPort, int seedPort, String db) throws Exception {
    return TestNode.start(
        dataDir.resolve(name),
        Map.of(
            "cairn.cluster.port",
            clusterPort,
            "cairn.cluster.seed-nodes",
            "127.0.0.1:" + seedPort,
            "cairn.db.url",
            db,
            "cairn.db.user",
            "postgres"));
  }
}
