package dev.cairn.persistence;

import dev.cairn.protocol.collection.CollectionEvent;
import dev.cairn.protocol.collection.CollectionView;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.query.Sequence;
import org.apache.pekko.stream.AbruptStageTerminationException;
import org.apache.pekko.stream.AbruptTerminationException;
import org.apache.pekko.stream.RestartSettings;
import org.apache.pekko.stream.javadsl.RestartSource;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every collection's definition as this node knows it: the one place that answers "is this
 * collection defined, what are its schema, indexes and snapshot interval" for document entities
 * (which validate against it themselves), lists and strict mode.
 *
 * <p>Fed from the collection entities' events in the journal, by the {@code collections} tag: at
 * start every definition is read, then the node follows the tag live. A definition written through
 * any node is in force here once the read journal's next poll brings it (every {@code
 * CAIRN_JOURNAL_POLL_INTERVAL}, 50 ms; ClusterTest measures it through another node). Chosen over
 * Pekko Distributed Data and pub-sub because the journal is where definitions are true: it holds
 * every one, in order, also for a node that was down or partitioned when it was written, so there
 * is nothing to seed, reconcile or lose; Distributed Data would replicate a second copy of what the
 * journal already orders, and a pub-sub message does not reach a node that is not there.
 */
public final class CollectionRegistry {

  private static final Logger log = LoggerFactory.getLogger(CollectionRegistry.class);
  private static final String PREFIX = "_collections|";

  private final ConcurrentHashMap<String, CollectionState> definitions = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, List<Waiter>> waiters = new ConcurrentHashMap<>();
  private final AtomicLong offset = new AtomicLong();
  private final CompletableFuture<Void> loaded = new CompletableFuture<>();

  private record Waiter(long version, CompletableFuture<Void> arrived) {}

  /** The current definition of {@code name}, or empty when it is not defined. */
  public Optional<CollectionView> definition(String name) {
    CollectionState state = definitions.get(name);
    return state == null || !state.isDefined() ? Optional.empty() : Optional.of(state.toView());
  }

  /** The snapshot interval of {@code name}'s documents: its definition's, or {@code fallback}. */
  public int snapshotEvery(String name, int fallback) {
    return definition(name)
        .map(view -> view.definition().snapshotEvery())
        .filter(every -> every != null)
        .orElse(fallback);
  }

  /**
   * Completes once this node's registry holds version {@code version} (or a later one) of {@code
   * name}'s definition, or after {@code timeout} if it does not: the answer to a definition waits
   * for it, so that a client that defines and then writes through the same node finds it in force.
   */
  public CompletionStage<Void> awaitVersion(String name, long version, Duration timeout) {
    CompletableFuture<Void> arrived = new CompletableFuture<>();
    waiters.compute(
        name,
        (n, list) -> {
          List<Waiter> next = list == null ? new ArrayList<>() : new ArrayList<>(list);
          next.add(new Waiter(version, arrived));
          return next;
        });
    release(name);
    return arrived.completeOnTimeout(null, timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Takes in one definition event of {@code name}; events older than what is known are ignored. */
  public void learn(String name, long version, CollectionEvent event) {
    definitions.compute(
        name,
        (n, known) -> {
          CollectionState state = known == null ? CollectionState.empty(n) : known;
          if (version <= state.version()) {
            return state;
          }
          CollectionState next = state.apply(event);
          return new CollectionState(
              n, version, next.definition(), next.createdAt(), next.updatedAt());
        });
    release(name);
  }

  /** A registry with nothing to load, whose definitions are only what {@link #learn} is told. */
  public static CollectionRegistry inMemory() {
    CollectionRegistry registry = new CollectionRegistry();
    registry.loaded.complete(null);
    return registry;
  }

  /**
   * Whether the definitions written before this node started are known. Until then a document
   * entity refuses writes (503), as it cannot tell which schema applies; reads go on.
   */
  public boolean loaded() {
    return loaded.isDone();
  }

  /**
   * Reads every definition from the journal, then follows the {@code collections} tag for as long
   * as the actor system runs, restarting after a failure (the database gone, say) from where it got
   * to. Completes when the definitions written before are known.
   */
  public CompletionStage<Void> follow(ActorSystem<?> system) {
    JdbcReadJournal journal =
        PersistenceQuery.get(system)
            .getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
    RestartSource.withBackoff(
            RestartSettings.create(Duration.ofMillis(200), Duration.ofSeconds(5), 0.2),
            () -> {
              Source<Optional<EventEnvelope>, ?> live =
                  Source.lazySource(
                      () ->
                          journal
                              .eventsByTag(CollectionEntity.TAG, Offset.sequence(offset.get()))
                              .map(Optional::of));
              if (loaded()) {
                return live;
              }
              // The definitions so far, then an empty element: caught up.
              return journal
                  .currentEventsByTag(CollectionEntity.TAG, Offset.sequence(offset.get()))
                  .map(Optional::of)
                  .concat(Source.single(Optional.<EventEnvelope>empty()))
                  .concat(live);
            })
        .runWith(
            Sink.foreach(
                element -> element.ifPresentOrElse(this::learn, () -> loaded.complete(null))),
            system)
        .whenComplete(
            (done, failure) -> {
              if (failure instanceof AbruptStageTerminationException
                  || failure instanceof AbruptTerminationException) {
                log.debug("the collection registry stopped with its actor system");
              } else if (failure != null) {
                log.error("the collection registry stopped following the journal", failure);
              }
            });
    return loaded;
  }

  private void learn(EventEnvelope envelope) {
    if (envelope.offset() instanceof Sequence sequence) {
      offset.accumulateAndGet(sequence.value(), Math::max);
    }
    learn(
        envelope.persistenceId().substring(PREFIX.length()),
        envelope.sequenceNr(),
        (CollectionEvent) envelope.event());
  }

  private void release(String name) {
    CollectionState state = definitions.get(name);
    long known = state == null ? 0 : state.version();
    List<CompletableFuture<Void>> arrived = new ArrayList<>();
    waiters.computeIfPresent(
        name,
        (n, list) -> {
          List<Waiter> waiting = new ArrayList<>();
          for (Waiter waiter : list) {
            if (waiter.version() <= known) {
              arrived.add(waiter.arrived());
            } else if (!waiter.arrived().isDone()) {
              waiting.add(waiter);
            }
          }
          return waiting.isEmpty() ? null : waiting;
        });
    arrived.forEach(future -> future.complete(null));
  }
}
