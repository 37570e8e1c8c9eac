package dev.cairn.node.http;

import dev.cairn.node.security.Authenticator;
import dev.cairn.protocol.Problem;
import dev.cairn.protocol.access.Principal;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.pekko.http.cors.javadsl.CorsDirectives;
import org.apache.pekko.http.cors.javadsl.CorsRejection;
import org.apache.pekko.http.cors.javadsl.settings.CorsSettings;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.model.headers.RetryAfter;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.MalformedQueryParamRejection;
import org.apache.pekko.http.javadsl.server.MalformedRequestContentRejection;
import org.apache.pekko.http.javadsl.server.MethodRejection;
import org.apache.pekko.http.javadsl.server.Rejection;
import org.apache.pekko.http.javadsl.server.RejectionHandler;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The whole HTTP front door: requests whose framing or path cannot be trusted are refused before
 * any route ({@link RequestGuard}), every request gets a request id (the client's {@code
 * X-Request-Id} if it sent a sane one) and keeps a well-formed W3C {@code traceparent}, every
 * answer is timed and logged ({@link RequestTelemetry}), and every rejection, exception and timeout
 * leaves as {@code application/problem+json}. (Requests Pekko HTTP cannot even parse get theirs
 * from {@link ParsingErrors}.)
 */
public final class ApiRoutes extends AllDirectives {

  private static final Pattern CLIENT_REQUEST_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

  /** Paths a rate limit never counts: probes must see the node as it is, not as it throttles. */
  private static final java.util.Set<String> UNLIMITED =
      java.util.Set.of("/health/alive", "/health/ready");

  /** The order of the methods a 405's Allow header names. */
  private static final List<String> ALLOW_ORDER =
      List.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");

  private static final RejectionHandler PEKKO_REJECTIONS = RejectionHandler.defaultHandler();

  private final Authenticator authenticator;
  private final Optional<CorsSettings> cors;
  private final RateLimits rateLimits;
  private final RequestTelemetry telemetry;
  private final ClientAddresses clients;

  /** Every resource's route, tried in the order given. */
  private final Route routes;

  /**
   * Built once and used as it is: a handler built, or mapped, inside the per-request route cost
   * every request its cases (about 5 %, then 3 %, of a write's allocations, by allocation
   * profiles).
   */
  private final RejectionHandler rejections = rejections();

  /**
   * @param cors the origins browser applications may call from, or empty for none: every answer,
   *     refusals included, then carries the Access-Control headers a browser needs to read it
   * @param metrics where each request's duration is recorded
   * @param trustedProxies the proxies whose {@code X-Forwarded-For} names the client
   */
  public ApiRoutes(
      Authenticator authenticator,
      Optional<CorsSettings> cors,
      RateLimits rateLimits,
      MeterRegistry metrics,
      List<String> trustedProxies,
      Route... routes) {
    this.authenticator = authenticator;
    this.cors = cors;
    this.rateLimits = rateLimits;
    this.telemetry = new RequestTelemetry(metrics, RouteTemplates.ofOpenApi());
    this.clients = ClientAddresses.trusting(trustedProxies);
    this.routes = Stream.of(routes).reduce(Route::orElse).orElseThrow();
  }

  public Route route() {
    return extractRequest(
        request -> {
          String requestId =
              request
                  .getHeader(ApiDirectives.REQUEST_ID)
                  .map(h -> h.value())
                  .filter(id -> CLIENT_REQUEST_ID.matcher(id).matches())
                  .orElseGet(() -> UUID.randomUUID().toString());
          Optional<TraceContext> trace = TraceContext.of(request);
          RequestTelemetry.Exchange exchange =
              telemetry.begin(request, requestId, trace.orElse(null));
          return mapResponse(
              exchange::answered,
              () -> withCors(() -> guarded(request, requestId, trace, exchange)));
        });
  }

