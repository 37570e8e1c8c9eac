package dev.cairn.node.http;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import dev.cairn.persistence.CollectionDefinitionReader;
import dev.cairn.persistence.Collections;
import dev.cairn.persistence.readmodel.ReadModel;
import dev.cairn.protocol.Json;
import dev.cairn.protocol.Problem;
import dev.cairn.protocol.api.HistoryEntry;
import dev.cairn.protocol.api.HistoryPage;
import dev.cairn.protocol.collection.CollectionEvent;
import dev.cairn.protocol.collection.CollectionReply;
import dev.cairn.protocol.command.Preconditions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Collection definitions under {@code /v1/_collections}: a JSON Schema, index fields and a snapshot
 * interval per collection, event-sourced like documents.
 *
 * <pre>
 * curl -X PUT localhost:8080/v1/_collections/products -H 'Content-Type: application/json' \
 *   -d '{"indexes": {"price": {"path": "/price", "type": "number"}}}'
 * curl localhost:8080/v1/_collections
 * </pre>
 */
public final class CollectionRoutes extends ApiDirectives {

  private static final int MAX_PAGE = 1000;

  private final Collections collections;
  private final ReadModel readModel;
  private final RequestBodies bodies;

  public CollectionRoutes(Collections collections, ReadModel readModel, RequestBodies bodies) {
    this.collections = collections;
    this.readModel = readModel;
    this.bodies = bodies;
  }

  public Route route() {
    return pathPrefix(
        "v1",
        () ->
            pathPrefix(
                "_collections",
                () ->
                    concat(
                        pathEnd(() -> get(() -> respond(this::list))),
                        path(
                            segment(),
                            name ->
                                concat(
                                    get(() -> respond(request -> get(name))),
                                    put(() -> respond(request -> define(name, request))))),
                        path(
                            segment().slash("events"),
                            name -> get(() -> respond(request -> events(name, request)))))));
  }

  private CompletionStage<HttpResponse> list(HttpRequest request) {
    return readModel
        .collections()
        .thenCombine(
            readModel.freshness(),
            (views, freshness) ->
                DocumentRoutes.withFreshness(
                    DocumentRoutes.json(StatusCodes.OK, Map.of("items", views)), freshness));
  }

  private CompletionStage<HttpResponse> get(String name) {
    DocumentRoutes.checkCollection(name);
    return collections.get(name).thenApply(CollectionRoutes::response);
  }

  private CompletionStage<HttpResponse> define(String name, HttpRequest request) {
    DocumentRoutes.checkCollection(name);
    Preconditions preconditions = ConditionalHeaders.forWrite(request);
    return bodies
        .read(request, "application/json")
        .thenCompose(
            body ->
                collections.define(
                    name,
                    CollectionDefinitionReader.read(bodies.object(body), bodies.limits()),
                    preconditions,
                    DocumentRoutes.context(request, "DEFINE", body)))
        .thenApply(CollectionRoutes::response);
  }

  /** The definition's history, oldest first, paged like a document's. */
  private CompletionStage<HttpResponse> events(String name, HttpRequest request) {
    DocumentRoutes.checkCollection(name);
    long after = DocumentRoutes.pageAfter(request);
    int limit = DocumentRoutes.pageLimit(request, MAX_PAGE);
    return collections
        .events(name, after, limit + 1)
        .thenApply(
            events -> {
              if (events.isEmpty() && after == 0) {
                throw new ApiException(
                    Problem.NOT_FOUND, "the collection " + name + " was never defined");
              }
              List<Collections.VersionedEvent> page =
                  events.subList(0, Math.min(limit, events.size()));
              Long next = events.size() > limit ? page.get(page.size() - 1).version() : null;
              return DocumentRoutes.json(
                  StatusCodes.OK,
                  new HistoryPage(page.stream().map(CollectionRoutes::entry).toList(), next));
            });
  }

  private static HistoryEntry entry(Collections.VersionedEvent versioned) {
    CollectionEvent.Defined defined = (CollectionEvent.Defined) versioned.event();
    return new HistoryEntry(
        versioned.version(),
        "defined",
        defined.meta().timestamp(),
        defined.meta().requestId(),
        defined.meta().principal(),
        Json.mapper().valueToTree(defined.definition()));
  }

  private static HttpResponse response(CollectionReply reply) {
    if (reply instanceof CollectionReply.Defined defined) {
      return DocumentRoutes.json(
              defined.created() ? StatusCodes.CREATED : StatusCodes.OK, defined.collection())
          .addHeader(
              RawHeader.create("ETag", ConditionalHeaders.etag(defined.collection().version())));
    }
    if (reply instanceof CollectionReply.Found found) {
      return DocumentRoutes.json(StatusCodes.OK, found.collection())
          .addHeader(
              RawHeader.create("ETag", ConditionalHeaders.etag(found.collection().version())));
    }
    CollectionReply.Rejected rejected = (CollectionReply.Rejected) reply;
    throw new ApiException(rejected.problem(), rejected.detail(), rejected.currentVersion());
  }
}
