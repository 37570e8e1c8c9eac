package dev.cairn.node.http;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.persistence.AccessControl;
import dev.cairn.persistence.readmodel.DocumentQuery;
import dev.cairn.persistence.readmodel.ReadModel;
import dev.cairn.protocol.access.AccessRules.Grant;
import dev.cairn.protocol.access.AccessRules.Operation;
import dev.cairn.protocol.access.Principal;
import dev.cairn.protocol.collection.CollectionDefinition;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /v1/{collection}}: a page of the collection's documents from the read model, filtered
 * and sorted on the indexes its definition (in this node's {@link CollectionRegistry}) declares,
 * with how current the read model is.
 *
 * <pre>
 * curl 'localhost:8080/v1/products?where.status=open&amp;where.price.gt=10&amp;sort=-price&amp;limit=10'
 * </pre>
 */
public final class ListRoutes extends ApiDirectives {

  private static final Set<String> PARAMETERS = Set.of("sort", "limit", "cursor", "deleted");

  private final AccessControl access;
  private final ReadModel readModel;

  public ListRoutes(AccessControl access, ReadModel readModel) {
    this.access = access;
    this.readModel = readModel;
  }

  /** The body of a list response. */
  record ListPage(List<JsonNode> items, String next) {}

  public Route route() {
    return pathPrefix(
        "v1",
        () ->
            path(
                segment(),
                collection ->
                    DocumentRoutes.SYSTEM_RESOURCES.contains(collection)
                        ? reject()
                        : get(
                            () ->
                                collectionName(
                                    collection,
                                    name ->
                                        principal(
                                            caller ->
                                                parameterMultiMap(
                                                    parameters ->
                                                        list(name, caller, parameters)))))));
  }

  /**
   * A page of the documents {@code caller} may read: all of them, or, when the collection lets them
   * read only what they own, those whose owner index holds their subject.
   */
  private Route list(String collection, Principal caller, Map<String, List<String>> parameters) {
    Grant grant = access.grant(collection, Operation.READ, caller);
    if (grant == Grant.NEVER) {
      access.requireAny(collection, caller, Operation.READ);
    }
    List<DocumentQuery.Filter> filters = filters(parameters);
    if (grant == Grant.IF_OWNER) {
      filters.add(
          new DocumentQuery.Filter(CollectionDefinition.OWNER_INDEX, "eq", caller.subject()));
    }
    DocumentQuery query =
        new DocumentQuery(
            collection,
            access.definition(collection).readModelIndexes(),
            filters,
            sort(single(parameters, "sort")),
            limit(single(parameters, "limit")),
            single(parameters, "cursor"),
            "true".equals(single(parameters, "deleted")));
    return answer(
        () ->
            readModel
                .freshness()
                .thenCombine(
                    readModel.list(query),
                    (freshness, page) ->
                        Responses.withFreshness(
                            Responses.json(StatusCodes.OK, new ListPage(page.items(), page.next())),
                            freshness)));
  }

  private static List<DocumentQuery.Filter> filters(Map<String, List<String>> parameters) {
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
      } else if (!PARAMETERS.contains(name)) {
        throw new DocumentQuery.Invalid(
            "unknown parameter "
                + name
                + "; a list takes where.<field>[.<op>], sort, limit, cursor and deleted");
      }
    }
    return filters;
  }

  private static List<DocumentQuery.Sort> sort(String sort) {
    List<DocumentQuery.Sort> keys = new ArrayList<>();
    for (String key : sort == null ? new String[0] : sort.split(",")) {
      boolean descending = key.startsWith("-");
      keys.add(new DocumentQuery.Sort(descending ? key.substring(1) : key, descending));
    }
    return keys;
  }

  private static int limit(String limit) {
    if (limit == null) {
      return DocumentQuery.DEFAULT_LIMIT;
    }
    try {
      return (int) Math.min(Math.max(Long.parseLong(limit), 0), Integer.MAX_VALUE);
    } catch (NumberFormatException e) {
      throw new ApiException(
          dev.cairn.protocol.Problem.INVALID_PARAMETER,
          "limit must be a whole number from 1 to "
              + DocumentQuery.MAX_LIMIT
              + ", not '"
              + limit
              + "'");
    }
  }

  private static String single(Map<String, List<String>> parameters, String name) {
    List<String> values = parameters.get(name);
    return values == null || values.isEmpty() ? null : values.get(0);
  }
}
