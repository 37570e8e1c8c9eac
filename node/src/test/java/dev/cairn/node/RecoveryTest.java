package dev.cairn.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.persistence.TestPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Documents come back after a restart from their snapshots and events, also when many of them
 * recover at the same time (on PostgreSQL their recoveries share their snapshot and sequence-number
 * queries).
 */
class RecoveryTest {

  private static final int DOCUMENTS = 40;
  private static final int VERSIONS = 11;

  @TempDir Path dataDir;

  @Test
  void onH2() throws Exception {
    documentsRecoverTogetherFromSnapshotsAndEvents(Map.of());
  }

  @Test
  void onPostgres() throws Exception {
    String url = TestPostgres.emptyDatabase();
    documentsRecoverTogetherFromSnapshotsAndEvents(
        Map.of("cairn.db.url", url, "cairn.db.user", "postgres"));
    try (Connection c = TestPostgres.connect(TestPostgres.inSchema(url, "cairn"));
        ResultSet snapshots =
            c.createStatement()
                .executeQuery("SELECT count(DISTINCT persistence_id) FROM snapshot")) {
      snapshots.next();
      assertThat(snapshots.getInt(1)).as("documents with snapshots").isEqualTo(DOCUMENTS);
    }
  }

  private void documentsRecoverTogetherFromSnapshotsAndEvents(Map<String, Object> journal)
      throws Exception {
    try (TestNode node = TestNode.start(dataDir, journal)) {
      assertThat(node.put("/v1/_collections/snap", "{\"snapshotEvery\": 5}").status())
          .isEqualTo(201);
      for (int version = 1; version <= VERSIONS; version++) {
        for (int d = 0; d < DOCUMENTS; d++) {
          node.put("/v1/snap/d" + d, "{\"n\": " + version + "}");
          if (version == 1) {
            node.put("/v1/once/d" + d, "{\"n\": 1}");
          }
        }
      }
    }

    ExecutorService readers = Executors.newFixedThreadPool(16);
    try (TestNode node = TestNode.start(dataDir, journal)) {
      List<CompletableFuture<HttpResponseView>> reads = new ArrayList<>();
      for (int d = 0; d < DOCUMENTS; d++) {
        for (String path : List.of("/v1/snap/d", "/v1/once/d", "/v1/never/d")) {
          String document = path + d;
          reads.add(CompletableFuture.supplyAsync(() -> node.get(document), readers));
        }
      }
      for (int i = 0; i < reads.size(); i += 3) {
        HttpResponseView snapshotted = reads.get(i).join();
        HttpResponseView once = reads.get(i + 1).join();
        HttpResponseView never = reads.get(i + 2).join();
        assertThat(snapshotted.header("ETag")).hasValue("\"" + VERSIONS + "\"");
        assertThat(snapshotted.json().get("data").get("n").asInt()).isEqualTo(VERSIONS);
        assertThat(once.header("ETag")).hasValue("\"1\"");
        assertThat(never.status()).isEqualTo(404);
      }
      // Recovered entities go on from where they were.
      assertThat(node.put("/v1/snap/d0", "{\"n\": 12}").header("ETag")).hasValue("\"12\"");
      assertThat(node.put("/v1/never/d0", "{\"n\": 1}").status()).isEqualTo(201);
    } finally {
      readers.shutdownNow();
    }
  }
}
