package dev.cairn.persistence.admin;

import dev.cairn.persistence.Database;
import dev.cairn.persistence.DocumentEntity;
import dev.cairn.protocol.Document;
import dev.cairn.protocol.DocumentKey;
import dev.cairn.protocol.api.RebuildReport;
import dev.cairn.protocol.reply.DocumentReply;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * Rebuilds one document from its events: drops its snapshots, has its entity leave memory wherever
 * in the cluster it lives, and recovers it, then tells whether the state recovered equals the state
 * before. What an operator runs after a snapshot is suspected, or to see a code change fold a
 * document's history.
 */
public final class DocumentRebuild {

  private final ClusterSharding sharding;
  private final Database database;
  private final Duration askTimeout;

  public DocumentRebuild(ActorSystem<?> system, Database database, Duration askTimeout) {
    this.sharding = ClusterSharding.get(system);
    this.database = database;
    this.askTimeout = askTimeout;
  }

  public CompletionStage<RebuildReport> rebuild(DocumentKey key) {
    return inspect(key, false)
        .thenCompose(
            before ->
                dropSnapshots(key)
                    .thenCompose(dropped -> inspect(key, true).thenApply(ignored -> dropped))
                    .thenCompose(
                        dropped -> {
                          long start = System.nanoTime();
                          return inspect(key, false)
                              .thenApply(
                                  after ->
                                      new RebuildReport(
                                          key.collection(),
                                          key.id(),
                                          dropped,
                                          after.version(),
                                          Duration.ofNanos(System.nanoTime() - start).toMillis(),
                                          after.equals(before),
                                          before,
                                          after));
                        }));
  }

  private CompletionStage<Integer> dropSnapshots(DocumentKey key) {
    return database.run(
        c -> {
          try (PreparedStatement delete =
              c.prepareStatement("DELETE FROM \"snapshot\" WHERE \"persistence_id\" = ?")) {
            delete.setString(1, key.entityId());
            return delete.executeUpdate();
          }
        });
  }

  private CompletionStage<Document> inspect(DocumentKey key, boolean passivate) {
    return sharding
        .entityRefFor(DocumentEntity.TYPE_KEY, key.entityId())
        .<DocumentReply>ask(replyTo -> new DocumentEntity.Inspect(passivate, replyTo), askTimeout)
        .thenApply(reply -> ((DocumentReply.Found) reply).document());
  }
}
