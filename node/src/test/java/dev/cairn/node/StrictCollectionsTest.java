package dev.cairn.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** In strict mode only defined collections take writes; by default every collection does. */
class StrictCollectionsTest {

  @TempDir Path dataDir;

  @Test
  void strictModeRefusesWritesToUndefinedCollectionsUntilTheyAreDefined() throws Exception {
    try (TestNode node = TestNode.start(dataDir, Map.of("cairn.collections.strict", true))) {
      var refused = node.put("/v1/ad-hoc/x", "{}");
      var refusedPost = node.post("/v1/ad-hoc", "{}");
      node.put("/v1/_collections/ad-hoc", "{}");
      var accepted = node.put("/v1/ad-hoc/x", "{}");

      assertThat(refused.status()).isEqualTo(404);
      assertThat(refused.problem()).isEqualTo("undefined-collection");
      assertThat(refused.json().get("detail").asText()).contains("PUT /v1/_collections/ad-hoc");
      assertThat(refusedPost.problem()).isEqualTo("undefined-collection");
      assertThat(accepted.status()).isEqualTo(201);
    }
  }
}