  private Route withCors(Supplier<Route> inner) {
    if (cors.isEmpty()) {
      return inner.get();
    }
    return handleRejections(
        RejectionHandler.newBuilder()
            .handle(
                CorsRejection.class,
                rejected ->
                    extractUri(
                        uri ->
                            complete(
                                ProblemResponses.of(
                                    Problem.FORBIDDEN,
                                    "this server does not take cross-origin requests from this"
                                        + " origin, method or header (CAIRN_CORS_ORIGINS names the"
                                        + " origins it does)",
                                    uri.path()))))
            .build(),
        () -> CorsDirectives.cors(cors.get(), inner));
  }

  /** The request refused if it cannot be trusted, or identified and routed. */
  private Route guarded(
      HttpRequest request,
      String requestId,
      Optional<TraceContext> trace,
      RequestTelemetry.Exchange exchange) {
    String path = request.getUri().path();
    Optional<String> refused = RequestGuard.refusal(request);
    if (refused.isPresent()) {
      return complete(ProblemResponses.of(Problem.MALFORMED_REQUEST, refused.get(), path));
    }
    return withRequestTimeoutResponse(
        timedOut ->
            ProblemResponses.of(
                Problem.UNAVAILABLE,
                "the server did not answer within pekko.http.server.request-timeout;"
                    + " retry after the Retry-After delay",
                path),
        () -> identified(requestId, trace, path, request, exchange));
  }

  /**
   * The request with its id and its caller: whoever the {@code Authorization} header says, checked
   * here once for every route; a header that does not hold a valid token is 401 at once.
   */
  private Route identified(
      String requestId,
      Optional<TraceContext> trace,
      String path,
      HttpRequest request,
      RequestTelemetry.Exchange exchange) {
    Principal principal;
    Authenticator.Refused refused = null;
    try {
      principal = authenticator.principal(request.getHeader("Authorization").map(h -> h.value()));
    } catch (Authenticator.Refused e) {
      // Counted against the address, so guessing tokens costs a guesser its budget too.
      principal = Principal.ANONYMOUS;
      refused = e;
    }
    exchange.identified(principal);
    java.net.InetAddress client = clients.of(request);
    Optional<Duration> wait =
        UNLIMITED.contains(path) ? Optional.empty() : rateLimits.waitFor(principal, client);
    if (wait.isPresent()) {
      long seconds = Math.max(1, (wait.get().toMillis() + 999) / 1000);
      return respondWithHeader(
          RawHeader.create(ApiDirectives.REQUEST_ID, requestId),
          () ->
              complete(
                  ProblemResponses.of(
                          Problem.TOO_MANY_REQUESTS,
                          "this caller has made more requests than CAIRN_RATE_LIMIT allows; retry"
                              + " in "
                              + seconds
                              + " s",
                          path)
                      .removeHeader("Retry-After")
                      .addHeader(RetryAfter.create(seconds))));
    }
    if (refused != null) {
      Problem problem =
          switch (refused.reason()) {
            case NOT_A_BEARER_TOKEN -> Problem.UNAUTHORIZED;
            case INVALID_TOKEN -> Problem.INVALID_TOKEN;
            case KEYS_UNAVAILABLE -> Problem.UNAVAILABLE;
          };
      String detail = refused.getMessage();
      return respondWithHeader(
          RawHeader.create(ApiDirectives.REQUEST_ID, requestId),
          () -> complete(ProblemResponses.of(problem, detail, path)));
    }
    Principal caller = principal;
    return mapRequest(
        r -> {
          HttpRequest identified =
              r.removeHeader(ApiDirectives.REQUEST_ID)
                  .addHeader(RawHeader.create(ApiDirectives.REQUEST_ID, requestId))
                  .addAttribute(ApiDirectives.PRINCIPAL, caller)
                  .addAttribute(ApiDirectives.CLIENT, client);
          return trace.map(t -> identified.addAttribute(ApiDirectives.TRACE, t)).orElse(identified);
        },
        () ->
            respondWithHeader(
                RawHeader.create(ApiDirectives.REQUEST_ID, requestId),
                () ->
                    handleExceptions(
                        exceptions(path, exchange),
                        () -> handleRejections(rejections, () -> routes))));
  }

