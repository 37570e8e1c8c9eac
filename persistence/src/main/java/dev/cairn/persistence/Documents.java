package dev.cairn.persistence;

import dev.cairn.protocol.Document;
import dev.cairn.protocol.DocumentKey;
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

  private final ClusterSharding sharding;
  private final DocumentHistory history;
  private final Duration askTimeout;

  public Documents(ActorSystem<?> system, DocumentHistory history, Duration askTimeout) {
    this.sharding = ClusterSharding.get(system);
    this.history = history;
    this.askTimeout = askTimeout;
  }

  public CompletionStage<DocumentReply> get(DocumentKey key) {
    return ask(key, DocumentCommand.Get.INSTANCE);
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

  /** The document as it was at {@code version}; empty if it has no such version. */
  public CompletionStage<Optional<Document>> at(DocumentKey key, long version) {
    return history.stateAt(key, version).thenApply(state -> state.map(DocumentState::toDocument));
  }

  /** The document as it was at {@code instant}; empty if it did not exist yet. */
  public CompletionStage<Optional<Document>> at(DocumentKey key, Instant instant) {
    return history.stateAt(key, instant).thenApply(state -> state.map(DocumentState::toDocument));
  }

  /** Up to {@code limit} history entries after version {@code after}, oldest first. */
  public CompletionStage<List<HistoryEntry>> history(DocumentKey key, long after, int limit) {
    return history.entries(key, after, limit);
  }

  /**
   * Asks the document's entity. Cluster Sharding delivers at most once while a shard moves between
   * nodes (a node leaving, a rebalance), so a command that is safe to repeat is asked once more
   * when its answer does not come in time: a read, or a write the entity recognises as a retry by
   * its Idempotency-Key. Any other write fails with the timeout, as it may have been applied.
   */
  private CompletionStage<DocumentReply> ask(DocumentKey key, DocumentCommand command) {
    CompletionStage<DocumentReply> first = askOnce(key, command);
    if (!safeToRepeat(command)) {
      return first;
    }
    return first
        .handle(
            (reply, failure) ->
                failure == null
                    ? CompletableFuture.completedFuture(reply)
                    : isTimeout(failure)
                        ? askOnce(key, command)
                        : CompletableFuture.<DocumentReply>failedFuture(failure))
        .thenCompose(Function.identity());
  }

  private CompletionStage<DocumentReply> askOnce(DocumentKey key, DocumentCommand command) {
    return sharding
        .entityRefFor(DocumentEntity.TYPE_KEY, key.entityId())
        .ask(replyTo -> new DocumentEntity.Command(command, replyTo), askTimeout);
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
