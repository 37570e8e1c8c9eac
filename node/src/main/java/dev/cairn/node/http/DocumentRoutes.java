package dev.cairn.node.http;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.persistence.Collections;
import dev.cairn.persistence.DocumentHistory.VersionedEvent;
import dev.cairn.persistence.DocumentState;
import dev.cairn.persistence.Documents;
import dev.cairn.persistence.readmodel.DocumentQuery;
import dev.cairn.persistence.readmodel.ReadModel;
import dev.cairn.protocol.DocumentKey;
import dev.cairn.protocol.Json;
import dev.cairn.protocol.PatchFormat;
import dev.cairn.protocol.Problem;
import dev.cairn.protocol.api.HistoryPage;
import dev.cairn.protocol.command.DocumentCommand;
import dev.cairn.protocol.command.Preconditions;
import dev.cairn.protocol.command.WriteContext;
import dev.cairn.protocol.reply.DocumentReply;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.regex.Pattern;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The document API under {@code /v1}. Each handler validates everything the client controls before
 * any actor is touched, asks {@link Documents}, and maps the reply to a response.
 *
 * <pre>
 * curl -X PUT localhost:8080/v1/notes/n1 -H 'Content-Type: application/json' -d '{"title":"hi"}'
 * curl localhost:8080/v1/notes/n1
 * curl localhost:8080/v1/notes/n1/events
 * </pre>
 */
public final class DocumentRoutes extends ApiDirectives {

  static final String REQUEST_ID = "X-Request-Id";
  static final String READ_MODEL_LAG = "Cairn-Read-Model-Lag";
  static final String READ_MODEL_STUCK = "Cairn-Read-Model-Stuck";
  private static final String JSON = "application/json";
  private static final Pattern IDEMPOTENCY_KEY = Pattern.compile("[\\x21-\\x7e]{1,255}");
  private static final int DEFAULT_PAGE_SIZE = 100;

  /** Paths of other resources under /v1 that this one must leave to them. */
  private static final Set<String> SYSTEM_RESOURCES = Set.of("_collections", "_changes");

  private static final Set<String> LIST_PARAMETERS = Set.of("sort", "limit", "cursor", "deleted");

  private final Documents documents;
  private final Collections collections;
  private final ReadModel readModel;
  private final RequestBodies bodies;
  private final int maxPageSize;

  public DocumentRoutes(
      Documents documents,
      Collections collections,
      ReadModel readModel,
      RequestBodies bodies,
      int maxPageSize) {
    this.documents = documents;
    this.collections = collections;
    this.readModel = readModel;
    this.bodies = bodies;
    this.maxPageSize = maxPageSize;
  }

  public Route route() {
    return pathPrefix(
        "v1",
        () ->
            pathPrefix(
                segment(),
                collection ->
                    SYSTEM_RESOURCES.contains(collection)
                        ? reject()
                        : concat(
                            pathEnd(
                                () ->
                                    concat(
                                        get(() -> respond(request -> list(collection, request))),
                                        post(
                                            () ->
                                                respond(request -> create(collection, request))))),
                            pathPrefix(
                                segment(),
                                id ->
                                    SYSTEM_RESOURCES.contains(id)
                                        ? reject()
                                        : documentRoute(collection, id)))));
  }

  private Route documentRoute(String collection, String id) {
    return concat(
        pathEnd(
            () ->
                concat(
                    get(() -> respond(request -> read(key(collection, id), request))),
                    put(() -> respond(request -> put(key(collection, id), request))),
                    patch(() -> respond(request -> patch(key(collection, id), request))),
                    delete(() -> respond(request -> delete(key(collection, id), request))))),
        path("events", () -> get(() -> respond(request -> events(key(collection, id), request)))),
        path("revert", () -> post(() -> respond(request -> revert(key(collection, id), request)))));
  }

  // --- handlers -------------------------------------------------------------------------------

  private CompletionStage<HttpResponse> read(DocumentKey key, HttpRequest request) {
    Optional<String> version = request.getUri().query().get("version");
    Optional<String> at = request.getUri().query().get("at");
    if (version.isPresent() && at.isPresent()) {
      throw new ApiException(Problem.INVALID_PARAMETER, "give either ?version= or ?at=, not both");
    }
    if (version.isPresent()) {
      long v = positiveLong("version", version.get());
      return documents
          .stateAt(key, v)
          .thenApply(
              state -> past(state, key + " has no version " + v + "; see its /events", request));
    }
    if (at.isPresent()) {
      Instant instant = instant(at.get());
      return documents
          .stateAt(key, instant)
          .thenApply(state -> past(state, key + " did not exist at " + instant, request));
    }
    return documents.get(key).thenApply(reply -> current(reply, request));
  }

