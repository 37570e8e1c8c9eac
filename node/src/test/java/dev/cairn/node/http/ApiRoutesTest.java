package dev.cairn.node.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import dev.cairn.config.CairnSettings;
import dev.cairn.node.security.Authenticator;
import dev.cairn.protocol.Json;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.testkit.javadsl.TestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The front door over real HTTP with routes of its own: rejections Cairn has no case for still
 * leave as problems, with Pekko's message and the request's path.
 */
class ApiRoutesTest extends AllDirectives {

  private static ActorSystem system;
  private static ServerBinding binding;
  private static final HttpClient client = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    system =
        ActorSystem.create(
            "api-routes-test",
            ConfigFactory.parseString("pekko.actor.provider = local")
                .withFallback(ConfigFactory.load()));
    ApiRoutesTest routes = new ApiRoutesTest();
    Route api =
        new ApiRoutes(
                Authenticator.none(),
                Optional.empty(),
                new RateLimits(CairnSettings.RateLimit.OFF),
                new SimpleMeterRegistry(),
                List.of(),
                routes.path(
                    "needs-header",
                    () -> routes.headerValueByName("X-Thing", value -> routes.complete(value))),
                routes.path("plain", () -> routes.get(() -> routes.complete("plain text"))))
            .route();
    binding =
        Http.get(system)
            .newServerAt("127.0.0.1", 0)
            .bind(api)
            .toCompletableFuture()
            .get(30, java.util.concurrent.TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() {
    binding.unbind();
    TestKit.shutdownActorSystem(system);
  }

  @Test
  void aRejectionOnlyPekkoKnowsIsAProblemWithItsMessage() throws Exception {
    HttpResponse<String> response = send("/needs-header");

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    JsonNode problem = Json.mapper().readTree(response.body());
    assertThat(problem.path("detail").asText()).contains("X-Thing");
    assertThat(problem.path("instance").asText()).isEqualTo("/needs-header");
    assertThat(problem.path("status").asInt()).isEqualTo(400);
  }

  @Test
  void answersOfTheRoutesThemselvesAreLeftAsTheyAre() throws Exception {
    HttpResponse<String> response = send("/plain");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("plain text");
  }

  @Test
  void anUnknownPathIsAProblemNamingIt() throws Exception {
    HttpResponse<String> response = send("/nowhere");

    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(Json.mapper().readTree(response.body()).path("instance").asText())
        .isEqualTo("/nowhere");
  }

  private static HttpResponse<String> send(String path) throws Exception {
    return client.send(
        HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + binding.localAddress().getPort() + path))
            .timeout(Duration.ofSeconds(30))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
