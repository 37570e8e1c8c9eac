package dev.cairn.node.http;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import dev.cairn.persistence.CollectionDefinitionReader;
import dev.cairn.persistence.CollectionDefinitions;
import dev.cairn.persistence.readmodel.ReadModel;
import dev.cairn.protocol.collection.CollectionReply;
import dev.cairn.protocol.command.Preconditions;
import java.util.Map;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Collection definitions under {@code /v1/_collections}: a JSON Schema, index fields and a snapshot
 * interval per collection, event-sourced like documents. A definition is answered once it is in
 * force on the node that wrote it.
 *
 * <pre>
 * curl -X PUT localhost:8080/v1/_collections/products -H 'Content-Type: application/json' \
 *   -d '{"indexes": {"price": {"path": "/price", "type": "number"}}}'
 * curl localhost:8080/v1/_collections
 * </pre>
 */
public final class CollectionRoutes extends ApiDirectives {

  private final CollectionDefinitions definitions;
  private final ReadModel readModel;
  private final RequestBodies bodies;

  public CollectionRoutes(
      CollectionDefinitions definitions, ReadModel readModel, RequestBodies bodies) {
    this.definitions = definitions;
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
                        pathEnd(() -> get(this::list)),
                        path(
                            segment(),
                            name ->
                                collectionName(
                                    name,
                                    n -> concat(get(() -> read(n)), put(() -> define(n))))))));
  }

  private Route list() {
    return authenticated(
        () ->
            answer(
                () ->
                    readModel
                        .collections()
                        .thenCombine(
                            readModel.freshness(),
                            (views, freshness) ->
                                Responses.withFreshness(
                                    Responses.json(StatusCodes.OK, Map.of("items", views)),
                                    freshness))));
  }

  private Route read(String name) {
    return authenticated(
        () -> answer(() -> definitions.get(name).thenApply(CollectionRoutes::response)));
  }

  private Route define(String name) {
    return admin(
        () ->
            preconditions(
                preconditions ->
                    body(
                        bodies,
                        body ->
                            writeContext(
                                "DEFINE",
                                body,
                                context ->
                                    answer(
                                        () ->
                                            definitions
                                                .define(
                                                    name,
                                                    CollectionDefinitionReader.read(
                                                        bodies.object(body), bodies.limits()),
                                                    preconditions,
                                                    context)
                                                .thenApply(
                                                    reply -> response(reply, preconditions)))),
                        JSON)));
  }

  private static HttpResponse response(CollectionReply reply) {
    return response(reply, Preconditions.NONE);
  }

  private static HttpResponse response(CollectionReply reply, Preconditions preconditions) {
    return reply.accept(
        new CollectionReply.Visitor<>() {
          @Override
          public HttpResponse defined(CollectionReply.Defined defined) {
            return Responses.tagged(
                defined.created() ? StatusCodes.CREATED : StatusCodes.OK,
                defined.collection(),
                defined.collection().version());
          }

          @Override
          public HttpResponse found(CollectionReply.Found found) {
            return Responses.tagged(
                StatusCodes.OK, found.collection(), found.collection().version());
          }

          @Override
          public HttpResponse rejected(CollectionReply.Rejected rejected) {
            throw new ApiException(
                rejected.problem(),
                rejected.detail() + Responses.advice(rejected.problem(), preconditions, null),
                rejected.currentVersion());
          }
        });
  }
}
