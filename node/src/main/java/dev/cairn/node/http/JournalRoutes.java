package dev.cairn.node.http;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.persistence.admin.AuditTrail;
import dev.cairn.persistence.admin.DocumentRebuild;
import dev.cairn.persistence.admin.JournalImport;
import dev.cairn.persistence.admin.JournalReader;
import dev.cairn.persistence.admin.ReplayCheck;
import dev.cairn.persistence.readmodel.ProjectionAdmin;
import dev.cairn.persistence.readmodel.Rebuilds;
import dev.cairn.protocol.DocumentKey;
import dev.cairn.protocol.Json;
import dev.cairn.protocol.Problem;
import dev.cairn.protocol.access.Principal;
import dev.cairn.protocol.api.AuditEntry;
import dev.cairn.protocol.api.OperationView;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.HttpCharsets;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;
import org.apache.pekko.util.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The journal for administrators, under {@code /admin}: the global event log, the documents it
 * holds, export and import as NDJSON, rebuilding a document from its events, and the audit trail of
 * these operations. Every route needs the {@code admin} role; every operation that changes or
 * carries away data is recorded in the audit trail before it is answered.
 */
public final class JournalRoutes extends ApiDirectives {

  /** One journal entry a line (NDJSON). */
  static final ContentType NDJSON =
      MediaTypes.applicationWithFixedCharset("x-ndjson", HttpCharsets.UTF_8, "ndjson")
          .toContentType();

  /** The highest journal offset when an export began: how far it will go. */
  static final String JOURNAL_HEAD = "Cairn-Journal-Head";

  private static final int MAX_PAGE = 1000;

  /** Journal entries an export sends in one chunk. */
  private static final int EXPORT_CHUNK_LINES = 256;

  private static final Logger log = LoggerFactory.getLogger(JournalRoutes.class);

  private final JournalReader journal;
  private final JournalImport importer;
  private final DocumentRebuild rebuilds;
  private final AuditTrail audit;
  private final ReplayCheck checks;
  private final ProjectionAdmin projections;
  private final Rebuilds rebuildsOfReadModel;

  public JournalRoutes(
      JournalReader journal,
      JournalImport importer,
      DocumentRebuild rebuilds,
      AuditTrail audit,
      ReplayCheck checks,
      ProjectionAdmin projections,
      Rebuilds rebuildsOfReadModel) {
    this.journal = journal;
    this.importer = importer;
    this.rebuilds = rebuilds;
    this.audit = audit;
    this.checks = checks;
    this.projections = projections;
    this.rebuildsOfReadModel = rebuildsOfReadModel;
  }

  public Route route() {
    return pathPrefix(
        "admin",
        () ->
            admin(
                () ->
                    concat(
                        path("journal", () -> get(this::journalPage)),
                        pathPrefix(
                            "documents",
                            () ->
                                concat(
                                    pathEnd(() -> get(this::documentsPage)),
                                    path(
                                        segment().slash(segment()).slash("rebuild"),
                                        (collection, id) ->
                                            post(
                                                () ->
                                                    documentKey(collection, id, this::rebuild))))),
                        path("export", () -> get(this::export)),
                        path("import", () -> post(this::importNdjson)),
                        path("audit", () -> get(this::auditPage)),
                        path(segment("replay").slash("check"), () -> post(this::replayCheck)),
                        pathPrefix("projections", this::projectionRoutes),
                        path(segment("operations").slash(segment()), this::operation))));
  }

  private Route replayCheck() {
    return parameterOptional(
        "collection",
        collection ->
            collectionName(
                collection.orElseThrow(
                    () ->
                        new ApiException(
                            Problem.INVALID_PARAMETER,
                            "name the collection to check: ?collection=notes")),
                name ->
                    audited(
                        "check",
                        Json.mapper().createObjectNode().put("collection", name),
                        () -> checks.check(name).thenApply(Json.mapper()::valueToTree))));
  }

