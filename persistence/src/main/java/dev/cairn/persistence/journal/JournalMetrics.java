package dev.cairn.persistence.journal;

import dev.cairn.persistence.CairnMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;

/** The journal's writes on this node: batch sizes, how long a batch takes to commit, failures. */
final class JournalMetrics {

  private final DistributionSummary batches;
  private final Timer commits;
  private final Counter events;
  private final Counter failures;

  JournalMetrics(MeterRegistry registry) {
    this.batches =
        DistributionSummary.builder(CairnMetrics.PREFIX + "journal.write.batch")
            .description("Events per journal write (one transaction)")
            .baseUnit("events")
            .serviceLevelObjectives(1, 2, 5, 10, 20, 50, 100, 200, 500, 1000)
            .register(registry);
    this.commits =
        Timer.builder(CairnMetrics.PREFIX + "journal.commit")
            .description("Journal writes, from asking for a connection to the commit")
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofMillis(1))
            .maximumExpectedValue(Duration.ofSeconds(10))
            .register(registry);
    this.events =
        Counter.builder(CairnMetrics.PREFIX + "journal.events.written")
            .description("Events committed to the journal")
            .register(registry);
    this.failures =
        Counter.builder(CairnMetrics.PREFIX + "journal.write.failures")
            .description("Journal writes that failed (nothing of the batch was written)")
            .register(registry);
  }

  void written(int batch, long startedNanos) {
    batches.record(batch);
    commits.record(System.nanoTime() - startedNanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    events.increment(batch);
  }

  void failed() {
    failures.increment();
  }
}
