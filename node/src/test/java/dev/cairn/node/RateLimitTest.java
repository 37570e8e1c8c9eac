package dev.cairn.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.node.security.Tokens;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each caller gets its own budget of requests: beyond it 429 with the wait in Retry-After, while
 * other callers and the health probes go on. The rate is 3 an hour, so no test depends on how fast
 * its requests are sent.
 */
class RateLimitTest {

  private static final String SECRET = "the-rate-limit-test-secret-of-32-bytes+";

  @TempDir static Path dataDir;
  static TestNode node;

  @BeforeAll
  static void start() throws Exception {
    node =
        TestNode.start(
            dataDir,
            Map.of(
                "cairn.auth.mode", "jwt",
                "cairn.auth.jwt.secret", SECRET,
                "cairn.limits.rate-limit", "3/1h"));
  }

  @AfterAll
  static void stop() throws Exception {
    node.close();
  }

  private static String[] bearer(String subject) {
    return new String[] {
      "Authorization",
      "Bearer " + Tokens.hs256(SECRET, subject, List.of(), Duration.ofHours(1), "roles", "", "")
    };
  }

  @Test
  void aCallerBeyondItsBudgetIsToldHowLongToWaitAndOthersGoOn() {
    String[] alice = bearer("alice");
    for (int i = 0; i < 3; i++) {
      assertThat(node.put("/v1/notes/rl" + i, "{\"i\":" + i + "}", alice).status()).isEqualTo(201);
    }

    var refused = node.put("/v1/notes/rl3", "{\"i\":3}", alice);
    var bob = node.get("/v1/notes/rl0", bearer("bob"));

    assertThat(refused.status()).isEqualTo(429);
    assertThat(refused.problem()).isEqualTo("too-many-requests");
    assertThat(Long.parseLong(refused.header("Retry-After").orElseThrow())).isBetween(1L, 1200L);
    assertThat(bob.status()).isEqualTo(200);
    assertThat(node.get("/v1/notes/rl3", bearer("carol")).status())
        .as("the refused write wrote nothing")
        .isEqualTo(404);
  }

  @Test
  void withoutAValidTokenTheBudgetIsTheAddresssAndProbesAreNeverCounted() {
    for (int i = 0; i < 10; i++) {
      assertThat(node.get("/health/alive").status()).isEqualTo(200);
    }
    for (int i = 0; i < 2; i++) {
      assertThat(node.get("/openapi.json").status()).isEqualTo(200);
    }
    String[] forged = {"Authorization", "Bearer not.a.token"};
    assertThat(node.get("/v1/notes/rl0", forged).status())
        .as("a refused token counts against the address")
        .isEqualTo(401);

    assertThat(node.get("/v1/notes/rl0", forged).status()).isEqualTo(429);
    assertThat(node.get("/openapi.json").status()).isEqualTo(429);
    assertThat(node.get("/health/ready").status()).isIn(200, 503);
  }
}