  private Route projectionRoutes() {
    return concat(
        pathEnd(
            () ->
                get(
                    () ->
                        answer(
                            () ->
                                projections
                                    .list()
                                    .thenApply(p -> Responses.json(StatusCodes.OK, p))))),
        pathPrefix(
            segment(),
            name -> {
              if (ProjectionAdmin.keys(name).isEmpty()) {
                throw new ApiException(
                    Problem.NOT_FOUND,
                    "there is no projection '"
                        + name
                        + "'; there are "
                        + String.join(", ", ProjectionAdmin.NAMES));
              }
              ObjectNode parameters = Json.mapper().createObjectNode().put("projection", name);
              return concat(
                  path(
                      "pause",
                      () ->
                          post(
                              () ->
                                  audited(
                                      "pause",
                                      parameters,
                                      () ->
                                          projections
                                              .pause(name)
                                              .thenApply(done -> state(name, "paused"))))),
                  path(
                      "resume",
                      () ->
                          post(
                              () ->
                                  audited(
                                      "resume",
                                      parameters,
                                      () ->
                                          projections
                                              .resume(name)
                                              .thenApply(done -> state(name, "running"))))),
                  path("rebuild", () -> post(() -> rebuildProjection(name))),
                  pathPrefix(
                      "dead-letters",
                      () ->
                          concat(
                              pathEnd(
                                  () ->
                                      get(
                                          () ->
                                              answer(
                                                  () ->
                                                      projections
                                                          .deadLetters(name)
                                                          .thenApply(
                                                              letters ->
                                                                  Responses.json(
                                                                      StatusCodes.OK,
                                                                      java.util.Map.of(
                                                                          "items", letters)))))),
                              path(
                                  segment().slash("retry"),
                                  offset -> post(() -> retry(name, offset, parameters))))));
            }));
  }

  /** Starts a rebuild of the read model: 202 with the operation to follow. */
  private Route rebuildProjection(String name) {
    return entity(
        Unmarshaller.entityToString(),
        body -> {
          if (!name.equals("documents")) {
            throw new ApiException(
                Problem.INVALID_PARAMETER,
                "only the documents projection is rebuilt; collections is refolded by its own"
                    + " entity at every definition change");
          }
          JsonNode scope = scope(body);
          Optional<String> collection = text(scope, "collection");
          Optional<String> id = text(scope, "id");
          collection.ifPresent(
              c -> {
                if (!DocumentKey.isCollectionName(c)) {
                  throw new ApiException(
                      Problem.INVALID_PARAMETER, "'" + c + "' is not a collection name");
                }
              });
          if (id.isPresent() && (collection.isEmpty() || !DocumentKey.isId(id.get()))) {
            throw new ApiException(
                Problem.INVALID_PARAMETER,
                "a document to rebuild needs its collection and a valid id");
          }
          ObjectNode parameters = Json.mapper().createObjectNode().put("projection", name);
          collection.ifPresent(c -> parameters.put("collection", c));
          id.ifPresent(i -> parameters.put("id", i));
          return recording(
              (caller, requestId) ->
                  rebuildsOfReadModel
                      .start(name, collection, id)
                      .thenCompose(rebuildsOfReadModel::get)
                      .handle(
                          (started, failure) -> {
                            if (failure != null) {
                              ApiException refusal = refusal(unwrap(failure));
                              return record(
                                      caller,
                                      requestId,
                                      "rebuild-projection",
                                      parameters,
                                      ProblemResponses.status(refusal.problem()).intValue(),
                                      Json.mapper()
                                          .createObjectNode()
                                          .put("problem", refusal.problem().slug())
                                          .put("detail", refusal.getMessage()))
                                  .<HttpResponse>thenApply(
                                      recorded -> {
                                        throw refusal;
                                      });
                            }
                            OperationView operation = started.orElseThrow();
                            return record(
                                    caller,
                                    requestId,
                                    "rebuild-projection",
                                    parameters,
                                    202,
                                    Json.mapper()
                                        .createObjectNode()
                                        .put("operation", operation.id()))
                                .thenApply(
                                    recorded ->
                                        Responses.json(StatusCodes.ACCEPTED, operation)
                                            .addHeader(
                                                RawHeader.create(
                                                    "Location",
                                                    "/admin/operations/" + operation.id())));
                          })
                      .thenCompose(Function.identity()));
        });
  }

