package dev.cairn.node;

import ch.qos.logback.classic.LoggerContext;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.cairn.config.CairnSettings;
import dev.cairn.node.cluster.ClusterAdmin;
import dev.cairn.node.http.AdminRoutes;
import dev.cairn.node.http.ApiRoutes;
import dev.cairn.node.http.AuditedOperations;
import dev.cairn.node.http.ChangeFeedRoutes;
import dev.cairn.node.http.CollectionRoutes;
import dev.cairn.node.http.DocumentRoutes;
import dev.cairn.node.http.HistoryRoutes;
import dev.cairn.node.http.JournalRoutes;
import dev.cairn.node.http.ListRoutes;
import dev.cairn.node.http.MetricsRoutes;
import dev.cairn.node.http.OperationsRoutes;
import dev.cairn.node.http.ProjectionRoutes;
import dev.cairn.node.http.RateLimits;
import dev.cairn.node.http.RequestBodies;
import dev.cairn.node.http.StreamSlots;
import dev.cairn.node.metrics.NodeMetrics;
import dev.cairn.node.security.Authenticator;
import dev.cairn.node.security.TlsContexts;
import dev.cairn.node.security.TokenVerifier;
import dev.cairn.persistence.AccessControl;
import dev.cairn.persistence.AdminOperations;
import dev.cairn.persistence.ChangeFeed;
import dev.cairn.persistence.ClusterSecret;
import dev.cairn.persistence.CollectionDefinitions;
import dev.cairn.persistence.CollectionEntity;
import dev.cairn.persistence.CollectionRegistry;
import dev.cairn.persistence.Database;
import dev.cairn.persistence.DocumentEntity;
import dev.cairn.persistence.DocumentHistory;
import dev.cairn.persistence.Documents;
import dev.cairn.persistence.JournalHealth;
import dev.cairn.persistence.JournalSchema;
import dev.cairn.persistence.JsonLimits;
import dev.cairn.persistence.admin.AuditTrail;
import dev.cairn.persistence.admin.DocumentRebuild;
import dev.cairn.persistence.admin.JournalImport;
import dev.cairn.persistence.admin.JournalReader;
import dev.cairn.persistence.admin.ReplayCheck;
import dev.cairn.persistence.readmodel.ProjectionAdmin;
import dev.cairn.persistence.readmodel.ReadModel;
import dev.cairn.persistence.readmodel.Rebuilds;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.http.cors.javadsl.settings.CorsSettings;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.ServerBuilder;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.management.cluster.bootstrap.ClusterBootstrap;
import org.apache.pekko.management.javadsl.PekkoManagement;
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

  /** Seed nodes may start in any order; a node waits this long for one to answer. */
  private static final Duration JOIN_TIMEOUT = Duration.ofMinutes(5);

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
    ActorSystem<Void> system =
        ActorSystem.create(Behaviors.empty(), CairnSettings.SYSTEM_NAME, config);
    try {
      log.info("Joining the cluster (seed nodes: {})", settings.seedNodes());
      joinCluster(system, settings)
          .toCompletableFuture()
          .get(JOIN_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      nameInLogs(Cluster.get(system).selfMember().address().hostPort());
      Database database = new Database(system);
      CollectionRegistry registry = new CollectionRegistry();
      awaitDefinitions(registry.follow(system), settings.askTimeout());
      CollectionEntity.init(system);
      AuditTrail.init(system);
      JsonLimits limits = new JsonLimits(settings.limits());
      DocumentHistory history = DocumentHistory.of(system);
      DocumentEntity.init(
          system,
          new DocumentEntity.Setup(
              registry,
              history,
              limits,
              settings.strictCollections(),
              settings.snapshotEvery(),
              Clock.systemUTC()));
      JournalReader journal = new JournalReader(system, database);
      AuditTrail audit = new AuditTrail(system, journal, Clock.systemUTC(), settings.askTimeout());
      ReadModel.start(system, database, audit::parked);
      ReadModel.startMaintenance(system, database);
      ProjectionAdmin projections = new ProjectionAdmin(system, database);
      Rebuilds rebuilds = new Rebuilds(system, database, projections);
      AdminOperations operations = new AdminOperations(database);
      NodeMetrics metrics = NodeMetrics.start(system, database, projections, operations);
      ServerBuilder server = Http.get(system).newServerAt(settings.httpHost(), settings.httpPort());
      if (settings.tls().http()) {
        server = server.enableHttps(TlsContexts.https(settings.tls()));
      }
      ServerBinding binding =
          server
              .bind(
                  routes(
                      system,
                      settings,
                      new Parts(database, registry, history, limits, journal, audit),
                      new Administration(projections, rebuilds, operations, metrics)))
              .toCompletableFuture()
              .get(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS)
              .addToCoordinatedShutdown(settings.drainTimeout(), system);
      return new CairnNode(system, binding, settings);
    } catch (Exception e) {
      system.terminate();
      throw e;
    }
  }

  /** Every log line of this process names the node (a field of JSON lines). */
  private static void nameInLogs(String address) {
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext logback) {
      logback.putProperty("node", address);
    }
  }

  /**
   * Waits a while for the collection definitions, so that a node normally serves with them known; a
   * node whose database does not answer starts anyway and refuses writes (503) until it has them.
   */
  private static void awaitDefinitions(CompletionStage<Void> loaded, Duration patience)
      throws InterruptedException {
    try {
      loaded.toCompletableFuture().get(patience.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      log.warn(
          "The collection definitions are not read yet (the database does not answer?); writes"
              + " wait for them");
    }
  }

  public int httpPort() {
    return binding.localAddress().getPort();
  }

  /** The cluster port actually bound (differs from the setting when that is 0). */
  public int clusterPort() {
    return Cluster.get(system).selfMember().address().getPort().orElse(settings.clusterPort());
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

  /**
   * Stops the node the way SIGTERM does: unbind, drain, hand off, leave, stop.
   *
   * <p>With mutual TLS between nodes, Pekko 1.2.1's Artery can be left with a TLS stream that never
   * completes once a peer's connection failed, and then the actor system never finishes terminating
   * (akka/akka-core#29162; bounded after 1.2.1 by apache/pekko#3317). By then the node has left the
   * cluster and every acknowledged write is committed, so it counts as stopped (a process ends
   * anyway: the JVM's shutdown hook returns when the last phase times out).
   */
  @Override
  public void close() throws Exception {
    system.terminate();
    try {
      system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (TimeoutException stalled) {
      if (!settings.tls().cluster()
          || !org.apache.pekko.cluster.Cluster.get(system.classicSystem()).isTerminated()) {
        throw stalled;
      }
      log.warn(
          "the node left the cluster, but its TLS remoting streams did not stop within 60 s"
              + " (a Pekko 1.2.1 defect, apache/pekko#3317)");
    }
  }

  /** What the routes are built on: the node's database, definitions, history and journal. */
  private record Parts(
      Database database,
      CollectionRegistry registry,
      DocumentHistory history,
      JsonLimits limits,
      JournalReader journal,
      AuditTrail audit) {}

  /** The read side's administration and the node's metrics. */
  private record Administration(
      ProjectionAdmin projections,
      Rebuilds rebuilds,
      AdminOperations operations,
      NodeMetrics metrics) {}

  private static Route routes(
      ActorSystem<Void> system, CairnSettings settings, Parts parts, Administration admin) {
    Database database = parts.database();
    CollectionRegistry registry = parts.registry();
    DocumentHistory history = parts.history();
    AccessControl access = new AccessControl(registry);
    Documents documents = new Documents(system, history, access, settings.askTimeout());
    CollectionDefinitions definitions =
        new CollectionDefinitions(system, registry, settings.askTimeout());
    ReadModel readModel = new ReadModel(database);
    RequestBodies bodies = new RequestBodies(parts.limits(), system);
    StreamSlots streams =
        new StreamSlots(
            settings.limits().maxStreams(), settings.limits().maxStreamsPerClient(), system);
    admin.metrics().streams(streams::open);
    return new ApiRoutes(
            authenticator(settings),
            cors(system, settings),
            new RateLimits(settings.limits().rateLimit()),
            admin.metrics().registry(),
            settings.trustedProxies(),
            // Tried in this order: a document's own requests, the most frequent, come first and
            // so do not build the routes of the rest of /v1 first just to be rejected by them.
            new DocumentRoutes(documents, access, bodies).route(),
            new CollectionRoutes(definitions, readModel, bodies).route(),
            new ChangeFeedRoutes(new ChangeFeed(system), access, streams).route(),
            new HistoryRoutes(documents, definitions, settings.historyMaxPageSize()).route(),
            new ListRoutes(access, readModel).route(),
            new AdminRoutes(new ClusterAdmin(system)).route(),
            journalRoutes(system, settings, parts, admin),
            new OperationsRoutes(readiness(system, database), readModel).route(),
            new dev.cairn.node.http.ConsoleRoutes().route(),
            new MetricsRoutes(admin.metrics()::scrape).route())
        .route();
  }

  /**
   * The journal's administration: browsing, export, import, rebuilds, projections, the audit trail.
   */
  private static Route journalRoutes(
      ActorSystem<Void> system, CairnSettings settings, Parts parts, Administration admin) {
    Database database = parts.database();
    AuditTrail audit = parts.audit();
    // An exported line holds a document (at most the document limit) and its metadata.
    int maxLine =
        (int) Math.min(Integer.MAX_VALUE / 2, settings.limits().maxDocumentSize() * 2 + 65_536);
    AuditedOperations operations = new AuditedOperations(audit);
    return new JournalRoutes(
            parts.journal(),
            new JournalImport(system, database, settings.askTimeout(), maxLine),
            new DocumentRebuild(system, database, settings.askTimeout()),
            audit,
            operations,
            admin.operations(),
            settings.importWait())
        .route()
        .orElse(
            new ProjectionRoutes(
                    operations,
                    new ReplayCheck(
                        system, database, parts.registry(), settings.limits().validationTimeout()),
                    admin.projections(),
                    admin.rebuilds(),
                    admin.operations())
                .route());
  }

  /**
   * Who requests come from: everyone an administrator with {@code CAIRN_AUTH=none} (settings allow
   * it on loopback only), else the bearer token, verified with the configured key or the cluster's
   * own secret.
   */
  private static Authenticator authenticator(CairnSettings settings) {
    if (settings.auth().mode() == CairnSettings.Auth.Mode.NONE) {
      log.warn(
          "CAIRN_AUTH=none: every request is an administrator (this node listens on loopback)");
      return Authenticator.none();
    }
    return Authenticator.of(
        settings.auth(),
        TokenVerifier.of(settings.auth(), () -> ClusterSecret.loadOrCreate(settings)));
  }

  /**
   * CORS for the origins of {@code CAIRN_CORS_ORIGINS}, or none. A browser sends the bearer token
   * as a header its script sets, never as a cookie, so credentials are not allowed: a page of
   * another origin cannot ride on a user's session, and {@code *} is safe to allow.
   */
  private static Optional<CorsSettings> cors(ActorSystem<Void> system, CairnSettings settings) {
    if (settings.corsOrigins().isEmpty()) {
      return Optional.empty();
    }
    Map<String, Object> cors = new HashMap<>();
    cors.put(
        "allowed-origins",
        settings.corsOrigins().equals(List.of("*")) ? "*" : settings.corsOrigins());
    cors.put("allow-credentials", false);
    cors.put("allowed-methods", List.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"));
    cors.put(
        "allowed-headers",
        List.of(
            "Authorization",
            "Content-Type",
            "If-Match",
            "If-None-Match",
            "Idempotency-Key",
            "Last-Event-ID",
            "X-Request-Id"));
    cors.put(
        "exposed-headers",
        List.of(
            "ETag",
            "Location",
            "Retry-After",
            "Allow",
            "WWW-Authenticate",
            "X-Request-Id",
            "Cairn-Read-Model-Lag",
            "Cairn-Read-Model-Stuck"));
    return Optional.of(
        CorsSettings.create(
            ConfigFactory.parseMap(Map.of("pekko.http.cors", cors))
                .withFallback(system.settings().config())));
  }

  /** Ready when this node is an Up member and the journal database answers. */
  private static Supplier<CompletionStage<Optional<String>>> readiness(
      ActorSystem<Void> system, Database database) {
    Cluster cluster = Cluster.get(system);
    JournalHealth journal = new JournalHealth(database);
    return () -> {
      MemberStatus status = cluster.selfMember().status();
      if (status != MemberStatus.up()) {
        return CompletableFuture.completedFuture(
            Optional.of(
                "the node is not an Up member of its cluster (it is "
                    + status.toString().toLowerCase()
                    + ")"));
      }
      return journal
          .check()
          .thenApply(
              answers ->
                  answers
                      ? Optional.<String>empty()
                      : Optional.of("the journal database does not answer"));
    };
  }

  /**
   * Joins the cluster: through Cluster Bootstrap on Kubernetes, through the seed nodes, or, with
   * neither, by joining itself to form a cluster of one. Completes when this node is Up.
   */
  private static CompletionStage<Void> joinCluster(
      ActorSystem<Void> system, CairnSettings settings) {
    CompletableFuture<Void> up = new CompletableFuture<>();
    org.apache.pekko.cluster.Cluster classic =
        org.apache.pekko.cluster.Cluster.get(system.classicSystem());
    classic.registerOnMemberUp(() -> up.complete(null));
    if (settings.kubernetesBootstrap()) {
      PekkoManagement.get(system.classicSystem()).start();
      ClusterBootstrap.get(system.classicSystem()).start();
    } else if (settings.seedNodes().isEmpty()) {
      Cluster cluster = Cluster.get(system);
      cluster.manager().tell(Join.create(cluster.selfMember().address()));
    }
    return up;
  }
}
