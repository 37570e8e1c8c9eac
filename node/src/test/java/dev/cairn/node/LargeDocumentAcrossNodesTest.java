package dev.cairn.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A document as large as the body limit allows is written and read through either node of a
 * cluster, whichever owns it: the command carrying it and the reply carrying it back cross the wire
 * between nodes.
 */
class LargeDocumentAcrossNodesTest {

  @TempDir static Path dir;
  static List<TestNode> nodes;

  @BeforeAll
  static void start() throws Exception {
    nodes = TestNode.cluster(dir, 2, Map.of());
  }

  @AfterAll
  static void stop() throws Exception {
    for (int i = nodes.size() - 1; i >= 0; i--) {
      nodes.get(i).close();
    }
  }

  @Test
  void aDocumentNearTheBodyLimitIsWrittenAndReadThroughEitherNode() {
    // Two strings of 450 KiB: each within the string limit, together near the 1 MiB body limit.
    String text = "x".repeat(450 * 1024);
    for (int i = 0; i < 8; i++) {
      TestNode writer = nodes.get(i % 2);
      TestNode reader = nodes.get((i + 1) % 2);
      var written =
          writer.put("/v1/large/l" + i, "{\"text\":\"" + text + "\",\"more\":\"" + text + "\"}");
      var read = reader.get("/v1/large/l" + i);

      assertThat(written.status())
          .as(
              "write %d: %s",
              i, written.body().length() > 300 ? written.body().substring(0, 300) : written.body())
          .isEqualTo(201);
      assertThat(read.status()).isEqualTo(200);
      assertThat(read.json().get("data").get("text").asText()).hasSize(text.length());
    }
  }
}
