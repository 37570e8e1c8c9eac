package dev.cairn.node.http;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.persistence.AdminOperations;
import dev.cairn.persistence.admin.AuditTrail;
import dev.cairn.persistence.admin.DocumentRebuild;
import dev.cairn.persistence.admin.JournalImport;
import dev.cairn.persistence.admin.JournalReader;
import dev.cairn.protocol.DocumentKey;
import dev.cairn.protocol.Json;
import dev.cairn.protocol.Problem;
import dev.cairn.protocol.api.ImportReport;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.HttpCharsets;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.Route;

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

  private final JournalReader journal;
  private final JournalImport importer;
  private final DocumentRebuild rebuilds;
  private final AuditTrail audit;
  private final AuditedOperations operations;
  private final AdminOperations adminOperations;
  private final Duration importWait;

  /**
   * @param importWait how long an import's request waits for its writing (cairn.admin.import-wait)
   */
  public JournalRoutes(
      JournalReader journal,
      JournalImport importer,
      DocumentRebuild rebuilds,
      AuditTrail audit,
      AuditedOperations operations,
      AdminOperations adminOperations,
      Duration importWait) {
    this.journal = journal;
    this.importer = importer;
    this.rebuilds = rebuilds;
    this.audit = audit;
    this.operations = operations;
    this.adminOperations = adminOperations;
    this.importWait = importWait;
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
                        path("audit", () -> get(this::auditPage)))));
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
    return operations.audited(
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
                            operations.recording(
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
                                              return operations
                                                  .record(
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
                // A chunk per batch of lines (JournalReader.export), not per line.
                journal.export(after, collection)));
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
                                                  operations.answered(
                                                      "import",
                                                      Json.mapper().createObjectNode(),
                                                      () ->
                                                          importAnswer(
                                                              importer.start(bytes, caller))))))));
        });
  }

  /**
   * 200 with the import's report if it is written within {@link #importWait} of its last line being
   * read; else (and always when the wait is zero) 202 with its operation, which goes on: waiting
   * longer, the connection would carry no byte until the HTTP idle timeout closes it.
   */
  private CompletionStage<AuditedOperations.Answer> importAnswer(JournalImport.Run run) {
    return run.operation()
        .thenCompose(
            id ->
                writtenWithinTheWait(run.report())
                    .thenCompose(
                        report ->
                            report.isPresent()
                                ? CompletableFuture.completedFuture(
                                    AuditedOperations.Answer.done(
                                        Json.mapper().valueToTree(report.get())))
                                : adminOperations
                                    .get(id)
                                    .thenApply(
                                        operation ->
                                            AuditedOperations.Answer.accepted(
                                                operation.orElseThrow()))));
  }

  /** The report, or empty if the import is still writing when the wait is over. */
  private CompletionStage<Optional<ImportReport>> writtenWithinTheWait(
      CompletionStage<ImportReport> report) {
    if (importWait.isZero()) {
      return CompletableFuture.completedFuture(Optional.empty());
    }
    return report
        .thenApply(Optional::of)
        .toCompletableFuture()
        .completeOnTimeout(Optional.empty(), importWait.toMillis(), TimeUnit.MILLISECONDS);
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
}
