package dev.cairn.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A PostgreSQL outage surfaces as 503 with Retry-After, never as a 500 or a lost write, and the
 * node recovers by itself when the database is back.
 */
class DatabaseOutageTest {

  @TempDir Path pgData;
  @TempDir Path nodeData;

  @Test
  void writesAre503WhileTheDatabaseIsDownAndSucceedAgainWhenItIsBack() throws Exception {
    EmbeddedPostgres postgres = start(0);
    int port = postgres.getPort();
    try (TestNode node =
        TestNode.start(
            nodeData,
            Map.of(
                "cairn.db.url", postgres.getJdbcUrl("postgres", "postgres"),
                "cairn.db.user", "postgres",
                "cairn.http.ask-timeout", "2s"))) {
      var before = node.put("/v1/outage/before", "{\"n\":1}");
      assertThat(before.status()).isEqualTo(201);

      postgres.close();
      List<Integer> during = new ArrayList<>();
      var refused =
          awaitResponse(
              () -> node.put("/v1/outage/during-" + during.size(), "{\"n\":2}"),
              r -> {
                during.add(r.status());
                return r.status() == 503;
              });
      assertThat(refused.header("Retry-After")).isPresent();
      assertThat(refused.problem()).isEqualTo("unavailable");
      var notReady = awaitResponse(() -> node.get("/health/ready"), r -> r.status() == 503);
      assertThat(notReady.json().get("detail").asText()).contains("journal");

      postgres = start(port);
      var after =
          awaitResponse(
              () -> node.put("/v1/outage/after", "{\"n\":3}"), r -> r.status() / 100 == 2);
      assertThat(after.version()).isEqualTo(1);
      assertThat(node.get("/v1/outage/before").json().get("data").get("n").asInt()).isEqualTo(1);
      assertThat(awaitResponse(() -> node.get("/health/ready"), r -> r.status() == 200).status())
          .isEqualTo(200);
      assertThat(during).as("statuses while the database was down").doesNotContain(500);
    } finally {
      postgres.close();
    }
  }

  private EmbeddedPostgres start(int port) throws Exception {
    return EmbeddedPostgres.builder()
        .setDataDirectory(pgData)
        .setCleanDataDirectory(false)
        .setPort(port)
        .start();
  }

  /** Repeats a request until its response satisfies {@code done}; fails after a minute. */
  private static HttpResponseView awaitResponse(
      Supplier<HttpResponseView> request, Predicate<HttpResponseView> done) {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
    HttpResponseView last = null;
    while (Instant.now().isBefore(deadline)) {
      last = request.get();
      if (done.test(last)) {
        return last;
      }
    }
    throw new AssertionError("no awaited response within 60 s; last: " + last);
  }
}
