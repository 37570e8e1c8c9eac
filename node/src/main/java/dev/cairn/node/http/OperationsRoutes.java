package dev.cairn.node.http;

import dev.cairn.protocol.Problem;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Health and self-description: {@code /health/alive}, {@code /health/ready} and {@code
 * /openapi.json}.
 */
public final class OperationsRoutes extends AllDirectives {

  private final Supplier<CompletionStage<Optional<String>>> notReadyBecause;
  private final byte[] openApi;

  /**
   * @param notReadyBecause completes with why the node cannot serve yet, or empty when it can
   */
  public OperationsRoutes(Supplier<CompletionStage<Optional<String>>> notReadyBecause) {
    this.notReadyBecause = notReadyBecause;
    this.openApi = resource("openapi.json");
  }

  public Route route() {
    return concat(
        path(
            "openapi.json",
            () ->
                get(
                    () ->
                        complete(
                            HttpResponse.create()
                                .withEntity(ContentTypes.APPLICATION_JSON, openApi)))),
        pathPrefix(
            "health",
            () ->
                concat(
                    path("alive", () -> get(() -> complete(status("alive")))),
                    path("ready", () -> get(() -> extractRequest(request -> ready()))))));
  }

  private Route ready() {
    return completeWithFuture(
        notReadyBecause
            .get()
            .thenApply(
                reason ->
                    reason
                        .map(why -> ProblemResponses.of(Problem.UNAVAILABLE, why, "/health/ready"))
                        .orElseGet(() -> status("ready"))));
  }

  private static HttpResponse status(String status) {
    return DocumentRoutes.json(StatusCodes.OK, Map.of("status", status));
  }

  private static byte[] resource(String name) {
    try (InputStream in = OperationsRoutes.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException(name + " is missing from the node's resources");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
