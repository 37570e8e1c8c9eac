package dev.cairn.persistence;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.protocol.CairnSerializable;
import dev.cairn.protocol.DocumentKey;
import dev.cairn.protocol.Problem;
import dev.cairn.protocol.Violation;
import dev.cairn.protocol.command.DocumentCommand;
import dev.cairn.protocol.command.Preconditions;
import dev.cairn.protocol.command.WriteContext;
import dev.cairn.protocol.event.DocumentEvent;
import dev.cairn.protocol.event.EventMetadata;
import dev.cairn.protocol.reply.DocumentReply;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.ToIntFunction;
import java.util.stream.Collectors;
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
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One JSON document as an event-sourced actor, placed by Cluster Sharding on exactly one node.
 *
 * <p>Every command is answered exactly once. A write is decided against the current state (its
 * preconditions, its idempotency key, whether its patch applies); if it is refused nothing is
 * written, otherwise its event is persisted and only then is the reply sent, so an acknowledged
 * write is in the journal. What an event means is {@link DocumentState#apply}, shared with history
 * and time travel.
 *
 * <p>The entity is the authority over what a document may become: the content a write produces is
 * held to {@link JsonLimits} (depth, size, strings, numbers) and to the collection's schema before
 * anything is persisted, and patching and validation share one {@link Deadline}. Whatever a write
 * does, it is answered: a write that cannot be decided is refused, never left to crash the actor
 * or, through a fatal error on a dispatcher thread, the node.
 *
 * <p>Events are never deleted: snapshots every N events only bound recovery time.
 */
public final class DocumentEntity
    extends EventSourcedBehaviorWithEnforcedReplies<
        DocumentEntity.Command, DocumentEvent, DocumentState> {

  public static final EntityTypeKey<Command> TYPE_KEY =
      EntityTypeKey.create(Command.class, "Document");

  /** A document command with the actor to answer. */
  public record Command(DocumentCommand command, ActorRef<DocumentReply> replyTo)
      implements CairnSerializable {}

  private static final Logger log = LoggerFactory.getLogger(DocumentEntity.class);

  private final DocumentKey key;
  private final int snapshotEvery;
  private final JsonLimits limits;
  private final Clock clock;

  private DocumentEntity(DocumentKey key, int snapshotEvery, JsonLimits limits, Clock clock) {
    super(
        PersistenceId.ofUniqueId(key.entityId()),
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.2));
    this.key = key;
    this.snapshotEvery = snapshotEvery;
    this.limits = limits;
    this.clock = clock;
  }

  /**
   * Registers the entity type with Cluster Sharding on this node.
   *
   * @param snapshotEvery a collection's snapshot interval, asked when one of its documents starts
   * @param limits what a document may become
   */
  public static void init(
      ActorSystem<?> system, ToIntFunction<String> snapshotEvery, JsonLimits limits) {
    ClusterSharding.get(system)
        .init(
            Entity.of(
                TYPE_KEY,
                context -> {
                  DocumentKey key = DocumentKey.ofEntityId(context.getEntityId());
                  return create(key, snapshotEvery.applyAsInt(key.collection()), limits);
                }));
  }

  public static Behavior<Command> create(DocumentKey key, int snapshotEvery, JsonLimits limits) {
    return create(key, snapshotEvery, limits, Clock.systemUTC());
  }

  static Behavior<Command> create(
      DocumentKey key, int snapshotEvery, JsonLimits limits, Clock clock) {
    return new DocumentEntity(key, snapshotEvery, limits, clock);
  }

  @Override
  public DocumentState emptyState() {
    return DocumentState.empty(key.collection(), key.id());
  }

  @Override
  public CommandHandlerWithReply<Command, DocumentEvent, DocumentState> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(Command.class, this::onCommand)
        .build();
  }

  @Override
  public EventHandler<DocumentState, DocumentEvent> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent((state, event) -> state.apply(event));
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(snapshotEvery, 2);
  }

  @Override
  public Set<String> tagsFor(DocumentEvent event) {
    return DocumentTags.forPersistenceId(persistenceId().id());
  }

  private ReplyEffect<DocumentEvent, DocumentState> onCommand(
      DocumentState state, Command envelope) {
    ActorRef<DocumentReply> replyTo = envelope.replyTo();
    if (envelope.command() instanceof DocumentCommand.Write write) {
      Optional<DocumentState.RememberedWrite> earlier =
          state.rememberedWrite(write.context().idempotencyKey());
      if (earlier.isPresent()) {
        return Effect().reply(replyTo, retried(state, write, earlier.get()));
      }
      Decision decision = decideSafely(state, write);
      if (decision.rejection != null) {
        return Effect().reply(replyTo, decision.rejection);
      }
      boolean created = decision.event instanceof DocumentEvent.Created;
      return Effect()
          .persist(decision.event)
          .thenReply(replyTo, written -> new DocumentReply.Written(written.toDocument(), created));
    }
    return Effect()
        .reply(
            replyTo, state.isLive() ? new DocumentReply.Found(state.toDocument()) : absent(state));
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
   * {@link #decide}, answering whatever happens: a limit the input breaks is a refusal naming it,
   * and a bug is a refusal that says so (and is logged), not an actor that restarts while the
   * client waits. A {@link StackOverflowError} is caught here because Pekko treats it as fatal and
   * would end the node; every recursion on the way is bounded by the limits, so this is a last
   * line, not the defence.
   */
  private Decision decideSafely(DocumentState state, DocumentCommand.Write write) {
    try {
      return decide(state, write, Deadline.after(limits.settings().validationTimeout()));
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
      log.error("deciding a write to {} failed", key, e);
      return Decision.refuse(
          new DocumentReply.Rejected(
              Problem.INTERNAL,
              "the server failed to decide the write; it was logged and nothing was written",
              state.version()));
    }
  }

  private Decision decide(DocumentState state, DocumentCommand.Write write, Deadline deadline)
      throws JsonLimits.Exceeded {
    DocumentReply.Rejected unmet = unmetPrecondition(state, write.preconditions());
    if (unmet != null) {
      return Decision.refuse(unmet);
    }
    EventMetadata meta = metadata(write.context());
    if (write instanceof DocumentCommand.Put put) {
      DocumentReply.Rejected invalid = contentRefusal(state, write, put.data(), deadline);
      if (invalid != null) {
        return Decision.refuse(invalid);
      }
      return Decision.write(
          state.isLive()
              ? new DocumentEvent.Replaced(put.data(), meta)
              : new DocumentEvent.Created(put.data(), meta));
    }
    if (write instanceof DocumentCommand.Revert revert) {
      return revert(state, revert, meta, deadline);
    }
    if (!state.isLive()) {
      return Decision.refuse(absent(state));
    }
    if (write instanceof DocumentCommand.Patch patch) {
      ObjectNode patched;
      try {
        patched =
            DocumentPatch.apply(patch.format(), patch.patch(), state.data(), limits, deadline);
      } catch (DocumentPatch.Failed e) {
        return Decision.refuse(
            new DocumentReply.Rejected(Problem.INVALID_PATCH, e.getMessage(), state.version()));
      }
      DocumentReply.Rejected invalid = contentRefusal(state, write, patched, deadline);
      if (invalid != null) {
        return Decision.refuse(invalid);
      }
      return Decision.write(new DocumentEvent.Patched(patch.format(), patch.patch(), meta));
    }
    return Decision.write(new DocumentEvent.Deleted(meta));
  }

  /** A revert may also bring a deleted document back, to any version where it existed. */
  private Decision revert(
      DocumentState state, DocumentCommand.Revert revert, EventMetadata meta, Deadline deadline)
      throws JsonLimits.Exceeded {
    if (revert.toVersion() < 1 || revert.toVersion() > state.version()) {
      return Decision.refuse(
          state.everExisted()
              ? new DocumentReply.Rejected(
                  Problem.VERSION_NOT_FOUND,
                  key + " has versions 1 to " + state.version() + ", not " + revert.toVersion(),
                  state.version())
              : absent(state));
    }
    DocumentReply.Rejected invalid = contentRefusal(state, revert, revert.data(), deadline);
    if (invalid != null) {
      return Decision.refuse(invalid);
    }
    return Decision.write(new DocumentEvent.Reverted(revert.toVersion(), revert.data(), meta));
  }

  /**
   * The refusal of content that breaks the limits or the collection's schema, or null if it keeps
   * both: what the document would become, checked before anything is persisted.
   */
  private DocumentReply.Rejected contentRefusal(
      DocumentState state, DocumentCommand.Write write, ObjectNode content, Deadline deadline)
      throws JsonLimits.Exceeded {
    limits.checkDocument(content);
    if (write.context().schema() == null) {
      return null;
    }
    List<Violation> violations =
        DocumentSchemas.violations(write.context().schema(), content, deadline);
    if (violations.isEmpty()) {
      return null;
    }
    return new DocumentReply.Rejected(
        Problem.SCHEMA_VIOLATION,
        "the document does not satisfy the schema of collection "
            + key.collection()
            + ": "
            + violations.stream()
                .map(v -> (v.path().isEmpty() ? "(document)" : v.path()) + " " + v.message())
                .collect(Collectors.joining("; ")),
        state.version(),
        violations);
  }

  private DocumentReply.Rejected unmetPrecondition(DocumentState state, Preconditions expected) {
    if (expected.mustNotExist() && state.isLive()) {
      return new DocumentReply.Rejected(
          Problem.ALREADY_EXISTS,
          key + " already exists (version " + state.version() + ")",
          state.version());
    }
    if (expected.mustExist() && !state.isLive()) {
      return new DocumentReply.Rejected(
          Problem.VERSION_MISMATCH,
          "If-Match: * requires " + key + " to exist, and it does not",
          state.version());
    }
    if (!expected.expectedVersions().isEmpty()
        && !expected.expectedVersions().contains(state.version())) {
      return new DocumentReply.Rejected(
          Problem.VERSION_MISMATCH,
          key
              + " is at version "
              + state.version()
              + ", not "
              + (expected.expectedVersions().size() == 1
                  ? expected.expectedVersions().get(0)
                  : "one of " + expected.expectedVersions())
              + "; read it again and retry with its current ETag",
          state.version());
    }
    return null;
  }

  private DocumentReply retried(
      DocumentState state, DocumentCommand.Write write, DocumentState.RememberedWrite earlier) {
    if (!Objects.equals(earlier.requestHash(), write.context().requestHash())) {
      return new DocumentReply.Rejected(
          Problem.IDEMPOTENCY_KEY_REUSED,
          "Idempotency-Key '"
              + earlier.key()
              + "' was first used for a different request on "
              + key
              + "; use a new key for a new request",
          state.version());
    }
    if (earlier.version() == state.version()) {
      return new DocumentReply.Written(state.toDocument(), earlier.created());
    }
    return new DocumentReply.AlreadyWritten(earlier.version(), earlier.created());
  }

  private DocumentReply.Rejected absent(DocumentState state) {
    if (state.everExisted()) {
      return new DocumentReply.Rejected(
          Problem.DELETED,
          key + " was deleted (version " + state.version() + "); a PUT creates it again",
          state.version());
    }
    return new DocumentReply.Rejected(Problem.NOT_FOUND, "there is no document " + key, 0);
  }

  private EventMetadata metadata(WriteContext context) {
    return new EventMetadata(
        clock.instant(),
        context.requestId(),
        context.principal(),
        context.idempotencyKey(),
        context.requestHash());
  }
}
