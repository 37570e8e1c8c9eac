package dev.cairn.node.http;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import dev.cairn.persistence.CollectionDefinitions;
import dev.cairn.persistence.Documents;
import dev.cairn.protocol.Problem;
import dev.cairn.protocol.api.HistoryEntry;
import dev.cairn.protocol.api.HistoryPage;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Histories, oldest first and paged the same way: a document's ({@code GET
 * /v1/{collection}/{id}/events}) and a collection definition's ({@code GET
 * /v1/_collections/{name}/events}).
 *
 * <pre>
 * curl 'localhost:8080/v1/notes/n1/events?after=1&amp;limit=2'
 * curl localhost:8080/v1/_collections/products/events
 * </pre>
 */
public final class HistoryRoutes extends ApiDirectives {

  /** Largest page of a collection definition's history. */
  private static final int MAX_DEFINITION_PAGE = 1000;

  private final Documents documents;
  private final CollectionDefinitions definitions;
  private final int maxPageSize;

  public HistoryRoutes(Documents documents, CollectionDefinitions definitions, int maxPageSize) {
    this.documents = documents;
    this.definitions = definitions;
    this.maxPageSize = maxPageSize;
  }

  public Route route() {
    return pathPrefix(
        "v1",
        () ->
            concat(
                path(
                    segment("_collections").slash(segment()).slash("events"),
                    name ->
                        get(
                            () ->
                                collectionName(
                                    name,
                                    n ->
                                        authenticated(
                                            () ->
                                                history(
                                                    MAX_DEFINITION_PAGE,
                                                    (after, limit) ->
                                                        definitions.history(n, after, limit),
                                                    "the collection "
                                                        + n
                                                        + " was never defined"))))),
                path(
                    segment().slash(segment()).slash("events"),
                    (collection, id) ->
                        DocumentRoutes.SYSTEM_RESOURCES.contains(collection)
                            ? reject()
                            : get(
                                () ->
                                    documentKey(
                                        collection,
                                        id,
                                        key ->
                                            principal(
                                                caller ->
                                                    history(
                                                        maxPageSize,
                                                        (after, limit) ->
                                                            documents.history(
                                                                key, caller, after, limit),
                                                        "there is no document " + key)))))));
  }

  /**
   * A page of up to {@code limit} entries after {@code after}, and the cursor of the next page: one
   * more entry is read to know whether there is one.
   */
  private Route history(
      int max,
      BiFunction<Long, Integer, CompletionStage<List<HistoryEntry>>> entries,
      String neverExisted) {
    return page(
        max,
        (after, limit) ->
            answer(
                () ->
                    entries
                        .apply(after, limit + 1)
                        .thenApply(found -> page(found, after, limit, neverExisted))));
  }

  private static HttpResponse page(
      List<HistoryEntry> found, long after, int limit, String neverExisted) {
    if (found.isEmpty() && after == 0) {
      throw new ApiException(Problem.NOT_FOUND, neverExisted);
    }
    List<HistoryEntry> page = found.subList(0, Math.min(limit, found.size()));
    Long next = found.size() > limit ? page.get(page.size() - 1).version() : null;
    return Responses.json(StatusCodes.OK, new HistoryPage(page, next));
  }
}