  /** A page of the collection from the read model, with how far the read model is behind. */
  private CompletionStage<HttpResponse> list(String collection, HttpRequest request) {
    checkCollection(collection);
    Map<String, List<String>> parameters = request.getUri().query().toMultiMap();
    List<DocumentQuery.Filter> filters = new ArrayList<>();
    for (Map.Entry<String, List<String>> parameter : parameters.entrySet()) {
      String name = parameter.getKey();
      if (parameter.getValue().size() > 1) {
        throw new DocumentQuery.Invalid("give " + name + " once");
      }
      if (name.startsWith("where.")) {
        String[] parts = name.substring("where.".length()).split("\\.", 2);
        filters.add(
            new DocumentQuery.Filter(
                parts[0], parts.length == 2 ? parts[1] : "eq", parameter.getValue().get(0)));
      } else if (!LIST_PARAMETERS.contains(name)) {
        throw new DocumentQuery.Invalid(
            "unknown parameter "
                + name
                + "; a list takes where.<field>[.<op>], sort, limit, cursor and deleted");
      }
    }
    List<DocumentQuery.Sort> sort = new ArrayList<>();
    for (String key :
        request.getUri().query().get("sort").map(v -> v.split(",")).orElse(new String[0])) {
      boolean descending = key.startsWith("-");
      sort.add(new DocumentQuery.Sort(descending ? key.substring(1) : key, descending));
    }
    int limit =
        request
            .getUri()
            .query()
            .get("limit")
            .map(l -> (int) Math.min(positiveLong("limit", l), Integer.MAX_VALUE))
            .orElse(DocumentQuery.DEFAULT_LIMIT);
    boolean deleted = request.getUri().query().get("deleted").map("true"::equals).orElse(false);
    String cursor = request.getUri().query().get("cursor").orElse(null);
    return collections
        .definition(collection)
        .thenCompose(
            definition -> {
              DocumentQuery query =
                  new DocumentQuery(
                      collection,
                      definition.map(d -> d.indexes()).orElse(Map.of()),
                      filters,
                      sort,
                      limit,
                      cursor,
                      deleted);
              return readModel
                  .freshness()
                  .thenCombine(
                      readModel.list(query),
                      (freshness, page) ->
                          withFreshness(
                              json(StatusCodes.OK, new ListPage(page.items(), page.next())),
                              freshness));
            });
  }

  /**
   * A list answered from the read model says how current it is: {@code Cairn-Read-Model-Lag}, and
   * {@code Cairn-Read-Model-Stuck} naming the slices that cannot move on (their documents' later
   * changes are missing until they do; {@code /health/read-model} says why).
   */
  static HttpResponse withFreshness(HttpResponse response, ReadModel.Freshness freshness) {
    HttpResponse withLag =
        response.addHeader(RawHeader.create(READ_MODEL_LAG, Long.toString(freshness.lagMillis())));
    return freshness.stuckSlices().isEmpty()
        ? withLag
        : withLag.addHeader(
            RawHeader.create(READ_MODEL_STUCK, String.join(", ", freshness.stuckSlices())));
  }

  /** The body of a list response. */
  record ListPage(List<JsonNode> items, String next) {}

  private CompletionStage<HttpResponse> create(String collection, HttpRequest request) {
    // With an Idempotency-Key the generated id follows from the key, so a retry reaches the same
    // document, which remembers the key and answers with the first result.
    String id =
        idempotencyKey(request)
            .map(key -> generatedId(collection, WriteContext.ANONYMOUS, key))
            .orElseGet(() -> UUID.randomUUID().toString());
    DocumentKey key = key(collection, id);
    return bodies
        .read(request, JSON)
        .thenCompose(
            body ->
                documents.write(
                    key,
                    new DocumentCommand.Put(
                        bodies.object(body),
                        Preconditions.createOnly(),
                        context(request, "POST", body))))
        .thenApply(reply -> written(reply, request));
  }

  private CompletionStage<HttpResponse> put(DocumentKey key, HttpRequest request) {
    Preconditions preconditions = ConditionalHeaders.forWrite(request);
    return bodies
        .read(request, JSON)
        .thenCompose(
            body ->
                documents.write(
                    key,
                    new DocumentCommand.Put(
                        bodies.object(body), preconditions, context(request, "PUT", body))))
        .thenApply(reply -> written(reply, request));
  }

