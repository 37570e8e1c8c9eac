package dev.cairn.persistence;

import dev.cairn.protocol.CairnSerializable;
import dev.cairn.protocol.Problem;
import dev.cairn.protocol.collection.CollectionCommand;
import dev.cairn.protocol.collection.CollectionEvent;
import dev.cairn.protocol.collection.CollectionReply;
import dev.cairn.protocol.command.WriteContext;
import dev.cairn.protocol.event.EventMetadata;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;

/**
 * A collection's definition as an event-sourced, sharded entity with persistence id {@code
 * _collections|<name>}: every definition change is an event, so definitions have history like
 * documents. Its events carry the tag {@link #TAG} for the read model.
 */
public final class CollectionEntity
    extends EventSourcedBehaviorWithEnforcedReplies<
        CollectionEntity.Command, CollectionEvent, CollectionState> {

  public static final EntityTypeKey<Command> TYPE_KEY =
      EntityTypeKey.create(Command.class, "Collection");

  /** The tag of every collection event. */
  public static final String TAG = "collections";

  /** A collection command with the actor to answer. */
  public record Command(CollectionCommand command, ActorRef<CollectionReply> replyTo)
      implements CairnSerializable {}

  private final String name;
  private final Clock clock;

  private CollectionEntity(String name, Clock clock) {
    super(
        PersistenceId.ofUniqueId(persistenceId(name)),
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.2));
    this.name = name;
    this.clock = clock;
  }

  public static String persistenceId(String name) {
    return "_collections|" + name;
  }

  public static void init(ActorSystem<?> system) {
    ClusterSharding.get(system).init(Entity.of(TYPE_KEY, context -> create(context.getEntityId())));
  }

  public static Behavior<Command> create(String name) {
    return new CollectionEntity(name, Clock.systemUTC());
  }

  @Override
  public CollectionState emptyState() {
    return CollectionState.empty(name);
  }

  @Override
  public CommandHandlerWithReply<Command, CollectionEvent, CollectionState> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(Command.class, this::onCommand)
        .build();
  }

  @Override
  public EventHandler<CollectionState, CollectionEvent> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent(CollectionState::apply);
  }

  @Override
  public Set<String> tagsFor(CollectionEvent event) {
    return Set.of(TAG);
  }

  private ReplyEffect<CollectionEvent, CollectionState> onCommand(
      CollectionState state, Command envelope) {
    ActorRef<CollectionReply> replyTo = envelope.replyTo();
    return envelope
        .command()
        .accept(
            new CollectionCommand.Visitor<ReplyEffect<CollectionEvent, CollectionState>>() {
              @Override
              public ReplyEffect<CollectionEvent, CollectionState> define(
                  CollectionCommand.Define define) {
                Optional<PreconditionCheck.Unmet> unmet =
                    PreconditionCheck.unmet(
                        "the collection " + name,
                        state.version(),
                        state.isDefined(),
                        define.preconditions());
                if (unmet.isPresent()) {
                  return Effect()
                      .reply(
                          replyTo,
                          new CollectionReply.Rejected(
                              unmet.get().problem(), unmet.get().detail(), state.version()));
                }
                boolean created = !state.isDefined();
                return Effect()
                    .persist(
                        new CollectionEvent.Defined(
                            define.definition(), metadata(define.context())))
                    .thenReply(
                        replyTo, next -> new CollectionReply.Defined(next.toView(), created));
              }

              @Override
              public ReplyEffect<CollectionEvent, CollectionState> get() {
                return Effect()
                    .reply(
                        replyTo,
                        state.isDefined()
                            ? new CollectionReply.Found(state.toView())
                            : new CollectionReply.Rejected(
                                Problem.NOT_FOUND,
                                "the collection " + name + " is not defined",
                                0));
              }

              @Override
              public ReplyEffect<CollectionEvent, CollectionState> importEvents(
                  CollectionCommand.Import importing) {
                if (state.version() != importing.after()) {
                  return Effect()
                      .reply(
                          replyTo,
                          new CollectionReply.Rejected(
                              Problem.VERSION_MISMATCH,
                              "the collection "
                                  + name
                                  + " is at version "
                                  + state.version()
                                  + ", not "
                                  + importing.after(),
                              state.version()));
                }
                boolean created = !state.isDefined();
                if (importing.events().isEmpty()) {
                  return Effect()
                      .reply(replyTo, new CollectionReply.Defined(state.toView(), created));
                }
                return Effect()
                    .persist(importing.events())
                    .thenReply(
                        replyTo, next -> new CollectionReply.Defined(next.toView(), created));
              }
            });
  }

  private EventMetadata metadata(WriteContext context) {
    return new EventMetadata(
        clock.instant(),
        context.requestId(),
        context.principal(),
        null,
        null,
        null,
        null,
        context.traceId());
  }
}