  private Route operation(String id) {
    Supplier<ApiException> none =
        () -> new ApiException(Problem.NOT_FOUND, "there is no operation " + id);
    return concat(
        get(
            () ->
                answer(
                    () ->
                        rebuildsOfReadModel
                            .get(id)
                            .thenApply(
                                found -> Responses.json(StatusCodes.OK, found.orElseThrow(none))))),
        delete(
            () ->
                answer(
                    () ->
                        rebuildsOfReadModel
                            .cancel(id)
                            .thenApply(
                                found ->
                                    Responses.json(StatusCodes.OK, found.orElseThrow(none))))));
  }

  private static JsonNode scope(String body) {
    if (body.isBlank()) {
      return Json.mapper().createObjectNode();
    }
    try {
      JsonNode scope = Json.mapper().readTree(body);
      if (scope.isObject()) {
        return scope;
      }
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      // refused below
    }
    throw new ApiException(
        Problem.MALFORMED_JSON,
        "a rebuild's body is empty (everything) or {\"collection\": \"notes\"} or {\"collection\":"
            + " \"notes\", \"id\": \"n1\"}");
  }

  private static Optional<String> text(JsonNode scope, String field) {
    JsonNode value = scope.get(field);
    return value == null || value.isNull() ? Optional.empty() : Optional.of(value.asText());
  }

  private Route retry(String name, String offset, ObjectNode parameters) {
    long at;
    try {
      at = Long.parseLong(offset);
    } catch (NumberFormatException e) {
      throw new ApiException(
          Problem.INVALID_PARAMETER, "the offset must be a whole number, not '" + offset + "'");
    }
    return audited(
        "retry",
        parameters.deepCopy().put("offset", at),
        () ->
            projections
                .retry(name, at)
                .thenApply(
                    retried ->
                        Json.mapper()
                            .valueToTree(
                                retried.orElseThrow(
                                    () ->
                                        new ApiException(
                                            Problem.NOT_FOUND,
                                            "no event at offset "
                                                + at
                                                + " is parked for "
                                                + name
                                                + "; GET /admin/projections/"
                                                + name
                                                + "/dead-letters lists them")))));
  }

  private static JsonNode state(String name, String state) {
    return Json.mapper().createObjectNode().put("projection", name).put("state", state);
  }

  private Route journalPage() {
    return page(
        MAX_PAGE,
        (after, limit) ->
            optionalCollection(
                collection ->
                    parameterOptional(
                        INSTANT,
                        "since",
                        since ->
                            answer(
                                () ->
                                    journal
                                        .page(after, limit, collection, since)
                                        .thenApply(p -> Responses.json(StatusCodes.OK, p))))));
  }

  private Route documentsPage() {
    return optionalCollection(
        collection ->
            parameterOptional(
                "prefix",
                prefix ->
                    parameterOptional(
                        "after",
                        after ->
                            parameterOptional(
                                POSITIVE_NUMBER,
                                "limit",
                                limit -> {
                                  if (prefix.isPresent() && collection.isEmpty()) {
                                    throw new ApiException(
                                        Problem.INVALID_PARAMETER,
                                        "prefix needs a collection: ?collection=notes&prefix=a");
                                  }
                                  Optional<DocumentKey> from = after.map(JournalRoutes::key);
                                  int size =
                                      (int)
                                          Math.min(
                                              limit.orElse((long) DEFAULT_PAGE_SIZE), MAX_PAGE);
                                  return answer(
                                      () ->
                                          journal
                                              .documents(collection, prefix.orElse(""), from, size)
                                              .thenApply(p -> Responses.json(StatusCodes.OK, p)));
                                }))));
  }

  private Route rebuild(DocumentKey key) {
    ObjectNode parameters =
        Json.mapper().createObjectNode().put("collection", key.collection()).put("id", key.id());
    return audited(
        "rebuild", parameters, () -> rebuilds.rebuild(key).thenApply(Json.mapper()::valueToTree));
  }

  private Route export() {
    return optionalCollection(
        collection ->
            parameterOptional(
                WHOLE_NUMBER,
                "after",
                after ->
                    encodeResponse(
                        () ->
                            recording(
                                (caller, requestId) ->
                                    journal
                                        .head()
                                        .thenCompose(
                                            head -> {
                                              ObjectNode parameters =
                                                  Json.mapper()
                                                      .createObjectNode()
                                                      .put("after", after.orElse(0L));
                                              collection.ifPresent(
                                                  c -> parameters.put("collection", c));
                                              return record(
                                                      caller,
                                                      requestId,
                                                      "export",
                                                      parameters,
                                                      200,
                                                      Json.mapper()
                                                          .createObjectNode()
                                                          .put("head", head))
                                                  .thenApply(
                                                      recorded ->
                                                          exportResponse(
                                                              after.orElse(0L), collection, head));
                                            })))));
  }

