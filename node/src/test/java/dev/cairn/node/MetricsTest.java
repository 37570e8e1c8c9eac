package dev.cairn.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.node.security.Tokens;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /metrics} of a live node after real traffic: the series an operator's dashboard and
 * alerts read are there, with the labels and counts the traffic must have left, and only a token
 * with the role {@code metrics} (or {@code admin}) may read them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MetricsTest {

  private static final String SECRET = "a-metrics-test-secret-of-32-bytes!!";
  private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";

  @TempDir static Path dir;

  private TestNode node;
  private String[] admin;
  private String[] prometheus;
  private String[] user;

  @BeforeAll
  void start() throws Exception {
    node =
        TestNode.start(
            dir.resolve("node"), Map.of("cairn.auth.mode", "jwt", "cairn.auth.jwt.secret", SECRET));
    admin = bearer("root", "admin");
    prometheus = bearer("prometheus", "metrics");
    user = bearer("user");
  }

  @AfterAll
  void stop() throws Exception {
    node.close();
  }

  private static String[] bearer(String subject, String... roles) {
    return new String[] {
      "Authorization",
      "Bearer "
          + Tokens.hs256(SECRET, subject, List.of(roles), Duration.ofHours(1), "roles", "", "")
    };
  }

  private static String[] with(String[] auth, String... more) {
    String[] all = new String[auth.length + more.length];
    System.arraycopy(auth, 0, all, 0, auth.length);
    System.arraycopy(more, 0, all, auth.length, more.length);
    return all;
  }

  @Test
  void aScrapeAfterTrafficHoldsTheSeriesOfEveryPartOfTheNode() throws Exception {
    assertThat(
            node.put(
                    "/v1/_collections/priced",
                    "{\"schema\":{\"type\":\"object\",\"required\":[\"price\"]}}",
                    admin)
                .status())
        .isEqualTo(201);
    for (int i = 0; i < 5; i++) {
      assertThat(
              node.put(
                      "/v1/metered/doc-" + i,
                      "{\"n\":" + i + "}",
                      with(admin, "traceparent", "00-" + TRACE + "-00f067aa0ba902b7-01"))
                  .status())
          .isEqualTo(201);
    }
    assertThat(
            node.put("/v1/metered/doc-0", "{\"n\":9}", with(admin, "If-Match", "\"7\"")).status())
        .isEqualTo(412);
    assertThat(node.put("/v1/priced/p", "{\"name\":\"no price\"}", admin).status()).isEqualTo(422);
    String[] keyed = with(admin, "Idempotency-Key", "metrics-once");
    assertThat(node.post("/v1/metered", "{\"n\":1}", keyed).status()).isEqualTo(201);
    assertThat(node.post("/v1/metered", "{\"n\":1}", keyed).status()).isEqualTo(201);
    assertThat(node.get("/v1/metered/doc-1", admin).status()).isEqualTo(200);
    assertThat(node.get("/v1/metered/absent", admin).status()).isEqualTo(404);

    HttpResponseView scrape = node.get("/metrics", prometheus);
    assertThat(scrape.status()).isEqualTo(200);
    assertThat(scrape.contentType()).startsWith("text/plain; version=0.0.4");
    Map<String, Double> series = parse(scrape.body());

    // HTTP, by route template: never a document's id.
    assertThat(
            value(
                series, "cairn_http_requests_seconds_count", "PUT", "/v1/{collection}/{id}", "2xx"))
        .isGreaterThanOrEqualTo(6);
    assertThat(
            value(
                series, "cairn_http_requests_seconds_count", "PUT", "/v1/{collection}/{id}", "4xx"))
        .isGreaterThanOrEqualTo(2);
    assertThat(series.keySet()).noneMatch(name -> name.contains("doc-"));
    assertThat(series)
        .containsKey(
            "cairn_http_requests_seconds_bucket{method=\"PUT\","
                + "route=\"/v1/{collection}/{id}\",status=\"2xx\",le=\"0.1\"}");

    // The entities: commands by type and outcome.
    assertThat(series.get("cairn_entity_commands_total{command=\"put\",outcome=\"written\"}"))
        .isGreaterThanOrEqualTo(5);
    assertThat(
            series.get(
                "cairn_entity_commands_total{command=\"put\",outcome=\"precondition_failed\"}"))
        .isEqualTo(1);
    assertThat(
            series.get("cairn_entity_commands_total{command=\"put\",outcome=\"schema_rejected\"}"))
        .isEqualTo(1);
    assertThat(
            series.get("cairn_entity_commands_total{command=\"put\",outcome=\"idempotent_retry\"}"))
        .isEqualTo(1);
    assertThat(series.get("cairn_entity_commands_total{command=\"get\",outcome=\"read\"}"))
        .isGreaterThanOrEqualTo(1);
    assertThat(series.get("cairn_entities_active")).isGreaterThanOrEqualTo(7);
    assertThat(series.get("cairn_entity_recoveries_seconds_count")).isGreaterThanOrEqualTo(7);
    assertThat(series).containsKey("cairn_entity_passivations_total");

    // The journal.
    assertThat(series.get("cairn_journal_events_written_total")).isGreaterThanOrEqualTo(7);
    assertThat(series.get("cairn_journal_write_batch_events_sum")).isGreaterThanOrEqualTo(7);
    assertThat(series.get("cairn_journal_commit_seconds_count")).isGreaterThanOrEqualTo(1);
    assertThat(series.get("cairn_journal_write_failures_total")).isZero();
    assertThat(series).containsKey("cairn_snapshot_writes_total");

    // The cluster, sampled when asked.
    assertThat(series.get("cairn_cluster_members{status=\"up\"}")).isEqualTo(1);
    assertThat(series.get("cairn_cluster_unreachable_members")).isZero();
    assertThat(series.get("cairn_sharding_shards")).isGreaterThanOrEqualTo(1);
    assertThat(series.get("cairn_sharding_entities")).isGreaterThanOrEqualTo(1);

    // The read side: every slice's lag, and the events applied.
    assertThat(series.keySet().stream().filter(k -> k.startsWith("cairn_projection_lag_events{")))
        .hasSize(9);
    assertThat(series.keySet().stream().filter(k -> k.startsWith("cairn_projection_lag_seconds{")))
        .hasSize(9);
    assertThat(series)
        .containsKey("cairn_projection_failing{projection=\"documents\",slice=\"documents-0\"}");
    assertThat(series).containsKey("cairn_projection_events_total{projection=\"documents\"}");
    assertThat(series.get("cairn_changefeed_streams_open")).isZero();
    assertThat(series.get("cairn_admin_operations_running")).isZero();

    // The JVM's, the process's and the connection pool's, from their binders.
    assertThat(series.keySet())
        .anyMatch(k -> k.startsWith("jvm_memory_used_bytes{"))
        .anyMatch(k -> k.startsWith("jvm_gc_pause_seconds_count{") || k.startsWith("jvm_gc_"))
        .anyMatch(k -> k.startsWith("jvm_threads_live_threads"))
        .anyMatch(k -> k.startsWith("process_cpu_usage"))
        .anyMatch(k -> k.startsWith("hikaricp_connections_active{"))
        .anyMatch(k -> k.startsWith("hikaricp_connections_acquire_seconds_count{"));
  }

  @Test
  void aWritesTraceIsKeptInItsEventsMetadata() {
    assertThat(
            node.put(
                    "/v1/traced/t1",
                    "{\"n\":1}",
                    with(admin, "traceparent", "00-" + TRACE + "-00f067aa0ba902b7-01"))
                .status())
        .isEqualTo(201);
    assertThat(
            node.put("/v1/traced/t2", "{\"n\":1}", with(admin, "traceparent", "garbage")).status())
        .isEqualTo(201);
    var events = node.get("/admin/journal?collection=traced", admin).json().get("items");
    assertThat(events).hasSize(2);
    assertThat(events.get(0).at("/event/meta/traceId").asText()).isEqualTo(TRACE);
    assertThat(events.get(1).at("/event/meta").has("traceId")).isFalse();
  }

  @Test
  void onlyTheRolesMetricsAndAdminMayReadTheMetrics() {
    assertThat(node.get("/metrics").status()).isEqualTo(401);
    assertThat(node.get("/metrics", user).problem()).isEqualTo("forbidden");
    assertThat(node.get("/metrics", admin).status()).isEqualTo(200);
    // The role metrics is no administrator.
    assertThat(node.get("/admin/cluster", prometheus).status()).isEqualTo(403);
  }

  private static final Pattern LINE = Pattern.compile("^(\\S+(?:\\{.*\\})?) (\\S+)$");

  /** Each sample of the text format, by its name and labels as written. */
  private static Map<String, Double> parse(String text) {
    Map<String, Double> series = new HashMap<>();
    for (String line : text.split("\n")) {
      if (line.startsWith("#") || line.isBlank()) {
        continue;
      }
      Matcher m = LINE.matcher(line);
      assertThat(m.matches()).as("a sample line: " + line).isTrue();
      series.put(m.group(1), Double.parseDouble(m.group(2)));
    }
    return series;
  }

  private static double value(
      Map<String, Double> series, String name, String method, String route, String status) {
    String key =
        name + "{method=\"" + method + "\",route=\"" + route + "\",status=\"" + status + "\"}";
    assertThat(series).as("the series " + key).containsKey(key);
    return series.get(key);
  }
}
