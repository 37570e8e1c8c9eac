package dev.cairn.node.http;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.persistence.AccessControl;
import dev.cairn.persistence.ChangeFeed;
import dev.cairn.protocol.Json;
import dev.cairn.protocol.Problem;
import dev.cairn.protocol.access.AccessRules.Operation;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;
import org.apache.pekko.http.javadsl.marshalling.sse.EventStreamMarshalling;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.sse.ServerSentEvent;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.japi.pf.PFBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The change feed as Server-Sent Events: {@code GET /v1/_changes} for every collection, {@code GET
 * /v1/{collection}/_changes} for one. Each event's {@code id} is its offset in the journal; a
 * client that reconnects with {@code Last-Event-ID} (or {@code ?since=}) resumes right after it,
 * with no gap and no duplicate. Heartbeats keep idle connections open through proxies, so the
 * streams a node and each client may hold open are bounded ({@link StreamSlots}): past them a
 * request gets 429 with Retry-After.
 *
 * <pre>
 * curl -N localhost:8080/v1/notes/_changes -H "Authorization: Bearer $TOKEN"
 * </pre>
 */
public final class ChangeFeedRoutes extends ApiDirectives {

  private static final Duration HEARTBEAT = Duration.ofSeconds(15);
  private static final Logger log = LoggerFactory.getLogger(ChangeFeedRoutes.class);

  private final ChangeFeed feed;
  private final AccessControl access;
  private final StreamSlots slots;

  public ChangeFeedRoutes(ChangeFeed feed, AccessControl access, StreamSlots slots) {
    this.feed = feed;
    this.access = access;
    this.slots = slots;
  }

  public Route route() {
    return pathPrefix(
        "v1",
        () ->
            concat(
                path("_changes", () -> get(() -> stream(Optional.empty()))),
                path(
                    segment().slash("_changes"),
                    collection ->
                        get(() -> collectionName(collection, name -> stream(Optional.of(name)))))));
  }

  /**
   * The changes {@code caller} may read, by the rules in force when each change passes: all of a
   * collection's, or only those of documents the event says the caller owns. A collection whose
   * documents the caller may not read at all is refused before the stream starts.
   */
  private Route stream(Optional<String> collection) {
    return principal(
        caller ->
            extractRequest(
                request -> {
                  access.requireRules();
                  collection.ifPresent(name -> access.requireAny(name, caller, Operation.READ));
                  long since = since(request);
                  StringBuilder whyNot = new StringBuilder();
                  Optional<StreamSlots.Slot> slot = slots.take(clientAddress(request), whyNot);
                  if (slot.isEmpty()) {
                    return complete(
                        ProblemResponses.of(
                            Problem.TOO_MANY_REQUESTS, whyNot.toString(), request.getUri().path()));
                  }
                  return completeOK(
                      slot.get()
                          .holding(
                              feed.after(since, collection)
                                  .filter(
                                      change ->
                                          access.mayRead(
                                              change.key().collection(), caller, change.owner()))
                                  .map(ChangeFeedRoutes::event)
                                  .recover(
                                      new PFBuilder<Throwable, ServerSentEvent>()
                                          .matchAny(ChangeFeedRoutes::failed)
                                          .build())
                                  .keepAlive(HEARTBEAT, ServerSentEvent::heartbeat)),
                      EventStreamMarshalling.toEventStream());
                }));
  }

  private static long since(HttpRequest request) {
    Optional<String> since =
        request
            .getHeader("Last-Event-ID")
            .map(h -> h.value())
            .or(() -> request.getUri().query().get("since"));
    if (since.isEmpty()) {
      return 0;
    }
    try {
      long offset = Long.parseLong(since.get().trim());
      if (offset >= 0) {
        return offset;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new ApiException(
        Problem.INVALID_PARAMETER,
        "Last-Event-ID and since take the id of a change event (a whole number), not '"
            + since.get()
            + "'");
  }

  /**
   * The last event of a feed that cannot go on (the journal does not answer, or holds an event that
   * cannot be read back): a {@code failed} event saying why, so the client is not left to guess
   * from a closed connection. {@code /health/read-model} tells operators the same.
   */
  private static ServerSentEvent failed(Throwable cause) {
    log.warn("a change feed stopped: {}", cause.toString());
    ObjectNode data = Json.mapper().createObjectNode();
    data.put(
        "detail",
        "the change feed cannot go on (the server logged why, and /health/read-model says"
            + " whether the journal holds an event that cannot be read); reconnect with"
            + " Last-Event-ID to resume after the last change received");
    return ServerSentEvent.create(data.toString(), "failed");
  }

  private static ServerSentEvent event(ChangeFeed.Change change) {
    ObjectNode data = Json.mapper().valueToTree(change.entry());
    data.put("collection", change.key().collection());
    data.put("id", change.key().id());
    try {
      return ServerSentEvent.create(
          Json.mapper().writeValueAsString(data),
          Optional.of("change"),
          Optional.of(Long.toString(change.offset())),
          OptionalInt.empty());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("changes always render", e);
    }
  }
}
