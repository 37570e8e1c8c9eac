package dev.cairn.persistence;

import dev.cairn.protocol.collection.CollectionCommand;
import dev.cairn.protocol.collection.CollectionDefinition;
import dev.cairn.protocol.collection.CollectionEvent;
import dev.cairn.protocol.collection.CollectionReply;
import dev.cairn.protocol.command.Preconditions;
import dev.cairn.protocol.command.WriteContext;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * Collection definitions, wherever their entities live, with a node-local cache for the write path:
 * every document write needs its collection's schema, and asking the collection's entity each time
 * would double the cost of a write. A definition changed through this node is seen at once; one
 * changed through another node is seen here within the cache's time to live.
 */
public final class Collections {

  private record Cached(Optional<CollectionDefinition> definition, Instant loaded) {}

  /** One definition change with the version it produced. */
  public record VersionedEvent(long version, CollectionEvent event) {}

  private final ActorSystem<?> system;
  private final JdbcReadJournal journal;
  private final ClusterSharding sharding;
  private final Duration askTimeout;
  private final Duration timeToLive;
  private final Clock clock;
  private final ConcurrentHashMap<String, Cached> cache = new ConcurrentHashMap<>();

  public Collections(ActorSystem<?> system, Duration askTimeout, Duration timeToLive) {
    this.system = system;
    this.journal =
        PersistenceQuery.get(system)
            .getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
    this.sharding = ClusterSharding.get(system);
    this.askTimeout = askTimeout;
    this.timeToLive = timeToLive;
    this.clock = Clock.systemUTC();
  }

  public CompletionStage<CollectionReply> define(
      String name,
      CollectionDefinition definition,
      Preconditions preconditions,
      WriteContext context) {
    return ask(name, new CollectionCommand.Define(definition, preconditions, context))
        .thenApply(
            reply -> {
              if (reply instanceof CollectionReply.Defined defined) {
                remember(name, Optional.of(defined.collection().definition()));
              }
              return reply;
            });
  }

  public CompletionStage<CollectionReply> get(String name) {
    return ask(name, CollectionCommand.Get.INSTANCE);
  }

  /** The collection's definition as this node knows it; empty if it is not defined. */
  public CompletionStage<Optional<CollectionDefinition>> definition(String name) {
    Cached cached = cache.get(name);
    if (cached != null && cached.loaded().plus(timeToLive).isAfter(clock.instant())) {
      return CompletableFuture.completedFuture(cached.definition());
    }
    return get(name)
        .thenApply(
            reply -> {
              Optional<CollectionDefinition> definition =
                  reply instanceof CollectionReply.Found found
                      ? Optional.of(found.collection().definition())
                      : Optional.empty();
              if (reply instanceof CollectionReply.Found
                  || reply instanceof CollectionReply.Rejected) {
                remember(name, definition);
              }
              return definition;
            });
  }

  /** Up to {@code limit} definition changes after version {@code after}, oldest first. */
  public CompletionStage<List<VersionedEvent>> events(String name, long after, int limit) {
    return journal
        .currentEventsByPersistenceId(
            CollectionEntity.persistenceId(name), after + 1, after + limit)
        .map(e -> new VersionedEvent(e.sequenceNr(), (CollectionEvent) e.event()))
        .runWith(Sink.seq(), system);
  }

  /**
   * The collection's snapshot interval if this node has its definition cached, else the default:
   * read when a document entity starts, where there is no time to ask.
   */
  public int snapshotEvery(String name, int defaultEvery) {
    Cached cached = cache.get(name);
    return cached == null
        ? defaultEvery
        : cached
            .definition()
            .map(CollectionDefinition::snapshotEvery)
            .filter(every -> every != null)
            .orElse(defaultEvery);
  }

  private void remember(String name, Optional<CollectionDefinition> definition) {
    cache.put(name, new Cached(definition, clock.instant()));
  }

  private CompletionStage<CollectionReply> ask(String name, CollectionCommand command) {
    return sharding
        .entityRefFor(CollectionEntity.TYPE_KEY, name)
        .ask(replyTo -> new CollectionEntity.Command(command, replyTo), askTimeout);
  }
}
