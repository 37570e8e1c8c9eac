package dev.cairn.node.http;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.persistence.ChangeFeed;
import dev.cairn.persistence.DocumentHistory;
import dev.cairn.protocol.Json;
import dev.cairn.protocol.Problem;
import dev.cairn.protocol.api.HistoryEntry;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;
import org.apache.pekko.http.javadsl.marshalling.sse.EventStreamMarshalling;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.sse.ServerSentEvent;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The change feed as Server-Sent Events: {@code GET /v1/_changes} for every collection, {@code GET
 * /v1/{collection}/_changes} for one. Each event's {@code id} is its offset in the journal; a
 * client that reconnects with {@code Last-Event-ID} (or {@code ?since=}) resumes right after it,
 * with no gap and no duplicate. Heartbeats keep idle connections open through proxies.
 *
 * <pre>
 * curl -N localhost:8080/v1/notes/_changes
 * </pre>
 */
public final class ChangeFeedRoutes extends ApiDirectives {

  private static final Duration HEARTBEAT = Duration.ofSeconds(15);

  private final ChangeFeed feed;

  public ChangeFeedRoutes(ChangeFeed feed) {
    this.feed = feed;
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
                        get(
                            () ->
                                extractRequest(
                                    request -> {
                                      DocumentRoutes.checkCollection(collection);
                                      return stream(Optional.of(collection));
                                    })))));
  }

  private Route stream(Optional<String> collection) {
    return extractRequest(
        request ->
            completeOK(
                feed.after(since(request), collection)
                    .map(ChangeFeedRoutes::event)
                    .keepAlive(HEARTBEAT, ServerSentEvent::heartbeat),
                EventStreamMarshalling.toEventStream()));
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

  private static ServerSentEvent event(ChangeFeed.Change change) {
    HistoryEntry entry =
        HistoryEntries.of(new DocumentHistory.VersionedEvent(change.version(), change.event()));
    ObjectNode data = Json.mapper().valueToTree(entry);
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