  private HttpResponse exportResponse(long after, Optional<String> collection, long head) {
    return HttpResponse.create()
        .withStatus(StatusCodes.OK)
        .addHeader(RawHeader.create(JOURNAL_HEAD, Long.toString(head)))
        .withEntity(
            HttpEntities.create(
                NDJSON,
                journal
                    .export(after, collection)
                    // A chunk per few hundred lines, not per line: HTTP chunks and stream
                    // elements cost more than the lines themselves.
                    .grouped(EXPORT_CHUNK_LINES)
                    .map(JournalRoutes::ndjson)));
  }

  private static ByteString ndjson(java.util.List<dev.cairn.protocol.api.JournalEntry> entries)
      throws java.io.IOException {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(entries.size() * 512);
    for (dev.cairn.protocol.api.JournalEntry entry : entries) {
      Json.mapper().writeValue(out, entry);
      out.write('\n');
    }
    return ByteString.fromArrayUnsafe(out.toByteArray());
  }

  private Route importNdjson() {
    return extractRequestEntity(
        entity -> {
          if (!entity.getContentType().mediaType().toString().equals("application/x-ndjson")) {
            throw new ApiException(
                Problem.UNSUPPORTED_MEDIA_TYPE,
                "an import is NDJSON, as GET /admin/export writes it: Content-Type:"
                    + " application/x-ndjson (gzip with Content-Encoding: gzip)");
          }
          return withoutSizeLimit(
              () ->
                  withoutRequestTimeout(
                      () ->
                          decodeRequest(
                              () ->
                                  extractDataBytes(
                                      bytes ->
                                          principal(
                                              caller ->
                                                  audited(
                                                      "import",
                                                      Json.mapper().createObjectNode(),
                                                      () ->
                                                          importer
                                                              .run(bytes, caller)
                                                              .thenApply(
                                                                  Json.mapper()::valueToTree)))))));
        });
  }

  private Route auditPage() {
    return parameterOptional(
        POSITIVE_NUMBER,
        "before",
        before ->
            parameterOptional(
                POSITIVE_NUMBER,
                "limit",
                limit ->
                    answer(
                        () ->
                            audit
                                .page(
                                    before.orElse(Long.MAX_VALUE),
                                    (int)
                                        Math.min(limit.orElse((long) DEFAULT_PAGE_SIZE), MAX_PAGE))
                                .thenApply(p -> Responses.json(StatusCodes.OK, p)))));
  }

  /**
   * Runs {@code operation}, records it and its outcome in the audit trail, and answers with its
   * report (200) or its refusal as a problem.
   */
  private Route audited(
      String operation, JsonNode parameters, Supplier<CompletionStage<JsonNode>> run) {
    return recording(
        (caller, requestId) ->
            run.get()
                .handle(
                    (report, failure) -> {
                      if (failure == null) {
                        return record(caller, requestId, operation, parameters, 200, report)
                            .thenApply(recorded -> Responses.json(StatusCodes.OK, report));
                      }
                      Throwable cause = unwrap(failure);
                      ApiException refusal = refusal(cause);
                      ObjectNode outcome =
                          Json.mapper()
                              .createObjectNode()
                              .put("problem", refusal.problem().slug())
                              .put("detail", refusal.getMessage());
                      if (cause instanceof JournalImport.Malformed malformed) {
                        outcome.set("sofar", Json.mapper().valueToTree(malformed.sofar()));
                      }
                      return record(
                              caller,
                              requestId,
                              operation,
                              parameters,
                              ProblemResponses.status(refusal.problem()).intValue(),
                              outcome)
                          .<HttpResponse>thenApply(
                              recorded -> {
                                throw refusal;
                              });
                    })
                .thenCompose(Function.identity()));
  }

