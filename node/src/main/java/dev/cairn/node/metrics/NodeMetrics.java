package dev.cairn.node.metrics;

import dev.cairn.persistence.AdminOperations;
import dev.cairn.persistence.CairnMetrics;
import dev.cairn.persistence.Database;
import dev.cairn.persistence.DocumentEntity;
import dev.cairn.persistence.readmodel.ProjectionAdmin;
import dev.cairn.protocol.api.OperationView;
import dev.cairn.protocol.api.ProjectionView;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;
import java.util.stream.StreamSupport;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.sharding.typed.GetShardRegionState;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's {@code GET /metrics}: everything the node's parts record in {@link CairnMetrics}, the
 * JVM's and the connection pool's figures from Micrometer's and Hikari's binders, and figures that
 * are sampled when Prometheus asks for them — cluster membership, this node's shards, the read
 * side's lag per slice, running rebuilds and imports — rendered in Prometheus' text format.
 *
 * <p>The sampled figures are read at most once per {@link #SAMPLE_EVERY}, so that several
 * Prometheus servers scraping every node cost the database a query every few seconds at most.
 */
public final class NodeMetrics {

  private static final Logger log = LoggerFactory.getLogger(NodeMetrics.class);

  private static final Duration SAMPLE_EVERY = Duration.ofSeconds(5);
  private static final Duration SAMPLE_TIMEOUT = Duration.ofSeconds(5);

  private final ActorSystem<?> system;
  private final PrometheusMeterRegistry prometheus;
  private final ProjectionAdmin projections;
  private final AdminOperations operations;
  private final AtomicLong shards = new AtomicLong();
  private final AtomicLong shardEntities = new AtomicLong();
  private final MultiGauge lagEvents;
  private final MultiGauge lagSeconds;
  private final MultiGauge failing;
  private final MultiGauge progress;
  private final AtomicLong running = new AtomicLong();
  private volatile long sampledAt = System.nanoTime() - 2 * SAMPLE_EVERY.toNanos();
  private volatile CompletableFuture<Void> sampling = CompletableFuture.completedFuture(null);

  private NodeMetrics(
      ActorSystem<?> system,
      Database database,
      ProjectionAdmin projections,
      AdminOperations operations) {
    this.system = system;
    this.projections = projections;
    this.operations = operations;
    this.prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    CairnMetrics metrics = CairnMetrics.get(system);
    metrics.publishTo(prometheus);
    MeterRegistry registry = metrics.registry();
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    database.publishPoolMetrics();
    cluster(registry);
    Gauge.builder(CairnMetrics.PREFIX + "sharding.shards", shards, AtomicLong::get)
        .description("Shards of documents this node holds (sampled)")
        .register(registry);
    Gauge.builder(CairnMetrics.PREFIX + "sharding.entities", shardEntities, AtomicLong::get)
        .description("Documents in the shards this node holds (sampled)")
        .register(registry);
    this.lagEvents =
        MultiGauge.builder(CairnMetrics.PREFIX + "projection.lag.events")
            .description("Events of a projection's slice not applied yet (sampled)")
            .register(registry);
    this.lagSeconds =
        MultiGauge.builder(CairnMetrics.PREFIX + "projection.lag.seconds")
            .description("How long the oldest event a slice has not applied has waited (sampled)")
            .baseUnit("seconds")
            .register(registry);
    this.failing =
        MultiGauge.builder(CairnMetrics.PREFIX + "projection.failing")
            .description("1 while a projection's slice is failing on an event (sampled)")
            .register(registry);
    this.progress =
        MultiGauge.builder(CairnMetrics.PREFIX + "admin.operation.progress")
            .description("Fraction of a running rebuild or import done, 0 to 1 (sampled)")
            .register(registry);
    Gauge.builder(CairnMetrics.PREFIX + "admin.operations.running", running, AtomicLong::get)
        .description("Rebuilds and imports running in the cluster (sampled)")
        .register(registry);
  }

  /** Starts this node's metrics; {@link #scrape()} renders them. */
  public static NodeMetrics start(
      ActorSystem<?> system,
      Database database,
      ProjectionAdmin projections,
      AdminOperations operations) {
    return new NodeMetrics(system, database, projections, operations);
  }

  /** Where the node's other parts register what they measure. */
  public MeterRegistry registry() {
    return CairnMetrics.get(system).registry();
  }

  /** Counts {@code open} as the change-feed streams this node serves. */
  public void streams(IntSupplier open) {
    Gauge.builder(CairnMetrics.PREFIX + "changefeed.streams.open", open, IntSupplier::getAsInt)
        .description("Change-feed streams (server-sent events) open on this node")
        .strongReference(true)
        .register(registry());
  }

  /**
   * Every meter in Prometheus' text format, after sampling what is sampled (a sample that fails or
   * takes too long leaves the last values, and is logged).
   */
  public CompletionStage<String> scrape() {
    return sample()
        .exceptionally(
            failure -> {
              log.warn("metrics: sampling the cluster and the read side failed: {}", failure);
              return null;
            })
        .thenApply(ignored -> prometheus.scrape());
  }

  private synchronized CompletionStage<Void> sample() {
    long now = System.nanoTime();
    if (!sampling.isDone() || now - sampledAt < SAMPLE_EVERY.toNanos()) {
      return sampling;
    }
    sampledAt = now;
    sampling =
        CompletableFuture.allOf(
                sampleShards().toCompletableFuture(),
                projections.list().thenAccept(this::projections).toCompletableFuture(),
                operations.running().thenAccept(this::operations).toCompletableFuture())
            .orTimeout(SAMPLE_TIMEOUT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    return sampling;
  }

  private CompletionStage<Void> sampleShards() {
    return AskPattern.<GetShardRegionState, ShardRegion.CurrentShardRegionState>ask(
            ClusterSharding.get(system).shardState().narrow(),
            replyTo -> new GetShardRegionState(DocumentEntity.TYPE_KEY, replyTo),
            SAMPLE_TIMEOUT,
            system.scheduler())
        .thenAccept(
            state -> {
              shards.set(state.getShards().size());
              shardEntities.set(
                  state.getShards().stream().mapToLong(s -> s.getEntityIds().size()).sum());
            });
  }

  private void projections(List<ProjectionView> views) {
    List<MultiGauge.Row<?>> events = new ArrayList<>();
    List<MultiGauge.Row<?>> seconds = new ArrayList<>();
    List<MultiGauge.Row<?>> failed = new ArrayList<>();
    for (ProjectionView view : views) {
      for (ProjectionView.Slice slice : view.slices()) {
        Tags tags = Tags.of("projection", view.name(), "slice", slice.slice());
        events.add(MultiGauge.Row.of(tags, slice.lagEvents()));
        seconds.add(MultiGauge.Row.of(tags, slice.lagMillis() / 1000.0));
        failed.add(MultiGauge.Row.of(tags, slice.state().equals("failed") ? 1 : 0));
      }
    }
    lagEvents.register(events, true);
    lagSeconds.register(seconds, true);
    failing.register(failed, true);
  }

  private void operations(List<OperationView> operations) {
    List<MultiGauge.Row<?>> rows = new ArrayList<>();
    for (OperationView operation : operations) {
      rows.add(
          MultiGauge.Row.of(
              Tags.of("operation", operation.id(), "kind", operation.kind()),
              operation.fraction()));
    }
    progress.register(rows, true);
    running.set(operations.size());
  }

  /** Members by status and unreachable members, as this node sees the cluster now. */
  private void cluster(MeterRegistry registry) {
    Cluster cluster = Cluster.get(system);
    for (MemberStatus status : STATUSES) {
      String name =
          status.toString().replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
      Gauge.builder(
              CairnMetrics.PREFIX + "cluster.members",
              cluster,
              c ->
                  StreamSupport.stream(c.state().getMembers().spliterator(), false)
                      .filter(m -> m.status() == status)
                      .count())
          .description("Members of the cluster by status, as this node sees it")
          .tag("status", name)
          .register(registry);
    }
    Gauge.builder(
            CairnMetrics.PREFIX + "cluster.unreachable.members",
            cluster,
            c -> c.state().getUnreachable().size())
        .description("Members this node's failure detector cannot reach")
        .register(registry);
  }

  private static final List<MemberStatus> STATUSES =
      List.of(
          MemberStatus.joining(),
          MemberStatus.weaklyUp(),
          MemberStatus.up(),
          MemberStatus.leaving(),
          MemberStatus.exiting(),
          MemberStatus.down(),
          MemberStatus.shuttingDown(),
          MemberStatus.shutDown());
}
