package dev.cairn.persistence;

import dev.cairn.protocol.Document;
import dev.cairn.protocol.DocumentKey;
import dev.cairn.protocol.Problem;
import dev.cairn.protocol.access.AccessRules;
import dev.cairn.protocol.access.Principal;
import dev.cairn.protocol.api.HistoryEntry;
import dev.cairn.protocol.command.DocumentCommand;
import dev.cairn.protocol.reply.DocumentReply;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * What the front door asks of documents, wherever in the cluster they live: commands go through
 * Cluster Sharding to the owning node, history is read from the journal. Everything it answers is a
 * protocol type (a reply, a {@link Document}, a {@link HistoryEntry}). A reply that does not arrive
 * within the ask timeout fails the stage with a {@link TimeoutException}.
 */
public final class Documents {

  private final ActorSystem<?> system;
  private final ClusterSharding sharding;
  private final DocumentHistory history;
  private final AccessControl access;
  private final Duration askTimeout;

  public Documents(
      ActorSystem<?> system, DocumentHistory history, AccessControl access, Duration askTimeout) {
    this.system = system;
    this.sharding = ClusterSharding.get(system);
    this.history = history;
    this.access = access;
    this.askTimeout = askTimeout;
  }

  /** The document now, as its entity answers {@code caller}. */
  public CompletionStage<DocumentReply> get(DocumentKey key, Principal caller) {
    return ask(key, new DocumentCommand.Get(caller));
  }

  /**
   * Performs a write. The reply is {@code Written} or {@code Rejected}: a retried idempotency key
   * whose first result is no longer current is answered with that first result, read from history.
   */
  public CompletionStage<DocumentReply> write(DocumentKey key, DocumentCommand.Write write) {
    return ask(key, write)
        .thenCompose(
            reply ->
                reply instanceof DocumentReply.AlreadyWritten earlier
                    ? firstResult(key, earlier)
                    : CompletableFuture.completedFuture(reply));
  }

  /**
   * The document as it was at {@code version}; empty if it has no such version. Fails with {@link
   * AccessControl.Refused} if {@code caller} may not read the document.
   */
  public CompletionStage<Optional<Document>> at(DocumentKey key, Principal caller, long version) {
    return readable(key, caller)
        .thenCompose(ok -> history.stateAt(key, version))
        .thenApply(state -> state.map(DocumentState::toDocument));
  }

  /** The document as it was at {@code instant}; empty if it did not exist yet. */
  public CompletionStage<Optional<Document>> at(
      DocumentKey key, Principal caller, Instant instant) {
    return readable(key, caller)
        .thenCompose(ok -> history.stateAt(key, instant))
        .thenApply(state -> state.map(DocumentState::toDocument));
  }

  /** Up to {@code limit} history entries after version {@code after}, oldest first. */
  public CompletionStage<List<HistoryEntry>> history(
      DocumentKey key, Principal caller, long after, int limit) {
    return readable(key, caller).thenCompose(ok -> history.entries(key, after, limit));
  }

  /**
   * Completes if {@code caller} may read the document's past: whoever may read it now. Only when
   * that depends on who owns it is the entity asked, as it knows the current owner.
   */
  private CompletionStage<Void> readable(DocumentKey key, Principal caller) {
    AccessRules.Grant grant;
    try {
      grant = access.grant(key.collection(), AccessRules.Operation.READ, caller);
      if (grant == AccessRules.Grant.NEVER) {
        access.requireAny(key.collection(), caller, AccessRules.Operation.READ);
      }
    } catch (AccessControl.Refused refused) {
      return CompletableFuture.failedFuture(refused);
    }
    if (grant == AccessRules.Grant.ALWAYS) {
      return CompletableFuture.completedFuture(null);
    }
    return get(key, caller)
        .thenApply(
            reply -> {
              if (reply instanceof DocumentReply.Rejected rejected
                  && rejected.problem() != Problem.DELETED) {
                throw new AccessControl.Refused(rejected.problem(), rejected.detail());
              }
              return null;
            });
  }

  /**
   * Asks the document's entity. Cluster Sharding delivers at most once while a shard moves between
   * nodes (a node leaving, a rebalance), so a command that is safe to repeat is asked once more
   * when its answer does not come in time: a read, or a write the entity recognises as a retry by
   * its Idempotency-Key. Each of the two asks has half the ask timeout, so that the caller has its
   * answer or its 503 within the ask timeout either way (with a whole one each, a stalled database
   * held such requests for twice as long). Any other write has the whole ask timeout and then fails
   * with it, as it may have been applied.
   */
  private CompletionStage<DocumentReply> ask(DocumentKey key, DocumentCommand command) {
    if (!safeToRepeat(command)) {
      return askOnce(key, command, askTimeout);
    }
    Duration each = askTimeout.dividedBy(2);
    return askOnce(key, command, each)
        .handle(
            (reply, failure) ->
                failure == null
                    ? CompletableFuture.completedFuture(reply)
                    : isTimeout(failure)
                        ? askOnce(key, command, each)
                        : CompletableFuture.<DocumentReply>failedFuture(failure))
        .thenCompose(Function.identity());
  }

  private CompletionStage<DocumentReply> askOnce(
      DocumentKey key, DocumentCommand command, Duration timeout) {
    return Replies.onDispatcher(
        system,
        sharding
            .entityRefFor(DocumentEntity.TYPE_KEY, key.entityId())
            .ask(replyTo -> new DocumentEntity.Command(command, replyTo), timeout));
  }

  private static boolean safeToRepeat(DocumentCommand command) {
    return command instanceof DocumentCommand.Get
        || (command instanceof DocumentCommand.Write write
            && write.context().idempotencyKey() != null);
  }

  private static boolean isTimeout(Throwable failure) {
    Throwable cause = failure;
    while (cause instanceof CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause instanceof TimeoutException;
  }

  private CompletionStage<DocumentReply> firstResult(
      DocumentKey key, DocumentReply.AlreadyWritten earlier) {
    return history
        .stateAt(key, earlier.version())
        .thenApply(
            state ->
                new DocumentReply.Written(state.orElseThrow().toDocument(), earlier.created()));
  }
}
