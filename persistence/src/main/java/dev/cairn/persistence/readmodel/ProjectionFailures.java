package dev.cairn.persistence.readmodel;

import dev.cairn.persistence.CairnMetrics;
import dev.cairn.persistence.Database;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.persistence.query.Sequence;
import org.apache.pekko.projection.HandlerRecoveryStrategy;
import org.apache.pekko.projection.ProjectionId;
import org.apache.pekko.projection.StatusObserver;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes down, in the read model's database, why one projection instance is stuck, and forgets it
 * once the instance makes progress again. A projection that fails on an event (or cannot read one)
 * restarts with a backoff and fails again, for as long as the event is there; without this, lists
 * would silently miss that slice's documents. Kept in the database, not in memory, because the
 * instance runs on one node of the cluster and any node answers {@code /health/read-model}.
 *
 * <p>It also counts the events the instance applied, on the node it runs on ({@code
 * cairn_projection_events_total}).
 */
final class ProjectionFailures<E> extends StatusObserver<EventEnvelope<E>> {

  private static final Logger log = LoggerFactory.getLogger(ProjectionFailures.class);

  private final Database database;
  private final String projection;
  private final String slice;
  private final Counter applied;

  /**
   * A failure may be recorded from before this instance started (on this node or another), so the
   * first progress clears one in any case.
   */
  private final AtomicBoolean mayBeRecorded = new AtomicBoolean(true);

  ProjectionFailures(Database database, MeterRegistry registry, String projection, String slice) {
    this.database = database;
    this.projection = projection;
    this.slice = slice;
    this.applied =
        Counter.builder(CairnMetrics.PREFIX + "projection.events")
            .description("Events the projections running on this node applied")
            .tag("projection", projection)
            .register(registry);
  }

  @Override
  public void error(
      ProjectionId id,
      EventEnvelope<E> envelope,
      Throwable cause,
      HandlerRecoveryStrategy recovery) {
    record(
        new SliceStatus.Failure(
            envelope.offset() instanceof Sequence sequence ? sequence.value() : null,
            envelope.persistenceId(),
            envelope.sequenceNr(),
            describe(cause),
            System.currentTimeMillis()));
  }

  @Override
  public void failed(ProjectionId id, Throwable cause) {
    record(new SliceStatus.Failure(null, null, null, describe(cause), System.currentTimeMillis()));
  }

  @Override
  public void offsetProgress(ProjectionId id, EventEnvelope<E> envelope) {
    if (mayBeRecorded.compareAndSet(true, false)) {
      database
          .run(
              c -> {
                ReadModelProgress.clearFailure(c, projection, slice);
                return null;
              })
          .exceptionally(
              e -> {
                mayBeRecorded.set(true);
                return null;
              });
    }
  }

  private void record(SliceStatus.Failure failure) {
    mayBeRecorded.set(true);
    database
        .run(
            c -> {
              ReadModelProgress.recordFailure(c, projection, slice, failure);
              return null;
            })
        .exceptionally(
            e -> {
              log.warn(
                  "could not record the failure of {} {}: {}", projection, slice, e.toString());
              return null;
            });
  }

  private static String describe(Throwable cause) {
    StringBuilder text = new StringBuilder();
    for (Throwable t = cause; t != null && text.length() < 1000; t = t.getCause()) {
      text.append(text.length() == 0 ? "" : "; caused by ").append(t);
    }
    return text.toString();
  }

  @Override
  public void started(ProjectionId id) {}

  @Override
  public void stopped(ProjectionId id) {}

  @Override
  public void beforeProcess(ProjectionId id, EventEnvelope<E> envelope) {}

  @Override
  public void afterProcess(ProjectionId id, EventEnvelope<E> envelope) {
    applied.increment();
  }
}
