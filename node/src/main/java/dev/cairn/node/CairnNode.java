package dev.cairn.node;

import com.typesafe.config.Config;
import dev.cairn.config.CairnSettings;
import dev.cairn.node.http.ApiRoutes;
import dev.cairn.node.http.DocumentRoutes;
import dev.cairn.node.http.OperationsRoutes;
import dev.cairn.node.http.RequestBodies;
import dev.cairn.persistence.DocumentEntity;
import dev.cairn.persistence.DocumentHistory;
import dev.cairn.persistence.Documents;
import dev.cairn.persistence.JournalSchema;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running Cairn node: the journal schema migrated, the actor system a member of its cluster,
 * document sharding started, and the HTTP front door bound. Started by {@code cairn serve} and, in
 * the same way, by the tests.
 */
public final class CairnNode implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(CairnNode.class);
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

  private final ActorSystem<Void> system;
  private final ServerBinding binding;
  private final CairnSettings settings;

  private CairnNode(ActorSystem<Void> system, ServerBinding binding, CairnSettings settings) {
    this.system = system;
    this.binding = binding;
    this.settings = settings;
  }

  /** Starts a node and returns once it serves HTTP as an Up member of its cluster. */
  public static CairnNode start(Config config) throws Exception {
    CairnSettings settings = CairnSettings.from(config);
    if (settings.database().migrateOnStart()) {
      int applied = JournalSchema.migrate(settings.database());
      log.info("Journal schema up to date ({} migrations applied)", applied);
    }
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "cairn", config);
    try {
      joinCluster(system).toCompletableFuture().get(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      DocumentEntity.init(system, settings.snapshotEvery());
      ServerBinding binding =
          Http.get(system)
              .newServerAt(settings.httpHost(), settings.httpPort())
              .bind(routes(system, settings))
              .toCompletableFuture()
              .get(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS)
              .addToCoordinatedShutdown(settings.drainTimeout(), system);
      return new CairnNode(system, binding, settings);
    } catch (Exception e) {
      system.terminate();
      throw e;
    }
  }

  public int httpPort() {
    return binding.localAddress().getPort();
  }

  public String httpHost() {
    return binding.localAddress().getHostString();
  }

  public CairnSettings settings() {
    return settings;
  }

  public ActorSystem<Void> system() {
    return system;
  }

  /** Completes when the node has stopped, whether by {@link #close()} or by SIGTERM. */
  public CompletionStage<?> whenTerminated() {
    return system.getWhenTerminated();
  }

  /** Stops the node the way SIGTERM does: unbind, drain, hand off, leave, stop. */
  @Override
  public void close() throws Exception {
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  private static org.apache.pekko.http.javadsl.server.Route routes(
      ActorSystem<Void> system, CairnSettings settings) {
    Documents documents = new Documents(system, new DocumentHistory(system), settings.askTimeout());
    Cluster cluster = Cluster.get(system);
    return new ApiRoutes(
            new DocumentRoutes(
                    documents,
                    new RequestBodies(settings.maxBodySize(), system),
                    settings.historyMaxPageSize())
                .route(),
            new OperationsRoutes(() -> cluster.selfMember().status() == MemberStatus.up()).route())
        .route();
  }

  /** With no seed nodes configured, the node joins itself and forms a cluster of one. */
  private static CompletionStage<Void> joinCluster(ActorSystem<Void> system) {
    CompletableFuture<Void> up = new CompletableFuture<>();
    org.apache.pekko.cluster.Cluster classic =
        org.apache.pekko.cluster.Cluster.get(system.classicSystem());
    classic.registerOnMemberUp(() -> up.complete(null));
    if (system.settings().config().getStringList("pekko.cluster.seed-nodes").isEmpty()) {
      Cluster cluster = Cluster.get(system);
      cluster.manager().tell(Join.create(cluster.selfMember().address()));
    }
    return up;
  }
}
