package dev.cairn.node.http;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.persistence.AccessControl;
import dev.cairn.persistence.Documents;
import dev.cairn.protocol.DocumentKey;
import dev.cairn.protocol.PatchFormat;
import dev.cairn.protocol.Problem;
import dev.cairn.protocol.access.AccessRules.Operation;
import dev.cairn.protocol.access.Principal;
import dev.cairn.protocol.command.DocumentCommand;
import dev.cairn.protocol.command.Preconditions;
import dev.cairn.protocol.command.WriteContext;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * One document under {@code /v1/{collection}/{id}}: read it (now, at a version, at an instant),
 * create it with a generated id, replace, patch, delete and revert it. Each route reads what the
 * request says, asks {@link Documents}, and turns the reply into a response.
 *
 * <pre>
 * curl -X PUT localhost:8080/v1/notes/n1 -H "Authorization: Bearer $TOKEN" \
 *   -H 'Content-Type: application/json' -d '{"title":"hi"}'
 * curl localhost:8080/v1/notes/n1 -H "Authorization: Bearer $TOKEN"
 * curl 'localhost:8080/v1/notes/n1?version=1'
 * curl -X POST localhost:8080/v1/notes/n1/revert -H 'Content-Type: application/json' -d '{"version":1}'
 * </pre>
 */
public final class DocumentRoutes extends ApiDirectives {

  /** Paths of other resources under /v1 that this one leaves to them. */
  static final Set<String> SYSTEM_RESOURCES = Set.of("_collections", "_changes");

  private final Documents documents;
  private final AccessControl access;
  private final RequestBodies bodies;

