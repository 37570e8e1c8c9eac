package dev.cairn.node.http;

import dev.cairn.persistence.readmodel.ReadModel;
import dev.cairn.persistence.readmodel.SliceStatus;
import dev.cairn.protocol.Problem;
import dev.cairn.protocol.api.ReadModelStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Health and self-description: {@code /health/alive}, {@code /health/ready}, {@code
 * /health/read-model} and {@code /openapi.json}.
 *
 * <p>A read model that is stuck does not make a node unready: every node would be taken out of
 * service for a fault in one slice of the read side, while documents still read and write. It is
 * reported by {@code /health/read-model} (503 naming the slice and why) and by the lag and stuck
 * headers of lists.
 */
public final class OperationsRoutes extends ApiDirectives {

  private final Supplier<CompletionStage<Optional<String>>> notReadyBecause;
  private final ReadModel readModel;
  private final byte[] openApi;

  /**
   * @param notReadyBecause completes with why the node cannot serve yet, or empty when it can
   */
  public OperationsRoutes(
      Supplier<CompletionStage<Optional<String>>> notReadyBecause, ReadModel readModel) {
    this.notReadyBecause = notReadyBecause;
    this.readModel = readModel;
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
                    path("ready", () -> get(this::ready)),
                    path("read-model", () -> get(this::readModelStatus)))));
  }

  private Route ready() {
    return answer(
        () ->
            notReadyBecause
                .get()
                .thenApply(
                    reason ->
                        reason
                            .map(
                                why ->
                                    ProblemResponses.of(Problem.UNAVAILABLE, why, "/health/ready"))
                            .orElseGet(() -> status("ready"))));
  }

  /** 200 with every slice's progress, or 503 naming each stuck slice and why. */
  private Route readModelStatus() {
    return admin(
        () ->
            answer(
                () ->
                    readModel
                        .slices()
                        .thenApply(
                            slices -> {
                              List<String> stuck =
                                  slices.stream()
                                      .filter(SliceStatus::stuck)
                                      .map(OperationsRoutes::why)
                                      .toList();
                              if (!stuck.isEmpty()) {
                                return ProblemResponses.of(
                                    Problem.UNAVAILABLE,
                                    "the read model is stuck: "
                                        + String.join("; ", stuck)
                                        + ". Lists and the change feed miss what came after; see"
                                        + " docs/read-side.md",
                                    "/health/read-model");
                              }
                              long lag =
                                  slices.stream().mapToLong(SliceStatus::lagMillis).max().orElse(0);
                              return Responses.json(
                                  StatusCodes.OK,
                                  new ReadModelStatus(
                                      "ok",
                                      lag,
                                      slices.stream().map(OperationsRoutes::view).toList()));
                            })));
  }

  private static ReadModelStatus.Slice view(SliceStatus slice) {
    SliceStatus.Failure f = slice.failure();
    return new ReadModelStatus.Slice(
        slice.slice(),
        slice.projectedOrdering(),
        slice.newestOrdering(),
        slice.lagMillis(),
        slice.stuck(),
        f == null
            ? null
            : new ReadModelStatus.Failure(
                f.eventOrdering(),
                f.persistenceId(),
                f.sequenceNr(),
                f.message(),
                Instant.ofEpochMilli(f.failedAt())));
  }

  private static String why(SliceStatus slice) {
    SliceStatus.Failure failure = slice.failure();
    return slice.slice()
        + (failure.persistenceId() == null
            ? " cannot read the journal after offset " + slice.projectedOrdering()
            : " fails on the event at journal offset "
                + failure.eventOrdering()
                + " ("
                + failure.persistenceId()
                + " version "
                + failure.sequenceNr()
                + ")")
        + " since "
        + Instant.ofEpochMilli(failure.failedAt())
        + ": "
        + failure.message();
  }

  private static HttpResponse status(String status) {
    return Responses.json(StatusCodes.OK, Map.of("status", status));
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