  /** A failure answered as a problem, logged (when it is the server's) with the request's MDC. */
  private ExceptionHandler exceptions(String path, RequestTelemetry.Exchange exchange) {
    return ExceptionHandler.newBuilder()
        .matchAny(
            failure -> {
              try (LogContext ignored = exchange.mdc()) {
                return complete(ProblemResponses.of(failure, path));
              }
            })
        .build();
  }

  /**
   * Every rejection as a problem. Those Cairn has no case for go to Pekko's own handler, whose
   * plain-text answer {@link #asProblem} gives the problem shape; any it does not know either (a
   * CORS refusal) pass on outwards.
   */
  private RejectionHandler rejections() {
    return RejectionHandler.newBuilder()
        .handle(
            MalformedQueryParamRejection.class,
            rejected ->
                problem(
                    Problem.INVALID_PARAMETER,
                    rejected.parameterName() + " " + rejected.errorMsg()))
        .handle(
            MalformedRequestContentRejection.class,
            rejected ->
                extractUri(uri -> complete(ProblemResponses.of(rejected.getCause(), uri.path()))))
        .handleAll(
            MethodRejection.class,
            rejected -> {
              String allowed =
                  rejected.stream()
                      .map(r -> r.supported().name())
                      .distinct()
                      .sorted(Comparator.comparingInt(ApiRoutes::methodRank))
                      .collect(Collectors.joining(", "));
              return extractUri(
                  uri ->
                      complete(
                          ProblemResponses.of(
                                  Problem.METHOD_NOT_ALLOWED,
                                  "this resource supports " + allowed,
                                  uri.path())
                              .addHeader(RawHeader.create("Allow", allowed))));
            })
        .handleNotFound(
            extractUri(
                uri ->
                    complete(
                        ProblemResponses.of(
                            Problem.NO_SUCH_ROUTE,
                            "there is no resource at "
                                + uri.path()
                                + "; see /openapi.json for the API",
                            uri.path()))))
        .handleAll(Rejection.class, this::asPekkoAnswers)
        .build();
  }

  /** The rejections answered by Pekko's own handler, its plain text given the problem shape. */
  private Route asPekkoAnswers(List<Rejection> rejected) {
    Rejection[] others = rejected.subList(1, rejected.size()).toArray(Rejection[]::new);
    return extractUri(
        uri ->
            mapResponse(
                response -> asProblem(response, uri.path()),
                () -> handleRejections(PEKKO_REJECTIONS, () -> reject(rejected.get(0), others))));
  }

  /** Methods in Allow in one order, whichever order the routes that reject them are tried in. */
  private static int methodRank(String method) {
    int rank = ALLOW_ORDER.indexOf(method);
    return rank < 0 ? ALLOW_ORDER.size() : rank;
  }

  private Route problem(Problem problem, String detail) {
    return extractUri(uri -> complete(ProblemResponses.of(problem, detail, uri.path())));
  }

  /** Pekko's own rejection responses are plain text; give them the problem shape. */
  private static HttpResponse asProblem(HttpResponse response, String path) {
    if (response.entity().getContentType().equals(ProblemResponses.PROBLEM_JSON)) {
      return response;
    }
    String detail =
        Optional.of(response.entity())
            .filter(HttpEntity::isStrict)
            .map(e -> ((HttpEntity.Strict) e).getData().decodeString(StandardCharsets.UTF_8))
            .orElse(response.status().reason());
    Problem problem =
        response.status().intValue() == 413
            ? Problem.BODY_TOO_LARGE
            : response.status().intValue() == 415
                ? Problem.UNSUPPORTED_MEDIA_TYPE
                : Problem.INVALID_PARAMETER;
    return ProblemResponses.of(problem, detail, path).withHeaders(response.getHeaders());
  }
}
