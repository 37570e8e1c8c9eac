package dev.cairn.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.protocol.Json;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node's output as an operator's log pipeline gets it, from a real process: with {@code
 * CAIRN_LOG_FORMAT=json} every line is one JSON object, a request's access line carries its request
 * id, trace, caller, collection, document and the node's address, and the projection library's
 * stray {@code # stop} lines never appear; by default logs are text without access lines; a format
 * the node does not know stops it at once with one line and exit code 2.
 */
class LoggingIT {

  private static final String TRACE = "0af7651916cd43dd8448eb211c80319c";

  @TempDir Path dir;

  @Test
  void jsonLogsCarryTheRequestIdFromTheFrontDoorToTheAccessLine() throws Exception {
    List<JsonNode> lines;
    try (NodeProcess node =
        NodeProcess.start(
            "json-logs",
            List.of("--http-port=0", "--cluster-port=0", "--data-dir=" + dir.resolve("json")),
            Map.of("CAIRN_LOG_FORMAT", "json", "CAIRN_ACCESS_LOG", "info"))) {
      TestClient client = node.client();
      HttpResponseView put =
          client.put(
              "/v1/logged/first",
              "{\"n\":1}",
              "X-Request-Id",
              "it-request-1",
              "traceparent",
              "00-" + TRACE + "-b7ad6b7169203331-01");
      assertThat(put.status()).isEqualTo(201);
      assertThat(put.header("X-Request-Id")).contains("it-request-1");
      assertThat(node.terminate()).as("exit code after SIGTERM").isEqualTo(143);
      lines = json(node.output());
    }

    JsonNode access =
        lines.stream()
            .filter(l -> l.path("logger_name").asText().equals("cairn.access"))
            .filter(l -> l.path("requestId").asText().equals("it-request-1"))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no access line for it-request-1"));
    assertThat(access.path("method").asText()).isEqualTo("PUT");
    assertThat(access.path("route").asText()).isEqualTo("/v1/{collection}/{id}");
    assertThat(access.path("status").asText()).isEqualTo("201");
    assertThat(access.path("collection").asText()).isEqualTo("logged");
    assertThat(access.path("document").asText()).isEqualTo("first");
    assertThat(access.path("traceId").asText()).isEqualTo(TRACE);
    assertThat(access.path("spanId").asText())
        .matches("[0-9a-f]{16}")
        .isNotEqualTo("b7ad6b7169203331");
    assertThat(access.path("principal").asText()).isEqualTo("anonymous");
    assertThat(access.path("node").asText()).startsWith("cairn@127.0.0.1:");
    assertThat(Double.parseDouble(access.path("durationMs").asText())).isPositive();
    assertThat(access.has("@timestamp")).isTrue();
    assertThat(access.path("level").asText()).isEqualTo("INFO");
    assertThat(lines)
        .anyMatch(l -> l.path("message").asText().startsWith("Cairn node ready: http://"));
  }

  @Test
  void textLogsWithoutAnAccessLogAreTheDefault() throws Exception {
    String output;
    try (NodeProcess node =
        NodeProcess.start(
            "no-access-log",
            List.of("--http-port=0", "--cluster-port=0", "--data-dir=" + dir.resolve("text")),
            Map.of())) {
      TestClient client = node.client();
      assertThat(client.put("/v1/quiet/a", "{}", "X-Request-Id", "it-quiet-1").status())
          .isEqualTo(201);
      assertThat(node.terminate()).as("exit code after SIGTERM").isEqualTo(143);
      output = node.output();
    }
    assertThat(output).contains("Cairn node ready: http://").doesNotContain("it-quiet-1");
    assertThat(output.lines()).noneMatch(line -> line.startsWith("{"));
    assertThat(output).doesNotContain("# stop ");
  }

  @Test
  void anUnknownLogFormatStopsTheNodeWithOneLine() throws Exception {
    String jar = System.getProperty("cairn.jar", "target/cairn-node.jar");
    ProcessBuilder builder =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                jar,
                "serve",
                "--data-dir=" + dir.resolve("bad"))
            .redirectErrorStream(true);
    builder.environment().put("CAIRN_LOG_FORMAT", "yaml");
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes());
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).isEqualTo(2);
    assertThat(output.strip().lines())
        .containsExactly(
            "cairn: CAIRN_LOG_FORMAT is 'yaml'; it must be text (the default) or json");
  }

  /** Every line parsed: a line that is not one JSON object fails the test, naming it. */
  private static List<JsonNode> json(String output) {
    List<JsonNode> lines = new ArrayList<>();
    for (String line : output.split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      assertThat(line).as("a line of a JSON log").startsWith("{").doesNotContain("# stop ");
      try {
        lines.add(Json.mapper().readTree(line));
      } catch (Exception e) {
        throw new AssertionError("not one JSON object: " + line, e);
      }
    }
    return lines;
  }
}