  /** What a failed operation is answered with. */
  private static ApiException refusal(Throwable cause) {
    if (cause instanceof ApiException api) {
      return api;
    }
    if (cause instanceof Rebuilds.AlreadyRunning running) {
      return new ApiException(Problem.OPERATION_RUNNING, running.getMessage());
    }
    if (cause instanceof ProjectionAdmin.StillFailing still) {
      return new ApiException(Problem.STILL_FAILING, still.getMessage());
    }
    if (cause instanceof JournalImport.Malformed malformed) {
      return new ApiException(
          Problem.MALFORMED_JSON,
          malformed.getMessage()
              + "; before it: "
              + malformed.sofar().imported()
              + " imported, "
              + malformed.sofar().skipped()
              + " skipped, "
              + malformed.sofar().conflicting()
              + " conflicting");
    }
    if (cause instanceof org.apache.pekko.stream.scaladsl.Framing.FramingException) {
      return new ApiException(
          Problem.LIMIT_EXCEEDED,
          "a line of the import is longer than a document and its metadata may be"
              + " (cairn.limits.max-document-size): "
              + cause.getMessage());
    }
    if (cause instanceof org.apache.pekko.http.scaladsl.model.IllegalRequestException illegal) {
      return new ApiException(
          Problem.MALFORMED_REQUEST,
          "the body cannot be read (as its Content-Encoding says): " + illegal.info().summary());
    }
    if (isCorruptCompression(cause)) {
      return new ApiException(
          Problem.MALFORMED_REQUEST,
          "the body is not valid gzip (Content-Encoding: gzip): " + cause.getMessage());
    }
    if (cause instanceof java.util.concurrent.TimeoutException) {
      return new ApiException(
          Problem.UNAVAILABLE,
          "a document did not answer in time (CAIRN_ASK_TIMEOUT); what was done is kept, and"
              + " running the operation again is safe");
    }
    log.error("an administrative operation failed", cause);
    return new ApiException(
        Problem.INTERNAL, "the operation failed; it was logged: " + cause.getClass().getName());
  }

  private static boolean isCorruptCompression(Throwable cause) {
    for (Throwable t = cause; t != null; t = t.getCause()) {
      if (t instanceof java.util.zip.ZipException
          || t instanceof java.util.zip.DataFormatException
          || t.getClass().getName().startsWith("org.apache.pekko.http.scaladsl.coding.")) {
        return true;
      }
    }
    return false;
  }

  /** An operation with its caller and request id, answered when its stage completes. */
  private Route recording(Operation operation) {
    return principal(
        caller ->
            headerValueByName(
                REQUEST_ID, requestId -> answer(() -> operation.run(caller, requestId))));
  }

  @FunctionalInterface
  private interface Operation {
    CompletionStage<HttpResponse> run(Principal caller, String requestId);
  }

  private CompletionStage<Void> record(
      Principal caller,
      String requestId,
      String operation,
      JsonNode parameters,
      int status,
      JsonNode outcome) {
    return audit
        .record(
            new AuditEntry(
                Instant.now(), caller.subject(), requestId, operation, parameters, status, outcome))
        .handle(
            (done, failure) -> {
              if (failure != null) {
                log.error(
                    "the audit trail did not record {} {} by {}",
                    operation,
                    requestId,
                    caller.subject(),
                    failure);
              }
              return null;
            });
  }

  private Route optionalCollection(Function<Optional<String>, Route> inner) {
    return parameterOptional(
        "collection",
        collection -> {
          if (collection.isPresent()
              && !collection.get().equals("_collections")
              && !DocumentKey.isCollectionName(collection.get())) {
            throw new ApiException(
                Problem.INVALID_PARAMETER,
                "collection must be a collection name (or _collections), not '"
                    + collection.get()
                    + "'");
          }
          return inner.apply(collection);
        });
  }

  private static DocumentKey key(String after) {
    int slash = after.indexOf('/');
    if (slash < 0
        || !DocumentKey.isCollectionName(after.substring(0, slash))
        || !DocumentKey.isId(after.substring(slash + 1))) {
      throw new ApiException(
          Problem.INVALID_PARAMETER,
          "after must be collection/id, as the previous page's next gives it, not '" + after + "'");
    }
    return new DocumentKey(after.substring(0, slash), after.substring(slash + 1));
  }

  private static Throwable unwrap(Throwable failure) {
    Throwable cause = failure;
    while (cause instanceof CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }
}
