package dev.cairn.node.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.cairn.persistence.AccessControl;
import dev.cairn.persistence.CollectionDefinitionReader;
import dev.cairn.persistence.readmodel.DocumentQuery;
import dev.cairn.protocol.Json;
import dev.cairn.protocol.Problem;
import dev.cairn.protocol.Violation;
import dev.cairn.protocol.api.ProblemBody;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.HttpCharsets;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.Connection;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.model.headers.RetryAfter;
import org.apache.pekko.http.scaladsl.model.EntityStreamException;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where a problem becomes an HTTP response: {@code application/problem+json} (RFC
 * 9457) with the problem's stable type, its status, and a detail a person can act on.
 */
final class ProblemResponses {

  static final ContentType PROBLEM_JSON =
      MediaTypes.applicationWithFixedCharset("problem+json", HttpCharsets.UTF_8).toContentType();

  private static final Logger log = LoggerFactory.getLogger(ProblemResponses.class);

  /** Refusals after which the rest of the connection's bytes are not read as requests. */
  private static final Set<Problem> CLOSES_CONNECTION =
      EnumSet.of(Problem.MALFORMED_REQUEST, Problem.REQUEST_TIMEOUT, Problem.HEADERS_TOO_LARGE);

  private ProblemResponses() {}

  static StatusCode status(Problem problem) {
    return switch (problem) {
      case MALFORMED_REQUEST, MALFORMED_JSON, INVALID_NAME, INVALID_PARAMETER, INVALID_QUERY ->
          StatusCodes.BAD_REQUEST;
      case REQUEST_TIMEOUT -> StatusCodes.REQUEST_TIMEOUT;
      case URI_TOO_LONG -> StatusCodes.URI_TOO_LONG;
      case HEADERS_TOO_LARGE -> StatusCodes.REQUEST_HEADER_FIELDS_TOO_LARGE;
      case TOO_MANY_REQUESTS -> StatusCodes.TOO_MANY_REQUESTS;
      case NOT_IMPLEMENTED -> StatusCodes.NOT_IMPLEMENTED;
      case HTTP_VERSION_NOT_SUPPORTED -> StatusCodes.HTTPVERSION_NOT_SUPPORTED;
      case NOT_FOUND,
              DELETED,
              VERSION_NOT_FOUND,
              NO_SUCH_ROUTE,
              MEMBER_NOT_FOUND,
              UNDEFINED_COLLECTION ->
          StatusCodes.NOT_FOUND;
      case UNAUTHORIZED, INVALID_TOKEN -> StatusCodes.UNAUTHORIZED;
      case FORBIDDEN -> StatusCodes.FORBIDDEN;
      case METHOD_NOT_ALLOWED -> StatusCodes.METHOD_NOT_ALLOWED;
      case ALREADY_EXISTS, VERSION_MISMATCH -> StatusCodes.PRECONDITION_FAILED;
      case BODY_TOO_LARGE -> StatusCodes.PAYLOAD_TOO_LARGE;
      case UNSUPPORTED_MEDIA_TYPE -> StatusCodes.UNSUPPORTED_MEDIA_TYPE;
      case NOT_AN_OBJECT,
              INVALID_PATCH,
              NOT_REVERTIBLE,
              IDEMPOTENCY_KEY_REUSED,
              SCHEMA_VIOLATION,
              INVALID_DEFINITION,
              LIMIT_EXCEEDED ->
          StatusCodes.UNPROCESSABLE_ENTITY;
      case STILL_FAILING, OPERATION_RUNNING -> StatusCodes.CONFLICT;
      case UNAVAILABLE -> StatusCodes.SERVICE_UNAVAILABLE;
      case INTERNAL -> StatusCodes.INTERNAL_SERVER_ERROR;
    };
  }

  static HttpResponse of(Problem problem, String detail, String path) {
    return of(problem, detail, path, null);
  }

  static HttpResponse of(Problem problem, String detail, String path, Long currentVersion) {
    return of(problem, detail, path, currentVersion, List.of());
  }

