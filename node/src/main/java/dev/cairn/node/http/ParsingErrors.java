package dev.cairn.node.http;

import dev.cairn.protocol.Problem;
import java.util.List;
import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.http.ParsingErrorHandler;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.scaladsl.model.ErrorInfo;
import org.apache.pekko.http.scaladsl.settings.ServerSettings;

/**
 * The answer to a request Pekko HTTP cannot parse (a malformed request line or header, a URI or
 * header over its limits, an unsupported HTTP version or transfer encoding): no route runs for
 * those, so without this they leave as {@code text/plain}. Configured as {@code
 * pekko.http.server.parsing.error-handler}; Pekko closes the connection after the answer.
 */
public final class ParsingErrors extends ParsingErrorHandler {

  @Override
  public HttpResponse handle(
      org.apache.pekko.http.scaladsl.model.StatusCode status,
      ErrorInfo error,
      LoggingAdapter log,
      ServerSettings settings) {
    String detail = error.summary().isBlank() ? status.reason() : error.summary();
    return ProblemResponses.of(status, problem(status.intValue()), detail, null, null, List.of());
  }

  private static Problem problem(int status) {
    return switch (status) {
      case 408 -> Problem.REQUEST_TIMEOUT;
      case 413 -> Problem.BODY_TOO_LARGE;
      case 414 -> Problem.URI_TOO_LONG;
      case 431 -> Problem.HEADERS_TOO_LARGE;
      case 501 -> Problem.NOT_IMPLEMENTED;
      case 505 -> Problem.HTTP_VERSION_NOT_SUPPORTED;
      default -> Problem.MALFORMED_REQUEST;
    };
  }
}
