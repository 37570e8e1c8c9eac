package dev.cairn.node.http;

import dev.cairn.protocol.Problem;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.function.BooleanSupplier;
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

  private final BooleanSupplier ready;
  private final byte[] openApi;

  public OperationsRoutes(BooleanSupplier ready) {
    this.ready = ready;
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
                    path(
                        "ready",
                        () ->
                            get(
                                () ->
                                    ready.getAsBoolean()
                                        ? complete(status("ready"))
                                        : complete(
                                            ProblemResponses.of(
                                                Problem.UNAVAILABLE,
                                                "the node is not an Up member of its cluster yet",
                                                "/health/ready")))))));
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
