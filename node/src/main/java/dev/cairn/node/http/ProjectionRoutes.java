package dev.cairn.node.http;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.persistence.AdminOperations;
import dev.cairn.persistence.admin.ReplayCheck;
import dev.cairn.persistence.readmodel.ProjectionAdmin;
import dev.cairn.persistence.readmodel.Rebuilds;
import dev.cairn.protocol.DocumentKey;
import dev.cairn.protocol.Json;
import dev.cairn.protocol.Problem;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;

/**
 * The read model's projections for administrators, under {@code /admin}: their slices with state
 * and lag, pause and resume, rebuilds, dead letters and their re-drive, and the replay check; and
 * the long operations (rebuilds, imports) at {@code /admin/operations/{id}}. Every route needs the
 * {@code admin} role; every operation is recorded in the audit trail.
 */
public final class ProjectionRoutes extends ApiDirectives {

  /** The highest speed limit a rebuild takes; to mean no limit, a caller leaves it out. */
  private static final long MAX_EVENTS_PER_SECOND = 1_000_000;

  private final AuditedOperations operations;
  private final ReplayCheck checks;
  private final ProjectionAdmin projections;
  private final Rebuilds rebuildsOfReadModel;
  private final AdminOperations adminOperations;

  public ProjectionRoutes(
      AuditedOperations operations,
      ReplayCheck checks,
      ProjectionAdmin projections,
      Rebuilds rebuildsOfReadModel,
      AdminOperations adminOperations) {
    this.operations = operations;
    this.checks = checks;
    this.projections = projections;
    this.rebuildsOfReadModel = rebuildsOfReadModel;
    this.adminOperations = adminOperations;
  }

  public Route route() {
    return pathPrefix(
        "admin",
        () ->
            admin(
                () ->
                    concat(
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
                    operations.audited(
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
                                  operations.audited(
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
                                  operations.audited(
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
          OptionalLong maxEventsPerSecond = maxEventsPerSecond(scope);
          ObjectNode parameters = Json.mapper().createObjectNode().put("projection", name);
          collection.ifPresent(c -> parameters.put("collection", c));
          id.ifPresent(i -> parameters.put("id", i));
          maxEventsPerSecond.ifPresent(rate -> parameters.put("maxEventsPerSecond", rate));
          return operations.answered(
              "rebuild-projection",
              parameters,
              () ->
                  rebuildsOfReadModel
                      .start(name, collection, id, maxEventsPerSecond)
                      .thenCompose(adminOperations::get)
                      .thenApply(
                          started -> AuditedOperations.Answer.accepted(started.orElseThrow())));
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
                        adminOperations
                            .get(id)
                            .thenApply(
                                found -> Responses.json(StatusCodes.OK, found.orElseThrow(none))))),
        delete(
            () ->
                answer(
                    () ->
                        adminOperations
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
            + " \"notes\", \"id\": \"n1\"}, each optionally with \"maxEventsPerSecond\": 500");
  }

  /** The fold's speed limit, a whole number of events per second from 1 to a million. */
  private static OptionalLong maxEventsPerSecond(JsonNode scope) {
    JsonNode value = scope.get("maxEventsPerSecond");
    if (value == null || value.isNull()) {
      return OptionalLong.empty();
    }
    if (!value.canConvertToExactIntegral()
        || !value.canConvertToLong()
        || value.asLong() < 1
        || value.asLong() > MAX_EVENTS_PER_SECOND) {
      throw new ApiException(
          Problem.INVALID_PARAMETER,
          "maxEventsPerSecond is a whole number from 1 to "
              + MAX_EVENTS_PER_SECOND
              + " (leave it out for no limit), not "
              + value);
    }
    return OptionalLong.of(value.asLong());
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
    return operations.audited(
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
}