  private CompletionStage<HttpResponse> patch(DocumentKey key, HttpRequest request) {
    Preconditions preconditions = ConditionalHeaders.forWrite(request);
    return bodies
        .read(request, PatchFormat.MERGE_PATCH.mediaType(), PatchFormat.JSON_PATCH.mediaType())
        .thenCompose(
            body -> {
              PatchFormat format =
                  body.mediaType().equals(PatchFormat.JSON_PATCH.mediaType())
                      ? PatchFormat.JSON_PATCH
                      : PatchFormat.MERGE_PATCH;
              return documents.write(
                  key,
                  new DocumentCommand.Patch(
                      format,
                      bodies.patch(body, format),
                      preconditions,
                      context(request, "PATCH", body)));
            })
        .thenApply(reply -> written(reply, request));
  }

  private CompletionStage<HttpResponse> delete(DocumentKey key, HttpRequest request) {
    return documents
        .write(
            key,
            new DocumentCommand.Delete(
                ConditionalHeaders.forWrite(request), context(request, "DELETE", null)))
        .thenApply(reply -> written(reply, request));
  }

  private CompletionStage<HttpResponse> revert(DocumentKey key, HttpRequest request) {
    Preconditions preconditions = ConditionalHeaders.forWrite(request);
    return bodies
        .read(request, JSON)
        .thenCompose(
            body -> {
              JsonNode version = bodies.object(body).get("version");
              if (version == null
                  || !version.canConvertToExactIntegral()
                  || !version.canConvertToLong()
                  || version.asLong() < 1) {
                throw new ApiException(
                    Problem.INVALID_PARAMETER,
                    "the body must be {\"version\": N} with N a version of the document (a whole"
                        + " number from 1 to "
                        + Long.MAX_VALUE
                        + ")");
              }
              return documents.revert(
                  key, version.asLong(), preconditions, context(request, "REVERT", body));
            })
        .thenApply(reply -> written(reply, request));
  }

  private CompletionStage<HttpResponse> events(DocumentKey key, HttpRequest request) {
    long after = pageAfter(request);
    int limit = pageLimit(request, maxPageSize);
    return documents
        .events(key, after, limit + 1)
        .thenApply(
            events -> {
              if (events.isEmpty() && after == 0) {
                throw new ApiException(Problem.NOT_FOUND, "there is no document " + key);
              }
              List<VersionedEvent> page = events.subList(0, Math.min(limit, events.size()));
              Long next = events.size() > limit ? page.get(page.size() - 1).version() : null;
              return json(
                  StatusCodes.OK,
                  new HistoryPage(page.stream().map(HistoryEntries::of).toList(), next));
            });
  }

  // --- replies to responses -------------------------------------------------------------------

  private static HttpResponse current(DocumentReply reply, HttpRequest request) {
    if (reply instanceof DocumentReply.Found found) {
      long version = found.document().version();
      if (ConditionalHeaders.notModified(request, version)) {
        return HttpResponse.create()
            .withStatus(StatusCodes.NOT_MODIFIED)
            .addHeader(RawHeader.create("ETag", ConditionalHeaders.etag(version)));
      }
      return json(StatusCodes.OK, found.document())
          .addHeader(RawHeader.create("ETag", ConditionalHeaders.etag(version)));
    }
    return rejected(reply);
  }

  private static HttpResponse past(
      Optional<DocumentState> state, String missing, HttpRequest request) {
    if (state.isEmpty()) {
      throw new ApiException(Problem.VERSION_NOT_FOUND, missing);
    }
    DocumentState past = state.get();
    if (past.deleted()) {
      throw new ApiException(
          Problem.DELETED,
          past.collection()
              + "/"
              + past.id()
              + " was deleted at that point (version "
              + past.version()
              + ")");
    }
    return json(StatusCodes.OK, past.toDocument())
        .addHeader(RawHeader.create("ETag", ConditionalHeaders.etag(past.version())));
  }

  private static HttpResponse written(DocumentReply reply, HttpRequest request) {
    if (reply instanceof DocumentReply.Written written) {
      var document = written.document();
      HttpResponse response =
          json(written.created() ? StatusCodes.CREATED : StatusCodes.OK, document)
              .addHeader(RawHeader.create("ETag", ConditionalHeaders.etag(document.version())));
      return written.created()
          ? response.addHeader(
              RawHeader.create("Location", "/v1/" + document.collection() + "/" + document.id()))
          : response;
    }
    return rejected(reply);
  }

