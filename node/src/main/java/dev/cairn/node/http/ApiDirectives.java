package dev.cairn.node.http;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/** Directives every resource of the API shares. */
abstract class ApiDirectives extends AllDirectives {

  /**
   * Runs a handler for each request, turning anything it throws or fails with into a problem
   * response: handlers validate by throwing {@link ApiException}.
   */
  protected Route respond(Function<HttpRequest, CompletionStage<HttpResponse>> handler) {
    return extractRequest(
        request -> {
          String path = request.getUri().path();
          CompletionStage<HttpResponse> response;
          try {
            response = handler.apply(request);
          } catch (RuntimeException e) {
            response = CompletableFuture.completedFuture(ProblemResponses.of(e, path));
          }
          return completeWithFuture(
              response.exceptionally(failure -> ProblemResponses.of(failure, path)));
        });
  }
}