  public DocumentRoutes(Documents documents, AccessControl access, RequestBodies bodies) {
    this.documents = documents;
    this.access = access;
    this.bodies = bodies;
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
                                    post(
                                        () ->
                                            collectionName(
                                                collection,
                                                name ->
                                                    mayAttempt(
                                                        name,
                                                        () -> create(name),
                                                        Operation.CREATE)))),
                            pathPrefix(
                                segment(),
                                id ->
                                    SYSTEM_RESOURCES.contains(id)
                                        ? reject()
                                        : documentKey(collection, id, this::document)))));
  }

  private Route document(DocumentKey key) {
    String collection = key.collection();
    return concat(
        pathEnd(
            () ->
                concat(
                    get(() -> mayAttempt(collection, () -> read(key), Operation.READ)),
                    put(
                        () ->
                            mayAttempt(
                                collection, () -> put(key), Operation.CREATE, Operation.UPDATE)),
                    patch(() -> mayAttempt(collection, () -> patch(key), Operation.UPDATE)),
                    delete(() -> mayAttempt(collection, () -> delete(key), Operation.DELETE)))),
        path(
            "revert",
            () ->
                post(
                    () ->
                        mayAttempt(
                            collection, () -> revert(key), Operation.CREATE, Operation.UPDATE))));
  }

  /**
   * Refuses at once, before the body is read, a caller whom no document of the collection would let
   * do any of {@code operations}; the document's entity decides everything else.
   */
  private Route mayAttempt(String collection, Supplier<Route> inner, Operation... operations) {
    return principal(
        caller -> {
          access.requireAny(collection, caller, operations);
          return inner.get();
        });
  }

  private Route read(DocumentKey key) {
    return principal(caller -> read(key, caller));
  }

  private Route read(DocumentKey key, Principal caller) {
    return parameterOptional(
        POSITIVE_NUMBER,
        "version",
        version ->
            parameterOptional(
                INSTANT,
                "at",
                at -> {
                  if (version.isPresent() && at.isPresent()) {
                    throw new ApiException(
                        Problem.INVALID_PARAMETER, "give either ?version= or ?at=, not both");
                  }
                  if (version.isPresent()) {
                    return answer(
                        () ->
                            documents
                                .at(key, caller, version.get())
                                .thenApply(
                                    past ->
                                        Responses.past(
                                            past,
                                            key
                                                + " has no version "
                                                + version.get()
                                                + "; see its /events")));
                  }
                  if (at.isPresent()) {
                    return answer(
                        () ->
                            documents
                                .at(key, caller, at.get())
                                .thenApply(
                                    past ->
                                        Responses.past(
                                            past, key + " did not exist at " + at.get())));
                  }
                  return optionalHeaderValueByName(
                      "If-None-Match",
                      ifNoneMatch ->
                          answer(
                              () ->
                                  documents
                                      .get(key, caller)
                                      .thenApply(
                                          reply -> Responses.current(key, reply, ifNoneMatch))));
                }));
  }

  /**
   * {@code POST /v1/{collection}}: a new document with a generated id. With an Idempotency-Key the
   * id follows from the key, so a retry reaches the same document, which remembers the key and
   * answers with the first result.
   */
  private Route create(String collection) {
    return principal(
        caller ->
            idempotencyKey(
                idempotencyKey -> {
                  String id =
                      idempotencyKey
                          .map(k -> generatedId(collection, caller.subject(), k))
                          .orElseGet(() -> UUID.randomUUID().toString());
                  DocumentKey key = new DocumentKey(collection, id);
                  return withBody(
                      key,
                      "POST",
                      (body, preconditions, context) ->
                          new DocumentCommand.Put(
                              bodies.object(body), Preconditions.createOnly(), context),
                      JSON);
                }));
  }

  private Route put(DocumentKey key) {
    return withBody(
        key,
        "PUT",
        (body, preconditions, context) ->
            new DocumentCommand.Put(bodies.object(body), preconditions, context),
        JSON);
  }

  private Route patch(DocumentKey key) {
    return withBody(
        key,
        "PATCH",
        (body, preconditions, context) -> {
          PatchFormat format =
              body.mediaType().equals(PatchFormat.JSON_PATCH.mediaType())
                  ? PatchFormat.JSON_PATCH
                  : PatchFormat.MERGE_PATCH;
          return new DocumentCommand.Patch(
              format, bodies.patch(body, format), preconditions, context);
        },
        PatchFormat.MERGE_PATCH.mediaType(),
        PatchFormat.JSON_PATCH.mediaType());
  }

  private Route delete(DocumentKey key) {
    return preconditions(
        preconditions ->
            writeContext(
                "DELETE",
                null,
                context ->
                    send(key, preconditions, new DocumentCommand.Delete(preconditions, context))));
  }

  private Route revert(DocumentKey key) {
    return withBody(
        key,
        "REVERT",
        (body, preconditions, context) ->
            new DocumentCommand.Revert(
                revertVersion(bodies.object(body).get("version")), preconditions, context),
        JSON);
  }

  /** The write a body makes, given the request's preconditions and context. */
  @FunctionalInterface
  private interface Write {
    DocumentCommand.Write of(
        RequestBodies.Body body, Preconditions preconditions, WriteContext context);
  }

  /** A write with a body: preconditions, the body, the write's context, the command, the answer. */
  private Route withBody(DocumentKey key, String operation, Write write, String... mediaTypes) {
    return preconditions(
        preconditions ->
            body(
                bodies,
                body ->
                    writeContext(
                        operation,
                        body,
                        context ->
                            send(key, preconditions, write.of(body, preconditions, context))),
                mediaTypes));
  }

  private Route send(DocumentKey key, Preconditions preconditions, DocumentCommand.Write write) {
    return answer(
        () ->
            documents
                .write(key, write)
                .thenApply(reply -> Responses.written(key, preconditions, reply)));
  }

  private static long revertVersion(JsonNode version) {
    if (version == null
        || !version.canConvertToExactIntegral()
        || !version.canConvertToLong()
        || version.asLong() < 1) {
      throw new ApiException(
          Problem.INVALID_PARAMETER,
          "the body must be {\"version\": N} with N a version of the document (a whole number"
              + " from 1 to "
              + Long.MAX_VALUE
              + ")");
    }
    return version.asLong();
  }

  /**
   * The id a POST with an Idempotency-Key creates. It is scoped by the principal, so a client who
   * learns another's key cannot take the id first and block that client's write; keys of anonymous
   * requests keep the form they had before principals existed, so retries across an upgrade still
   * reach the same document.
   */
  static String generatedId(String collection, String principal, String key) {
    String scope =
        Principal.ANONYMOUS_SUBJECT.equals(principal)
            ? collection + "\n" + key
            : principal + "\n" + collection + "\n" + key;
    return UUID.nameUUIDFromBytes(scope.getBytes(StandardCharsets.UTF_8)).toString();
  }
}
