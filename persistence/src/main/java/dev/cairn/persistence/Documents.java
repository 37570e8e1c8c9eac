package dev.cairn.persistence;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.protocol.DocumentKey;
import dev.cairn.protocol.Problem;
import dev.cairn.protocol.collection.CollectionDefinition;
import dev.cairn.protocol.command.DocumentCommand;
import dev.cairn.protocol.command.Preconditions;
import dev.cairn.protocol.command.WriteContext;
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
 * What the front door asks of documents, wherever in the cluster they live. Commands go through
 * Cluster Sharding to the owning node; history is read from the journal. A reply that does not
 * arrive within the ask timeout fails the stage with a {@link
 * java.util.concurrent.TimeoutException}.
 */
public final class Documents {

  private final ClusterSharding sharding;
  private final DocumentHistory history;
  private final Collections collections;
  private final Duration askTimeout;
  private final boolean strict;

  /**
   * @param strict refuse writes to collections that are not defined
   */
  public Documents(
      ActorSystem<?> system,
      DocumentHistory history,
      Collections collections,
      Duration askTimeout,
      boolean strict) {
    this.sharding = ClusterSharding.get(system);
    this.history = history;
    this.collections = collections;
    this.askTimeout = askTimeout;
    this.strict = strict;
  }

  public CompletionStage<DocumentReply> get(DocumentKey key) {
    return ask(key, DocumentCommand.Get.INSTANCE);
  }

  /**
   * Performs a write. The reply is {@code Written} or {@code Rejected}: a retried idempotency key
   * whose first result is no longer current is answered with that first result, read from history.
   */
  public CompletionStage<DocumentReply> write(DocumentKey key, DocumentCommand.Write write) {
    return collections
        .definition(key.collection())
        .thenCompose(
            definition -> {
              if (definition.isEmpty() && strict) {
                return CompletableFuture.completedFuture(
                    new DocumentReply.Rejected(
                        Problem.UNDEFINED_COLLECTION,
                        "the collection "
                            + key.collection()
                            + " is not defined and this server accepts writes only to defined"
                            + " collections; define it with PUT /v1/_collections/"
                            + key.collection(),
                        0));
              }
              JsonNode schema = definition.map(CollectionDefinition::schema).orElse(null);
              return writeChecked(key, write.withContext(write.context().withSchema(schema)));
            });
  }

  private CompletionStage<DocumentReply> writeChecked(
      DocumentKey key, DocumentCommand.Write write) {
    return ask(key, write)
        .thenCompose(
            reply ->
                reply instanceof DocumentReply.AlreadyWritten earlier
                    ? firstResult(key, earlier)
                    : CompletableFuture.completedFuture(reply));
  }

  /** Writes a new version equal to {@code toVersion}. */
  public CompletionStage<DocumentReply> revert(
      DocumentKey key, long toVersion, Preconditions preconditions, WriteContext context) {
    if (toVersion < 1) {
      return CompletableFuture.completedFuture(
          new DocumentReply.Rejected(
              Problem.VERSION_NOT_FOUND, "versions start at 1, not " + toVersion, 0));
    }
    return history
        .stateAt(key, toVersion)
        .thenCompose(
            past -> {
              if (past.isEmpty()) {
                return get(key).thenApply(current -> noSuchVersion(key, toVersion, current));
              }
              if (past.get().deleted()) {
                return CompletableFuture.completedFuture(
                    new DocumentReply.Rejected(
                        Problem.NOT_REVERTIBLE,
                        "version "
                            + toVersion
                            + " of "
                            + key
                            + " is a deletion; revert to a"
                            + " version where the document existed, or DELETE it",
                        0));
              }
              return write(
                  key,
                  new DocumentCommand.Revert(toVersion, past.get().data(), preconditions, context));
            });
  }

  public CompletionStage<Optional<DocumentState>> stateAt(DocumentKey key, long version) {
    return history.stateAt(key, version);
  }

  public CompletionStage<Optional<DocumentState>> stateAt(DocumentKey key, Instant instant) {
    return history.stateAt(key, instant);
  }

  public CompletionStage<List<DocumentHistory.VersionedEvent>> events(
      DocumentKey key, long after, int limit) {
    return history.events(key, after, limit);
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

  private static DocumentReply noSuchVersion(DocumentKey key, long version, DocumentReply current) {
    long latest =
        current instanceof DocumentReply.Found found
            ? found.document().version()
            : current instanceof DocumentReply.Rejected rejected ? rejected.currentVersion() : 0;
    if (latest == 0) {
      return new DocumentReply.Rejected(Problem.NOT_FOUND, "there is no document " + key, 0);
    }
    return new DocumentReply.Rejected(
        Problem.VERSION_NOT_FOUND,
        key + " has versions 1 to " + latest + ", not " + version,
        latest);
  }
}