  private static HttpResponse rejected(DocumentReply reply) {
    if (reply instanceof DocumentReply.Rejected rejected) {
      throw new ApiException(
          rejected.problem(), rejected.detail(), rejected.currentVersion(), rejected.violations());
    }
    throw new IllegalStateException("unexpected reply " + reply);
  }

  static HttpResponse json(StatusCode status, Object body) {
    try {
      return HttpResponse.create()
          .withStatus(status)
          .withEntity(ContentTypes.APPLICATION_JSON, Json.mapper().writeValueAsBytes(body));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("response bodies always render", e);
    }
  }

  // --- request parts --------------------------------------------------------------------------

  /** A history page's start: the {@code after} parameter, 0 when absent. */
  static long pageAfter(HttpRequest request) {
    return request.getUri().query().get("after").map(a -> nonNegativeLong("after", a)).orElse(0L);
  }

  /** A history page's size: the {@code limit} parameter, capped at {@code max}. */
  static int pageLimit(HttpRequest request, int max) {
    return request
        .getUri()
        .query()
        .get("limit")
        .map(l -> (int) Math.min(positiveLong("limit", l), max))
        .orElse(Math.min(DEFAULT_PAGE_SIZE, max));
  }

  static void checkCollection(String collection) {
    if (!DocumentKey.isCollectionName(collection)) {
      throw new ApiException(
          Problem.INVALID_NAME,
          "'"
              + collection
              + "' is not a collection name: use 1 to 64 letters, digits, '_' or '-', starting"
              + " with a letter or digit (names starting with '_' are reserved)");
    }
  }

  private static DocumentKey key(String collection, String id) {
    checkCollection(collection);
    if (!DocumentKey.isId(id)) {
      throw new ApiException(
          Problem.INVALID_NAME,
          "'"
              + id
              + "' is not a document id: use 1 to 128 letters, digits, '.', '_', '~' or '-',"
              + " starting with a letter or digit (ids starting with '_' are reserved)");
    }
    return new DocumentKey(collection, id);
  }

  static WriteContext context(HttpRequest request, String operation, RequestBodies.Body body) {
    String requestId = request.getHeader(REQUEST_ID).map(h -> h.value()).orElse(null);
    WriteContext context = WriteContext.of(requestId);
    return idempotencyKey(request)
        .map(key -> context.withIdempotencyKey(key, requestHash(operation, body)))
        .orElse(context);
  }

  /**
   * The id a POST with an Idempotency-Key creates. It is scoped by the principal, so a client who
   * learns another's key cannot take the id first and block that client's write; keys of anonymous
   * requests keep the form they had before principals existed, so retries across an upgrade still
   * reach the same document.
   */
  static String generatedId(String collection, String principal, String key) {
    String scope =
        WriteContext.ANONYMOUS.equals(principal)
            ? collection + "\n" + key
            : principal + "\n" + collection + "\n" + key;
    return UUID.nameUUIDFromBytes(scope.getBytes(StandardCharsets.UTF_8)).toString();
  }

  /** The request's {@code Idempotency-Key}, checked; empty when it has none. */
  private static Optional<String> idempotencyKey(HttpRequest request) {
    Optional<String> key = request.getHeader("Idempotency-Key").map(h -> h.value());
    if (key.isPresent() && !IDEMPOTENCY_KEY.matcher(key.get()).matches()) {
      throw new ApiException(
          Problem.INVALID_PARAMETER,
          "Idempotency-Key must be 1 to 255 visible ASCII characters, such as a UUID");
    }
    return key;
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

  private static long positiveLong(String name, String value) {
    long parsed = nonNegativeLong(name, value);
    if (parsed < 1) {
      throw new ApiException(Problem.INVALID_PARAMETER, name + " must be 1 or more, not 0");
    }
    return parsed;
  }

  private static long nonNegativeLong(String name, String value) {
    try {
      long parsed = Long.parseLong(value);
      if (parsed >= 0) {
        return parsed;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new ApiException(
        Problem.INVALID_PARAMETER, name + " must be a whole number, not '" + value + "'");
  }

  private static Instant instant(String value) {
    try {
      return OffsetDateTime.parse(value).toInstant();
    } catch (DateTimeParseException e) {
      throw new ApiException(
          Problem.INVALID_PARAMETER,
          "at must be an ISO-8601 instant such as 2026-11-24T10:15:30Z, not '" + value + "'");
    }
  }
}
