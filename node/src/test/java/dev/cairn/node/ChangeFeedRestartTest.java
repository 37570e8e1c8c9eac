package dev.cairn.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.persistence.TestPostgres;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A change-feed client resumes across a node restart with no gap and no duplicate. */
class ChangeFeedRestartTest {

  @TempDir Path dataDir;

  @Test
  void onH2() throws Exception {
    aClientResumesAfterTheNodeRestartsWithNoGapAndNoDuplicate(Map.of());
  }

  @Test
  void onPostgres() throws Exception {
    aClientResumesAfterTheNodeRestartsWithNoGapAndNoDuplicate(
        Map.of("cairn.db.url", TestPostgres.emptyDatabase(), "cairn.db.user", "postgres"));
  }

  private void aClientResumesAfterTheNodeRestartsWithNoGapAndNoDuplicate(
      Map<String, Object> journal) throws Exception {
    List<TestClient.SseEvent> seen = new ArrayList<>();
    try (TestNode node = TestNode.start(dataDir, journal)) {
      for (int i = 1; i <= 4; i++) {
        node.put("/v1/feed/doc", "{\"n\": " + i + "}");
      }
      seen.addAll(node.events("/v1/feed/_changes", 4));
    }
    try (TestNode node = TestNode.start(dataDir, journal)) {
      for (int i = 5; i <= 7; i++) {
        node.put("/v1/feed/doc", "{\"n\": " + i + "}");
      }
      node.put("/v1/other/doc", "{}");
      seen.addAll(
          node.events("/v1/feed/_changes", 3, "Last-Event-ID", seen.get(seen.size() - 1).id()));
    }

    assertThat(seen)
        .extracting(e -> e.json().get("change").get("data").get("n").asInt())
        .containsExactly(1, 2, 3, 4, 5, 6, 7);
    assertThat(seen).extracting(TestClient.SseEvent::id).doesNotHaveDuplicates();
  }
}
