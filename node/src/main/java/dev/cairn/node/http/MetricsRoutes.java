package dev.cairn.node.http;

import dev.cairn.protocol.access.Principal;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /metrics}: the node's meters in Prometheus' text format, for a token with the role
 * {@code metrics} (or {@code admin}); Prometheus sends it as its scrape's bearer token.
 *
 * <pre>
 * curl -H "Authorization: Bearer $TOKEN" localhost:8080/metrics
 * </pre>
 */
public final class MetricsRoutes extends ApiDirectives {

  /** Prometheus' text exposition format, version 0.0.4. */
  static final ContentType TEXT_FORMAT =
      ContentTypes.parse("text/plain; version=0.0.4; charset=utf-8");

  private final Supplier<CompletionStage<String>> scrape;

  public MetricsRoutes(Supplier<CompletionStage<String>> scrape) {
    this.scrape = scrape;
  }

  public Route route() {
    return path(
        "metrics",
        () ->
            get(
                () ->
                    role(
                        Principal.METRICS,
                        () ->
                            answer(
                                () ->
                                    scrape
                                        .get()
                                        .thenApply(
                                            text ->
                                                HttpResponse.create()
                                                    .withEntity(
                                                        TEXT_FORMAT,
                                                        text.getBytes(
                                                            java.nio.charset.StandardCharsets
                                                                .UTF_8)))))));
  }
}
