package dev.cairn.persistence;

import dev.cairn.protocol.Problem;
import dev.cairn.protocol.reply.DocumentReply;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the document entities of a node do: how many are awake, how long their recoveries take, how
 * often they passivate, and every command by type and outcome.
 */
final class EntityMetrics {

  /** How a command ended, as the {@code outcome} label says it. */
  enum Outcome {
    WRITTEN,
    IDEMPOTENT_RETRY,
    PRECONDITION_FAILED,
    SCHEMA_REJECTED,
    FORBIDDEN,
    REJECTED,
    UNAVAILABLE,
    FAILED,
    READ;

    final String label = name().toLowerCase();

    static Outcome of(DocumentReply.Rejected rejected) {
      Problem problem = rejected.problem();
      return switch (problem) {
        case VERSION_MISMATCH, ALREADY_EXISTS -> PRECONDITION_FAILED;
        case SCHEMA_VIOLATION, NOT_AN_OBJECT, UNDEFINED_COLLECTION -> SCHEMA_REJECTED;
        case FORBIDDEN, UNAUTHORIZED -> FORBIDDEN;
        case UNAVAILABLE -> UNAVAILABLE;
        case INTERNAL -> FAILED;
        default -> REJECTED;
      };
    }
  }

  private final MeterRegistry registry;
  private final AtomicInteger active = new AtomicInteger();
  private final Timer recoveries;
  private final Counter recoveryFailures;
  private final Counter passivations;
  private final Counter snapshots;
  private final Map<String, Counter> commands = new ConcurrentHashMap<>();

  EntityMetrics(MeterRegistry registry) {
    this.registry = registry;
    Gauge.builder(CairnMetrics.PREFIX + "entities.active", active, AtomicInteger::get)
        .description("Documents awake on this node (recovered and not passivated)")
        .register(registry);
    this.recoveries =
        Timer.builder(CairnMetrics.PREFIX + "entity.recoveries")
            .description("Recoveries of documents, from start to recovered")
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofMillis(1))
            .maximumExpectedValue(Duration.ofSeconds(30))
            .register(registry);
    this.recoveryFailures =
        Counter.builder(CairnMetrics.PREFIX + "entity.recovery.failures")
            .description("Recoveries that failed (the entity restarts with back-off)")
            .register(registry);
    this.passivations =
        Counter.builder(CairnMetrics.PREFIX + "entity.passivations")
            .description("Documents put to sleep after CAIRN_PASSIVATE_AFTER without requests")
            .register(registry);
    this.snapshots =
        Counter.builder(CairnMetrics.PREFIX + "snapshot.writes")
            .description("Snapshots of documents written")
            .register(registry);
  }

  static EntityMetrics of(org.apache.pekko.actor.typed.ActorSystem<?> system) {
    return CairnMetrics.get(system).meters(EntityMetrics.class, EntityMetrics::new);
  }

  void recovered(Duration took) {
    active.incrementAndGet();
    recoveries.record(took);
  }

  void recoveryFailed() {
    recoveryFailures.increment();
  }

  /** An entity that had recovered stopped (passivated, handed off or the node stopping). */
  void stopped() {
    active.decrementAndGet();
    passivations.increment();
  }

  void snapshotWritten() {
    snapshots.increment();
  }

  void command(String type, Outcome outcome) {
    commands
        .computeIfAbsent(
            type + '/' + outcome.label,
            k ->
                Counter.builder(CairnMetrics.PREFIX + "entity.commands")
                    .description("Commands the document entities of this node answered")
                    .tag("command", type)
                    .tag("outcome", outcome.label)
                    .register(registry))
        .increment();
  }
}
