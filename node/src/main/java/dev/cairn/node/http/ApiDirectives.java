package dev.cairn.node.http;

import dev.cairn.protocol.DocumentKey;
import dev.cairn.protocol.Problem;
import dev.cairn.protocol.access.Principal;
import dev.cairn.protocol.command.Preconditions;
import dev.cairn.protocol.command.WriteContext;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.apache.pekko.http.javadsl.model.AttributeKey;
import org.apache.pekko.http.javadsl.model.AttributeKeys;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.RemoteAddress;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;

/**
 * The directives every resource of the API shares: names from the path, preconditions, the
 * idempotency key, paging, the request's write context, JSON bodies, and answering with a response
 * that completes later. A resource's routes are a thin translation of HTTP to a facade call and
 * back, built from these; whatever a directive refuses leaves as an {@link ApiException} (or a
 * rejection) and is rendered once, by {@link ApiRoutes}.
 */
abstract class ApiDirectives extends AllDirectives {

  static final String JSON = "application/json";

  /** Who the request comes from, set by {@link ApiRoutes} on every request. */
  static final AttributeKey<Principal> PRINCIPAL =
      AttributeKey.create("cairn-principal", Principal.class);

  /** The request's W3C trace context, set by {@link ApiRoutes} when it came with one. */
  static final AttributeKey<TraceContext> TRACE =
      AttributeKey.create("cairn-trace", TraceContext.class);

  static final String REQUEST_ID = "X-Request-Id";
  static final int DEFAULT_PAGE_SIZE = 100;

  private static final Pattern IDEMPOTENCY_KEY = Pattern.compile("[\\x21-\\x7e]{1,255}");

  /** Query values as the API takes them; a value that does not parse is 400 invalid-parameter. */
  static final Unmarshaller<String, Long> WHOLE_NUMBER =
      Unmarshaller.sync(value -> wholeNumber(value, 0));

  static final Unmarshaller<String, Long> POSITIVE_NUMBER =
      Unmarshaller.sync(value -> wholeNumber(value, 1));

  static final Unmarshaller<String, Instant> INSTANT = Unmarshaller.sync(ApiDirectives::instant);

  /**
   * The client's address: set by {@link ApiRoutes} from the TCP connection, or from the {@code
   * X-Forwarded-For} of a trusted proxy ({@link ClientAddresses}).
   */
  static final AttributeKey<InetAddress> CLIENT =
      AttributeKey.create("cairn-client", InetAddress.class);

  /** The client's address ({@link #CLIENT}, or the TCP peer's before it is set). */
  static InetAddress clientAddress(HttpRequest request) {
    return request.getAttribute(CLIENT).orElseGet(() -> peerAddress(request));
  }

  /** The address of the TCP connection's other end. */
  static InetAddress peerAddress(HttpRequest request) {
    return request
        .getAttribute(AttributeKeys.remoteAddress)
        .flatMap(RemoteAddress::getAddress)
        .orElse(InetAddress.getLoopbackAddress());
  }

  /** The request's caller. */
  protected Route principal(Function<Principal, Route> inner) {
    return extractRequest(
        request -> inner.apply(request.getAttribute(PRINCIPAL).orElse(Principal.ANONYMOUS)));
  }

  /** Only for a caller with a valid token: 401 otherwise. */
  protected Route authenticated(Supplier<Route> inner) {
    return principal(
        caller -> {
          if (!caller.authenticated()) {
            throw unauthenticated();
          }
          return inner.get();
        });
  }

  /** Only for the role {@code admin}: 401 without a token, 403 with another. */
  protected Route admin(Supplier<Route> inner) {
    return role(Principal.ADMIN, inner);
  }

  /** Only for {@code role} (which an administrator also holds): 401 without a token, 403 else. */
  protected Route role(String role, Supplier<Route> inner) {
    return principal(
        caller -> {
          if (!caller.authenticated()) {
            throw unauthenticated();
          }
          if (!caller.hasRole(role)) {
            throw new ApiException(
                Problem.FORBIDDEN, "this needs the role " + role + " in the token");
          }
          return inner.get();
        });
  }

  static ApiException unauthenticated() {
    return new ApiException(
        Problem.UNAUTHORIZED,
        "this needs a bearer token: Authorization: Bearer <JWT> (bin/cairn token prints one for"
            + " a node that signs its own)");
  }

  /** A collection name from the path; 400 invalid-name otherwise. */
  protected Route collectionName(String name, Function<String, Route> inner) {
    if (!DocumentKey.isCollectionName(name)) {
      throw new ApiException(
          Problem.INVALID_NAME,
          "'"
              + name
              + "' is not a collection name: use 1 to 64 letters, digits, '_' or '-', starting"
              + " with a letter or digit (names starting with '_' are reserved)");
    }
    return inner.apply(name);
  }

