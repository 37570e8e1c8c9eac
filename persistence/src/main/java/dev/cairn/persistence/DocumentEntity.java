package dev.cairn.persistence;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.protocol.CairnSerializable;
import dev.cairn.protocol.DocumentKey;
import dev.cairn.protocol.Problem;
import dev.cairn.protocol.Violation;
import dev.cairn.protocol.access.AccessRules;
import dev.cairn.protocol.access.Principal;
import dev.cairn.protocol.collection.CollectionView;
import dev.cairn.protocol.command.DocumentCommand;
import dev.cairn.protocol.command.WriteContext;
import dev.cairn.protocol.event.DocumentEvent;
import dev.cairn.protocol.event.EventMetadata;
import dev.cairn.protocol.reply.DocumentReply;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.stream.Collectors;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.RecoveryFailed;
import org.apache.pekko.persistence.typed.SnapshotCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * One JSON document as an event-sourced actor, placed by Cluster Sharding on exactly one node.
 *
 * <p>Every command is answered exactly once. A write is decided against the current state (its
 * preconditions, its idempotency key, whether its patch applies); if it is refused nothing is
 * written, otherwise its event is persisted and only then is the reply sent, so an acknowledged
 * write is in the journal. What an event means is {@link DocumentState#apply}, shared with history
 * and time travel.
 *
 * <p>The entity is the authority over what its document may become. It looks up its collection's
 * definition in this node's {@link CollectionRegistry} (so a write is checked against the schema in
 * force, wherever the request came from), holds the content a write produces to {@link JsonLimits}
 * and to that schema, and records in each event the definition version it checked against. A revert
 * takes the old content from the document's own history. Patching and validation share one {@link
 * Deadline}; a write that cannot be decided is refused, never left to crash the actor or, through a
 * fatal error on a dispatcher thread, the node.
 *
 * <p>Events are never deleted: snapshots every N events only bound recovery time.
 */