  static HttpResponse of(
      Problem problem,
      String detail,
      String path,
      Long currentVersion,
      List<Violation> violations) {
    return of(status(problem), problem, detail, path, currentVersion, violations);
  }

  /**
   * A problem with a status of its own: for the errors Pekko HTTP finds before any route runs,
   * whose status it has chosen.
   */
  static HttpResponse of(
      StatusCode status,
      Problem problem,
      String detail,
      String path,
      Long currentVersion,
      List<Violation> violations) {
    ProblemBody body =
        new ProblemBody(
            problem.type(),
            problem.title(),
            status.intValue(),
            detail,
            path,
            currentVersion == null || currentVersion == 0 ? null : currentVersion,
            violations.isEmpty() ? null : violations);
    List<HttpHeader> headers = new ArrayList<>();
    if (problem == Problem.UNAVAILABLE) {
      headers.add(RetryAfter.create(1L));
    } else if (problem == Problem.TOO_MANY_REQUESTS) {
      headers.add(RetryAfter.create(5L));
    } else if (problem == Problem.UNAUTHORIZED) {
      headers.add(RawHeader.create("WWW-Authenticate", "Bearer realm=\"cairn\""));
    } else if (problem == Problem.INVALID_TOKEN) {
      // RFC 6750, section 3: which check failed stays with the server.
      headers.add(
          RawHeader.create("WWW-Authenticate", "Bearer realm=\"cairn\", error=\"invalid_token\""));
    }
    if (currentVersion != null && currentVersion > 0) {
      headers.add(RawHeader.create("ETag", ConditionalHeaders.etag(currentVersion)));
    }
    if (CLOSES_CONNECTION.contains(problem)) {
      // What is left of the request on the connection cannot be trusted to be framed the way
      // the client meant: answer and close, so nothing after it is read as another request.
      headers.add(Connection.create("close"));
    }
    return HttpResponse.create()
        .withStatus(status)
        .withHeaders(headers)
        .withEntity(PROBLEM_JSON, render(body));
  }

  /** Any failure while handling a request; never lets client input become a bare 500. */
  static HttpResponse of(Throwable failure, String path) {
    Throwable cause = unwrap(failure);
    if (cause instanceof ApiException api) {
      return of(api.problem(), api.getMessage(), path, api.currentVersion(), api.violations());
    }
    if (cause instanceof AccessControl.Refused refused) {
      return of(refused.problem(), refused.getMessage(), path);
    }
    if (cause instanceof DocumentQuery.Invalid invalid) {
      return of(Problem.INVALID_QUERY, invalid.getMessage(), path);
    }
    if (cause instanceof CollectionDefinitionReader.Invalid invalid) {
      return of(Problem.INVALID_DEFINITION, invalid.getMessage(), path, null, invalid.violations());
    }
    if (cause instanceof EntityStreamSizeException tooLarge) {
      return of(
          Problem.BODY_TOO_LARGE,
          "the body is larger than the limit of " + tooLarge.limit() + " bytes",
          path);
    }
    if (cause instanceof EntityStreamException broken) {
      return of(Problem.MALFORMED_JSON, "the body could not be read: " + broken.getMessage(), path);
    }
    if (cause instanceof TimeoutException) {
      return of(
          Problem.UNAVAILABLE,
          "the document did not answer in time; retry after the Retry-After delay",
          path);
    }
    log.error("request to {} failed", path, cause);
    return of(Problem.INTERNAL, "the server failed to handle the request; it was logged", path);
  }

  private static Throwable unwrap(Throwable failure) {
    Throwable cause = failure;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }

  private static byte[] render(ProblemBody body) {
    try {
      return Json.mapper().writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      // A detail that quotes client input with half a surrogate pair cannot be encoded as UTF-8.
      return render(
          new ProblemBody(
              body.type(),
              body.title(),
              body.status(),
              body.title(),
              null,
              body.currentVersion(),
              null));
    }
  }
}
