package dev.cairn.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Browser applications of the configured origins may call the API: preflights are answered, every
 * answer (refusals too) carries the headers a browser needs to read it, and other origins are
 * refused before anything is done.
 */
class CorsTest {

  private static final String APP = "https://app.example.com";
  private static final String SECRET = "the-cors-test-secret-of-at-least-32-bytes";

  @TempDir static Path dataDir;
  static TestNode node;
  static String[] admin;

  @BeforeAll
  static void start() throws Exception {
    node =
        TestNode.start(
            dataDir,
            Map.of(
                "cairn.auth.mode",
                "jwt",
                "cairn.auth.jwt.secret",
                SECRET,
                "cairn.http.cors-origins",
                APP + ", http://localhost:3000"));
    admin =
        new String[] {
          "Authorization",
          "Bearer "
              + dev.cairn.node.security.Tokens.hs256(
                  SECRET,
                  "root",
                  java.util.List.of("admin"),
                  java.time.Duration.ofHours(1),
                  "roles",
                  "",
                  "")
        };
  }

  @AfterAll
  static void stop() throws Exception {
    node.close();
  }

  private static HttpResponseView preflight(String origin, String method, String headers) {
    return node.send(
        node.request(
                "/v1/notes/n1",
                "Origin",
                origin,
                "Access-Control-Request-Method",
                method,
                "Access-Control-Request-Headers",
                headers)
            .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
            .build());
  }

  @Test
  void aPreflightFromAnAllowedOriginNamesWhatItMaySend() {
    var response = preflight(APP, "PUT", "authorization,content-type,if-match,idempotency-key");

    assertThat(response.status()).isEqualTo(200);
    assertThat(response.header("Access-Control-Allow-Origin")).hasValue(APP);
    assertThat(response.header("Access-Control-Allow-Methods").orElseThrow())
        .contains("PUT", "PATCH", "DELETE");
    assertThat(response.header("Access-Control-Allow-Headers").orElseThrow().toLowerCase())
        .contains("authorization", "if-match", "idempotency-key");
    assertThat(response.header("Access-Control-Max-Age")).isPresent();
    assertThat(response.header("Access-Control-Allow-Credentials")).isEmpty();
  }

  @Test
  void answersToAnAllowedOriginCarryTheHeadersABrowserMayRead() {
    String[] headers = {"Origin", APP, admin[0], admin[1]};
    var written = node.put("/v1/notes/cors", "{\"a\":1}", headers);
    var refused = node.get("/v1/notes/cors", "Origin", APP);

    assertThat(written.status()).isEqualTo(201);
    assertThat(written.header("Access-Control-Allow-Origin")).hasValue(APP);
    assertThat(written.header("Access-Control-Expose-Headers").orElseThrow())
        .contains("ETag", "Location", "X-Request-Id", "Retry-After");
    assertThat(refused.status()).isEqualTo(401);
    assertThat(refused.header("Access-Control-Allow-Origin"))
        .as("a browser can read why it was refused")
        .hasValue(APP);
  }

  @Test
  void anotherOriginIsRefusedAndNothingIsWritten() {
    var preflight = preflight("https://evil.example", "PUT", "authorization");
    var write =
        node.put(
            "/v1/notes/evil", "{\"a\":1}", "Origin", "https://evil.example", admin[0], admin[1]);
    var methodNotAllowed = preflight(APP, "TRACE", "authorization");

    assertThat(preflight.status()).isEqualTo(403);
    assertThat(preflight.problem()).isEqualTo("forbidden");
    assertThat(preflight.header("Access-Control-Allow-Origin")).isEmpty();
    assertThat(write.status()).isEqualTo(403);
    assertThat(methodNotAllowed.status()).isEqualTo(403);
    assertThat(node.get("/v1/notes/evil", admin).status()).isEqualTo(404);
  }

  @Test
  void withoutConfiguredOriginsThereIsNoCors(@TempDir Path other) throws Exception {
    try (TestNode closed = TestNode.start(other)) {
      var preflight =
          closed.send(
              closed
                  .request("/v1/notes/n1", "Origin", APP, "Access-Control-Request-Method", "PUT")
                  .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                  .build());
      var read = closed.get("/health/alive", "Origin", APP);

      assertThat(preflight.status()).isEqualTo(405);
      assertThat(preflight.header("Access-Control-Allow-Origin")).isEmpty();
      assertThat(read.header("Access-Control-Allow-Origin")).isEmpty();
    }
  }
}