  /** A document's key from the path's two segments; 400 invalid-name otherwise. */
  protected Route documentKey(String collection, String id, Function<DocumentKey, Route> inner) {
    return collectionName(
        collection,
        name -> {
          if (!DocumentKey.isId(id)) {
            throw new ApiException(
                Problem.INVALID_NAME,
                "'"
                    + id
                    + "' is not a document id: use 1 to 128 letters, digits, '.', '_', '~' or"
                    + " '-', starting with a letter or digit (ids starting with '_' are reserved)");
          }
          return inner.apply(new DocumentKey(name, id));
        });
  }

  /** A write's preconditions, from {@code If-Match} and {@code If-None-Match}. */
  protected Route preconditions(Function<Preconditions, Route> inner) {
    return optionalHeaderValueByName(
        "If-Match",
        ifMatch ->
            optionalHeaderValueByName(
                "If-None-Match",
                ifNoneMatch -> inner.apply(ConditionalHeaders.forWrite(ifMatch, ifNoneMatch))));
  }

  /** The request's {@code Idempotency-Key}, checked; empty when it has none. */
  protected Route idempotencyKey(Function<Optional<String>, Route> inner) {
    return optionalHeaderValueByName(
        "Idempotency-Key",
        key -> {
          if (key.isPresent() && !IDEMPOTENCY_KEY.matcher(key.get()).matches()) {
            throw new ApiException(
                Problem.INVALID_PARAMETER,
                "Idempotency-Key must be 1 to 255 visible ASCII characters, such as a UUID");
          }
          return inner.apply(key);
        });
  }

  /**
   * Who asks for a write and how to recognise its retry: the request id and trace (set by {@link
   * ApiRoutes}), and the Idempotency-Key with a digest of what {@code operation} and {@code body}
   * ask for.
   */
  protected Route writeContext(
      String operation, RequestBodies.Body body, Function<WriteContext, Route> inner) {
    return extractRequest(
        request ->
            writeContext(
                operation,
                body,
                request.getAttribute(TRACE).map(TraceContext::traceId).orElse(null),
                inner));
  }

  private Route writeContext(
      String operation,
      RequestBodies.Body body,
      String traceId,
      Function<WriteContext, Route> inner) {
    return headerValueByName(
        REQUEST_ID,
        requestId ->
            principal(
                caller ->
                    idempotencyKey(
                        key -> {
                          WriteContext context =
                              WriteContext.by(requestId, caller).withTraceId(traceId);
                          return inner.apply(
                              key.map(
                                      k ->
                                          context.withIdempotencyKey(
                                              k, requestHash(operation, body)))
                                  .orElse(context));
                        })));
  }

  /** The body, read whole and of one of {@code mediaTypes}. */
  protected Route body(
      RequestBodies bodies, Function<RequestBodies.Body, Route> inner, String... mediaTypes) {
    return entity(bodies.accepting(mediaTypes), inner);
  }

  /** A history page's start and size: {@code after} (0 when absent) and {@code limit}. */
  protected Route page(int max, BiFunction<Long, Integer, Route> inner) {
    return parameterOptional(
        WHOLE_NUMBER,
        "after",
        after ->
            parameterOptional(
                POSITIVE_NUMBER,
                "limit",
                limit ->
                    inner.apply(
                        after.orElse(0L),
                        (int) Math.min(limit.orElse((long) DEFAULT_PAGE_SIZE), max))));
  }

  /**
   * Completes with the response {@code answer} produces, once it has; its failures are problems.
   */
  protected Route answer(Supplier<CompletionStage<HttpResponse>> answer) {
    return onSuccess(answer, this::complete);
  }

  /** A digest of what a write asks for, to tell a retry from a different request. */
  private static String requestHash(String operation, RequestBodies.Body body) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(operation.getBytes(StandardCharsets.UTF_8));
      if (body != null) {
        sha.update((byte) '\n');
        sha.update(body.mediaType().getBytes(StandardCharsets.UTF_8));
        sha.update((byte) '\n');
        sha.update(body.bytes().toArray());
      }
      return HexFormat.of().formatHex(sha.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  private static long wholeNumber(String value, long least) {
    try {
      long parsed = Long.parseLong(value);
      if (parsed >= least) {
        return parsed;
      }
    } catch (NumberFormatException e) {
      // refused below
    }
    throw new IllegalArgumentException(
        "must be a whole number from " + least + " to " + Long.MAX_VALUE + ", not '" + value + "'");
  }

  private static Instant instant(String value) {
    try {
      return OffsetDateTime.parse(value).toInstant();
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          "must be an ISO-8601 instant such as 2026-11-24T10:15:30Z, not '" + value + "'");
    }
  }
}
