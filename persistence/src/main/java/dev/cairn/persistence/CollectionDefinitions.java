package dev.cairn.persistence;

import dev.cairn.protocol.api.HistoryEntry;
import dev.cairn.protocol.collection.CollectionCommand;
import dev.cairn.protocol.collection.CollectionDefinition;
import dev.cairn.protocol.collection.CollectionEvent;
import dev.cairn.protocol.collection.CollectionReply;
import dev.cairn.protocol.command.Preconditions;
import dev.cairn.protocol.command.WriteContext;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * What the front door asks of collection definitions, wherever their entities live: define one,
 * read one, and its history. Which definition is in force is {@link CollectionRegistry}'s answer; a
 * definition is answered only once this node's registry has it, so a client that defines a
 * collection and then writes through the same node finds the definition in force.
 */
public final class CollectionDefinitions {

  private final ActorSystem<?> system;
  private final JdbcReadJournal journal;
  private final ClusterSharding sharding;
  private final CollectionRegistry registry;
  private final Duration askTimeout;

  public CollectionDefinitions(
      ActorSystem<?> system, CollectionRegistry registry, Duration askTimeout) {
    this.system = system;
    this.journal =
        PersistenceQuery.get(system)
            .getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
    this.sharding = ClusterSharding.get(system);
    this.registry = registry;
    this.askTimeout = askTimeout;
  }

  public CompletionStage<CollectionReply> define(
      String name,
      CollectionDefinition definition,
      Preconditions preconditions,
      WriteContext context) {
    return ask(name, new CollectionCommand.Define(definition, preconditions, context))
        .thenCompose(
            reply ->
                reply instanceof CollectionReply.Defined defined
                    ? registry
                        .awaitVersion(name, defined.collection().version(), askTimeout)
                        .thenApply(inForce -> reply)
                    : CompletableFuture.completedFuture(reply));
  }

  public CompletionStage<CollectionReply> get(String name) {
    return ask(name, CollectionCommand.Get.INSTANCE);
  }

  /** Up to {@code limit} definition changes after version {@code after}, oldest first. */
  public CompletionStage<List<HistoryEntry>> history(String name, long after, int limit) {
    return journal
        .currentEventsByPersistenceId(
            CollectionEntity.persistenceId(name), after + 1, after + limit)
        .map(e -> HistoryEntries.of(e.sequenceNr(), (CollectionEvent) e.event()))
        .runWith(Sink.seq(), system);
  }

  private CompletionStage<CollectionReply> ask(String name, CollectionCommand command) {
    return Replies.onDispatcher(
        system,
        sharding
            .entityRefFor(CollectionEntity.TYPE_KEY, name)
            .ask(replyTo -> new CollectionEntity.Command(command, replyTo), askTimeout));
  }
}