public final class DocumentEntity
    extends EventSourcedBehaviorWithEnforcedReplies<
        DocumentEntity.Message, DocumentEvent, DocumentState> {

  public static final EntityTypeKey<Message> TYPE_KEY =
      EntityTypeKey.create(Message.class, "Document");

  /** What the entity receives. */
  public sealed interface Message {}

  /** A document command with the actor to answer. */
  public record Command(DocumentCommand command, ActorRef<DocumentReply> replyTo)
      implements Message, CairnSerializable {}

  /**
   * An administrator's look at the state as it is, deleted or not, answered with {@code Found};
   * with {@code passivate} the entity then leaves memory, so that the next message recovers it from
   * the journal.
   */
  public record Inspect(boolean passivate, ActorRef<DocumentReply> replyTo)
      implements Message, CairnSerializable {}

  /**
   * Sharding's stop message, for passivation and hand-off, in place of its default {@code
   * PoisonPill}. A PoisonPill that arrives while an event is being persisted is held in the
   * behaviour's state; when that persist fails and the entity restarts with back-off, the restarted
   * entity has forgotten it and never stops, so a hand-off of its shard waits the whole {@code
   * handoff-timeout} (60 s) with every request for the shard buffered (chaos finding 3). A command
   * is stashed instead, the stash survives the restart, and the entity stops as soon as it has
   * recovered. Sent only by the local shard, never across nodes.
   */
  public record Stop() implements Message {}

  /**
   * Sent by an entity that has no events to itself after a command: if it still has none, it
   * passivates. A document's absence is never held longer than one command, so an import may write
   * a new document's history into the journal without going through its entity ({@code
   * NewHistories}) and no running entity goes on answering "not found" for it.
   */
  private record ForgetIfEmpty() implements Message {}

  /** The state a revert goes back to, read from the journal; sent by the entity to itself. */
  private record PastState(
      DocumentCommand.Revert revert,
      ActorRef<DocumentReply> replyTo,
      Optional<DocumentState> past,
      Throwable failure)
      implements Message {}

  /** What every document entity of a node works with. */
  public record Setup(
      CollectionRegistry registry,
      DocumentHistory history,
      JsonLimits limits,
      boolean strict,
      int defaultSnapshotEvery,
      Clock clock) {}

  private static final Logger log = LoggerFactory.getLogger(DocumentEntity.class);

  private final ActorContext<Message> context;
  private final DocumentKey key;
  private final Setup setup;
  private final int snapshotEvery;
  private final AccessControl access;
  // Where a passivation is asked for; null outside Cluster Sharding (an entity a test spawns).
  private final ActorRef<ClusterSharding.ShardCommand> shard;
  // This node's cluster address, recorded in every event; null outside Cluster Sharding.
  private final String node;
  private final EntityMetrics metrics;
  private final PauseFence fence;
  private final long startedNanos = System.nanoTime();
  private boolean recovered;

  private DocumentEntity(
      ActorContext<Message> context,
      DocumentKey key,
      Setup setup,
      ActorRef<ClusterSharding.ShardCommand> shard,
      String node) {
    super(
        PersistenceId.ofUniqueId(key.entityId()),
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.2));
    this.context = context;
    this.key = key;
    this.setup = setup;
    this.snapshotEvery =
        setup.registry().snapshotEvery(key.collection(), setup.defaultSnapshotEvery());
    this.access = new AccessControl(setup.registry());
    this.shard = shard;
    this.node = node;
    this.metrics = EntityMetrics.of(context.getSystem());
    this.fence = PauseFence.get(context.getSystem());
  }

  /** Registers the entity type with Cluster Sharding on this node. */
  public static void init(ActorSystem<?> system, Setup setup) {
    // Started with sharding, so that this node answers the other members' questions after a pause.
    PauseFence.get(system);
    String node = Cluster.get(system).selfMember().address().toString();
    ClusterSharding.get(system)
        .init(
            Entity.of(
                    TYPE_KEY,
                    entity ->
                        Behaviors.setup(
                            context ->
                                new DocumentEntity(
                                    context,
                                    DocumentKey.ofEntityId(entity.getEntityId()),
                                    setup,
                                    entity.getShard(),
                                    node)))
                .withStopMessage(new Stop()));
  }

  public static Behavior<Message> create(DocumentKey key, Setup setup) {
    return Behaviors.setup(context -> new DocumentEntity(context, key, setup, null, null));
  }

  @Override
  public DocumentState emptyState() {
    return DocumentState.empty(key.collection(), key.id());
  }

  @Override
  public CommandHandlerWithReply<Message, DocumentEvent, DocumentState> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(
            Command.class, (state, command) -> forgetIfEmpty(state, onCommand(state, command)))
        .onCommand(
            ForgetIfEmpty.class,
            (state, forget) -> {
              if (state.version() == 0) {
                shard.tell(new ClusterSharding.Passivate<>(context.getSelf()));
              }
              return Effect().noReply();
            })
        .onCommand(PastState.class, this::onPastState)
        .onCommand(
            Inspect.class, (state, inspect) -> forgetIfEmpty(state, onInspect(state, inspect)))
        .onCommand(Stop.class, stop -> Effect().stop().thenNoReply())
        .build();
  }

  /** The effect, and a {@link ForgetIfEmpty} to come after it if this entity has no events. */
  private ReplyEffect<DocumentEvent, DocumentState> forgetIfEmpty(
      DocumentState state, ReplyEffect<DocumentEvent, DocumentState> effect) {
    if (state.version() == 0 && shard != null) {
      context.getSelf().tell(new ForgetIfEmpty());
    }
    return effect;
  }

  @Override
  public EventHandler<DocumentState, DocumentEvent> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent(DocumentState::apply);
  }

  @Override
  public SignalHandler<DocumentState> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(
            RecoveryCompleted.instance(),
            state -> {
              recovered = true;
              metrics.recovered(Duration.ofNanos(System.nanoTime() - startedNanos));
            })
        .onSignal(RecoveryFailed.class, (state, failed) -> metrics.recoveryFailed())
        .onSignal(SnapshotCompleted.class, (state, done) -> metrics.snapshotWritten())
        .onSignal(
            PostStop.instance(),
            state -> {
              if (recovered) {
                metrics.stopped();
              }
            })
        .build();
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(snapshotEvery, 2);
  }

  @Override
  public Set<String> tagsFor(DocumentEvent event) {
    return DocumentTags.forPersistenceId(persistenceId().id());
  }

  // --- commands -------------------------------------------------------------------------------

  private ReplyEffect<DocumentEvent, DocumentState> onInspect(
      DocumentState state, Inspect inspect) {
    if (inspect.passivate()) {
      if (shard != null) {
        shard.tell(new ClusterSharding.Passivate<>(context.getSelf()));
      } else {
        return Effect()
            .stop()
            .thenReply(inspect.replyTo(), s -> new DocumentReply.Found(s.toDocument()));
      }
    }
    return Effect().reply(inspect.replyTo(), new DocumentReply.Found(state.toDocument()));
  }

  private ReplyEffect<DocumentEvent, DocumentState> onCommand(
      DocumentState state, Command envelope) {
    ActorRef<DocumentReply> replyTo = envelope.replyTo();
    return envelope
        .command()
        .accept(
            new DocumentCommand.Visitor<ReplyEffect<DocumentEvent, DocumentState>>() {
              @Override
              public ReplyEffect<DocumentEvent, DocumentState> put(DocumentCommand.Put put) {
                return write(state, put, replyTo, put.data());
              }

              @Override
              public ReplyEffect<DocumentEvent, DocumentState> patch(DocumentCommand.Patch patch) {
                return write(state, patch, replyTo, null);
              }

              @Override
              public ReplyEffect<DocumentEvent, DocumentState> delete(
                  DocumentCommand.Delete delete) {
                return write(state, delete, replyTo, null);
              }

              @Override
              public ReplyEffect<DocumentEvent, DocumentState> revert(
                  DocumentCommand.Revert revert) {
                Optional<DocumentReply.Rejected> refused =
                    refusal(state, operationOf(state, revert), revert.context().caller());
                if (refused.isPresent()) {
                  metrics.command("revert", EntityMetrics.Outcome.of(refused.get()));
                  return Effect().reply(replyTo, refused.get());
                }
                return startRevert(state, revert, replyTo);
              }

              @Override
              public ReplyEffect<DocumentEvent, DocumentState> get(DocumentCommand.Get get) {
                // After a pause this entity may be a stale copy of a document another node now
                // holds; a write cannot commit then (the journal asks the fence too), a read must
                // not answer.
                if (!fence.isOpen()) {
                  metrics.command("get", EntityMetrics.Outcome.UNAVAILABLE);
                  return Effect()
                      .reply(
                          replyTo,
                          new DocumentReply.Rejected(
                              Problem.UNAVAILABLE,
                              key + " is not served here now: " + fence.reason(),
                              state.version()));
                }
                Optional<DocumentReply.Rejected> refused =
                    refusal(state, AccessRules.Operation.READ, get.caller());
                metrics.command(
                    "get",
                    refused.map(EntityMetrics.Outcome::of).orElse(EntityMetrics.Outcome.READ));
                return Effect()
                    .reply(
                        replyTo,
                        refused.isPresent()
                            ? refused.get()
                            : state.isLive()
                                ? new DocumentReply.Found(state.toDocument())
                                : absent(state));
              }

              @Override
              public ReplyEffect<DocumentEvent, DocumentState> importEvents(
                  DocumentCommand.Import importing) {
                return imported(state, importing, replyTo);
              }
            });
  }

  /**
   * Appends exported events as they were, if they continue this document's history: the document is
   * at the version they follow and each of them applies (the same {@link DocumentState#apply} that
   * recovery will run). Only an administrator may import.
   */
  private ReplyEffect<DocumentEvent, DocumentState> imported(
      DocumentState state, DocumentCommand.Import importing, ActorRef<DocumentReply> replyTo) {
    if (!importing.caller().admin()) {
      return Effect()
          .reply(
              replyTo,
              new DocumentReply.Rejected(
                  Problem.FORBIDDEN, "only an administrator may import events", 0));
    }
    if (state.version() != importing.after()) {
      return Effect()
          .reply(
              replyTo,
              new DocumentReply.Rejected(
                  Problem.VERSION_MISMATCH,
                  key + " is at version " + state.version() + ", not " + importing.after(),
                  state.version()));
    }
    DocumentState next = state;
    try {
      for (DocumentEvent event : importing.events()) {
        next = next.apply(event);
      }
    } catch (RuntimeException | StackOverflowError e) {
      return Effect()
          .reply(
              replyTo,
              new DocumentReply.Rejected(
                  Problem.INVALID_PATCH,
                  "event " + (next.version() + 1) + " of " + key + " does not apply: " + e,
                  state.version()));
    }
    if (importing.events().isEmpty()) {
      return Effect().reply(replyTo, new DocumentReply.Written(state.toDocument(), false));
    }
    boolean created = !state.everExisted();
    return Effect()
        .persist(importing.events())
        .thenReply(
            replyTo,
            written -> {
              metrics.command("import", EntityMetrics.Outcome.WRITTEN);
              return new DocumentReply.Written(written.toDocument(), created);
            });
  }

  /**
   * A revert to an earlier version reads that version from the journal first, which the entity does
   * without blocking: the answer comes back as {@link PastState}, and the revert is decided then,
   * against the state at that time. History does not change, so nothing is lost if other commands
   * are decided meanwhile.
   */
  private ReplyEffect<DocumentEvent, DocumentState> startRevert(
      DocumentState state, DocumentCommand.Revert revert, ActorRef<DocumentReply> replyTo) {
    if (state
            .rememberedWrite(revert.context().idempotencyKey(), revert.context().principal())
            .isPresent()
        || revert.toVersion() < 1
        || revert.toVersion() > state.version()) {
      return write(state, revert, replyTo, null);
    }
    if (revert.toVersion() == state.version() && state.isLive()) {
      return write(state, revert, replyTo, state.data());
    }
    CompletionStage<Optional<DocumentState>> past =
        setup.history().stateAt(key, revert.toVersion());
    context.pipeToSelf(past, (found, failure) -> new PastState(revert, replyTo, found, failure));
    return Effect().noReply();
  }

  private ReplyEffect<DocumentEvent, DocumentState> onPastState(
      DocumentState state, PastState loaded) {
    if (loaded.failure() != null) {
      logged(
          loaded.revert().context(),
          () ->
              log.warn(
                  "reading version {} of {} failed",
                  loaded.revert().toVersion(),
                  key,
                  loaded.failure()));
      return Effect()
          .reply(
              loaded.replyTo(),
              new DocumentReply.Rejected(
                  Problem.UNAVAILABLE,
                  "the history of " + key + " could not be read; nothing was written",
                  state.version()));
    }
    DocumentState past = loaded.past().orElse(null);
    if (past != null && past.deleted()) {
      return Effect()
          .reply(
              loaded.replyTo(),
              new DocumentReply.Rejected(
                  Problem.NOT_REVERTIBLE,
                  "version " + loaded.revert().toVersion() + " of " + key + " is a deletion",
                  state.version()));
    }
    return write(state, loaded.revert(), loaded.replyTo(), past == null ? null : past.data());
  }

  /**
   * Answers a write: the first result again for a retried idempotency key, a refusal, or the event
   * persisted and then the reply.
   *
   * @param content the content a put or revert sets (null for a patch, a delete, or a revert whose
   *     version could not be found)
   */
  private ReplyEffect<DocumentEvent, DocumentState> write(
      DocumentState state,
      DocumentCommand.Write write,
      ActorRef<DocumentReply> replyTo,
      ObjectNode content) {
    Principal caller = write.context().caller();
    Optional<DocumentState.RememberedWrite> earlier =
        state.rememberedWrite(write.context().idempotencyKey(), write.context().principal());
    // A retry is answered with the document as the first write left it: whoever may read it.
    Optional<DocumentReply.Rejected> refused =
        refusal(
            state,
            earlier.isPresent() ? AccessRules.Operation.READ : operationOf(state, write),
            caller);
    String type = write.getClass().getSimpleName().toLowerCase(Locale.ROOT);
    if (refused.isPresent()) {
      metrics.command(type, EntityMetrics.Outcome.of(refused.get()));
      return Effect().reply(replyTo, refused.get());
    }
    if (earlier.isPresent()) {
      metrics.command(type, EntityMetrics.Outcome.IDEMPOTENT_RETRY);
      return Effect().reply(replyTo, retried(state, write, earlier.get()));
    }
    Decision decision = decideSafely(state, write, content);
    if (decision.rejection != null) {
      metrics.command(type, EntityMetrics.Outcome.of(decision.rejection));
      return Effect().reply(replyTo, decision.rejection);
    }
    boolean created = decision.event instanceof DocumentEvent.Created;
    return Effect()
        .persist(decision.event)
        .thenReply(
            replyTo,
            written -> {
              metrics.command(type, EntityMetrics.Outcome.WRITTEN);
              return new DocumentReply.Written(written.toDocument(), created);
            });
  }

  /**
   * Why the caller may not do {@code operation} to this document, decided before anything else (a
   * refusal names no version, so it does not tell whether the document exists), or empty.
   */
  private Optional<DocumentReply.Rejected> refusal(
      DocumentState state, AccessRules.Operation operation, Principal caller) {
    if (!setup.registry().loaded()) {
      return Optional.of(
          new DocumentReply.Rejected(
              Problem.UNAVAILABLE,
              "this node has not read the collection definitions yet (the journal database does"
                  + " not answer), so it cannot tell who may do what; nothing was written",
              0));
    }
    return access
        .refusal(key, operation, caller, state.isLive() ? state.data() : null)
        .map(refused -> new DocumentReply.Rejected(refused.problem(), refused.getMessage(), 0));
  }

  /** What a write is, as the rules see it: a put or revert of a document not there creates it. */
  private static AccessRules.Operation operationOf(
      DocumentState state, DocumentCommand.Write write) {
    if (write instanceof DocumentCommand.Delete) {
      return AccessRules.Operation.DELETE;
    }
    if (write instanceof DocumentCommand.Patch) {
      return AccessRules.Operation.UPDATE;
    }
    return state.isLive() ? AccessRules.Operation.UPDATE : AccessRules.Operation.CREATE;
  }

  /** Either the event a write produces or why it is refused. */
  private record Decision(DocumentEvent event, DocumentReply.Rejected rejection) {
    static Decision write(DocumentEvent event) {
      return new Decision(event, null);
    }

    static Decision refuse(DocumentReply.Rejected rejection) {
      return new Decision(null, rejection);
    }
  }

  /**
   * Logs for a write with its request id, trace, caller, collection and document in the MDC, the
   * fields of a JSON log line, so that the line is found by the request id the client was given.
   */
  private void logged(WriteContext write, Runnable logging) {
    String[] keys = {"requestId", "traceId", "principal", "collection", "document"};
    String[] values = {
      write.requestId(), write.traceId(), write.principal(), key.collection(), key.id()
    };
    for (int i = 0; i < keys.length; i++) {
      if (values[i] != null) {
        MDC.put(keys[i], values[i]);
      }
    }
    try {
      logging.run();
    } finally {
      for (String k : keys) {
        MDC.remove(k);
      }
    }
  }

  /**
   * {@link #decide}, answering whatever happens: a limit the input breaks is a refusal naming it,
   * and a bug is a refusal that says so (and is logged), not an actor that restarts while the
   * client waits. A {@link StackOverflowError} is caught here because Pekko treats it as fatal and
   * would end the node; every recursion on the way is bounded by the limits, so this is a last
   * line, not the defence.
   */
  private Decision decideSafely(
      DocumentState state, DocumentCommand.Write write, ObjectNode content) {
    try {
      return decide(
          state, write, content, Deadline.after(setup.limits().settings().validationTimeout()));
    } catch (JsonLimits.Exceeded e) {
      return Decision.refuse(
          new DocumentReply.Rejected(e.problem(), e.getMessage(), state.version()));
    } catch (Deadline.Expired e) {
      return Decision.refuse(
          new DocumentReply.Rejected(Problem.LIMIT_EXCEEDED, e.getMessage(), state.version()));
    } catch (StackOverflowError e) {
      return Decision.refuse(
          new DocumentReply.Rejected(
              Problem.LIMIT_EXCEEDED,
              "the write is nested too deeply to be processed",
              state.version()));
    } catch (RuntimeException e) {
      logged(write.context(), () -> log.error("deciding a write to {} failed", key, e));
      return Decision.refuse(
          new DocumentReply.Rejected(
              Problem.INTERNAL,
              "the server failed to decide the write; it was logged and nothing was written",
              state.version()));
    }
  }

  private Decision decide(
      DocumentState state, DocumentCommand.Write write, ObjectNode content, Deadline deadline)
      throws JsonLimits.Exceeded {
    Optional<PreconditionCheck.Unmet> unmet =
        PreconditionCheck.unmet(
            key.toString(), state.version(), state.isLive(), write.preconditions());
    if (unmet.isPresent()) {
      return Decision.refuse(
          new DocumentReply.Rejected(unmet.get().problem(), unmet.get().detail(), state.version()));
    }
    Optional<CollectionView> definition = setup.registry().definition(key.collection());
    if (definition.isEmpty() && setup.strict()) {
      return Decision.refuse(
          new DocumentReply.Rejected(
              Problem.UNDEFINED_COLLECTION,
              "the collection "
                  + key.collection()
                  + " is not defined and this server accepts writes only to defined collections",
              state.version()));
    }
    Principal caller = write.context().caller();
    return write.accept(
        new DocumentCommand.Visitor<Decision>() {
          @Override
          public Decision put(DocumentCommand.Put put) {
            EventMetadata meta = metadata(state, write.context(), definition, content);
            return checked(state, caller, content, definition, deadline)
                .orElseGet(
                    () ->
                        Decision.write(
                            state.isLive()
                                ? new DocumentEvent.Replaced(content, meta)
                                : new DocumentEvent.Created(content, meta)));
          }

          @Override
          public Decision patch(DocumentCommand.Patch patch) {
            if (!state.isLive()) {
              return Decision.refuse(absent(state));
            }
            ObjectNode patched;
            try {
              patched =
                  DocumentPatch.apply(
                      patch.format(), patch.patch(), state.data(), setup.limits(), deadline);
            } catch (DocumentPatch.Failed e) {
              return Decision.refuse(
                  new DocumentReply.Rejected(
                      Problem.INVALID_PATCH, e.getMessage(), state.version()));
            } catch (JsonLimits.Exceeded e) {
              return Decision.refuse(
                  new DocumentReply.Rejected(e.problem(), e.getMessage(), state.version()));
            }
            EventMetadata meta = metadata(state, write.context(), definition, patched);
            return checked(state, caller, patched, definition, deadline)
                .orElseGet(
                    () ->
                        Decision.write(
                            new DocumentEvent.Patched(patch.format(), patch.patch(), meta)));
          }

          @Override
          public Decision delete(DocumentCommand.Delete delete) {
            return state.isLive()
                ? Decision.write(
                    new DocumentEvent.Deleted(
                        metadata(state, write.context(), definition, state.data())))
                : Decision.refuse(absent(state));
          }

          @Override
          public Decision revert(DocumentCommand.Revert revert) {
            if (content == null) {
              return Decision.refuse(noSuchVersion(state, revert.toVersion()));
            }
            EventMetadata meta = metadata(state, write.context(), definition, content);
            return checked(state, caller, content, definition, deadline)
                .orElseGet(
                    () ->
                        Decision.write(
                            new DocumentEvent.Reverted(revert.toVersion(), content, meta)));
          }

          @Override
          public Decision get(DocumentCommand.Get get) {
            throw new IllegalStateException("a read is not a write");
          }

          @Override
          public Decision importEvents(DocumentCommand.Import importing) {
            throw new IllegalStateException("an import is not a write");
          }
        });
  }

  /**
   * The refusal of content that breaks the owner's guarantees, the limits or the collection's
   * schema, or empty if it keeps them all: what the document would become, checked before anything
   * is persisted.
   */
  private Optional<Decision> checked(
      DocumentState state,
      Principal caller,
      ObjectNode content,
      Optional<CollectionView> definition,
      Deadline deadline) {
    Optional<AccessControl.Refused> disowned =
        access.ownership(key, caller, state.isLive() ? state.data() : null, content);
    if (disowned.isPresent()) {
      return Optional.of(
          Decision.refuse(
              new DocumentReply.Rejected(
                  disowned.get().problem(), disowned.get().getMessage(), state.version())));
    }
    try {
      setup.limits().checkDocument(content);
      if (definition.isEmpty() || definition.get().definition().schema() == null) {
        return Optional.empty();
      }
      List<Violation> violations =
          DocumentSchemas.violations(definition.get().definition().schema(), content, deadline);
      if (violations.isEmpty()) {
        return Optional.empty();
      }
      return Optional.of(
          Decision.refuse(
              new DocumentReply.Rejected(
                  Problem.SCHEMA_VIOLATION,
                  "the document does not satisfy the schema of collection "
                      + key.collection()
                      + ": "
                      + violations.stream()
                          .map(
                              v ->
                                  (v.path().isEmpty() ? "(document)" : v.path())
                                      + " "
                                      + v.message())
                          .collect(Collectors.joining("; ")),
                  state.version(),
                  violations)));
    } catch (JsonLimits.Exceeded e) {
      return Optional.of(
          Decision.refuse(
              new DocumentReply.Rejected(e.problem(), e.getMessage(), state.version())));
    }
  }

  private DocumentReply retried(
      DocumentState state, DocumentCommand.Write write, DocumentState.RememberedWrite earlier) {
    if (!Objects.equals(earlier.requestHash(), write.context().requestHash())) {
      return new DocumentReply.Rejected(
          Problem.IDEMPOTENCY_KEY_REUSED,
          "the idempotency key '"
              + earlier.key()
              + "' was first used for a different request on "
              + key,
          state.version());
    }
    if (earlier.version() == state.version()) {
      return new DocumentReply.Written(state.toDocument(), earlier.created());
    }
    return new DocumentReply.AlreadyWritten(earlier.version(), earlier.created());
  }

  private DocumentReply.Rejected noSuchVersion(DocumentState state, long version) {
    return state.everExisted()
        ? new DocumentReply.Rejected(
            Problem.VERSION_NOT_FOUND,
            key + " has versions 1 to " + state.version() + ", not " + version,
            state.version())
        : absent(state);
  }

  private DocumentReply.Rejected absent(DocumentState state) {
    if (state.everExisted()) {
      return new DocumentReply.Rejected(
          Problem.DELETED, key + " was deleted (version " + state.version() + ")", state.version());
    }
    return new DocumentReply.Rejected(Problem.NOT_FOUND, "there is no document " + key, 0);
  }

  /**
   * This node's time, but never earlier than the document's previous event: a document's history is
   * in the order of its timestamps, so the state at an instant is one version, whichever nodes
   * wrote it and however their clocks disagree. After a write on a node whose clock runs ahead, the
   * document's next events carry that time until the clocks catch up (chaos fault clock-skew).
   */
  private Instant timestamp(DocumentState state) {
    Instant now = setup.clock().instant();
    Instant previous = state.updatedAt();
    return previous != null && previous.isAfter(now) ? previous : now;
  }

  /**
   * @param owned the content whose owner the event records: what the document becomes, or for a
   *     deletion what it was
   */
  private EventMetadata metadata(
      DocumentState state,
      WriteContext context,
      Optional<CollectionView> definition,
      ObjectNode owned) {
    return new EventMetadata(
        timestamp(state),
        context.requestId(),
        context.principal(),
        context.idempotencyKey(),
        context.requestHash(),
        definition.map(CollectionView::version).orElse(null),
        definition.map(view -> AccessControl.ownerOf(view.definition(), owned)).orElse(null),
        context.traceId(),
        node);
  }
}
