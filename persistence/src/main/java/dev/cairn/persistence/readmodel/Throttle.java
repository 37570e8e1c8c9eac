package dev.cairn.persistence.readmodel;

import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/**
 * Holds a rebuild's fold to at most a number of events per second, so that rebuilding a large read
 * model yields the database to live traffic instead of competing with it. The fold calls {@link
 * #pass} after each event; the throttle sleeps when the fold is ahead of its allowance.
 */
final class Throttle {

  /** No throttle: the fold runs as fast as the database gives it events. */
  static final Throttle NONE = new Throttle(0);

  /** Sleeps shorter than this are saved up rather than taken one event at a time. */
  private static final long SLACK_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

  private final long eventsPerSecond;
  private long started;
  private long passed;

  private Throttle(long eventsPerSecond) {
    this.eventsPerSecond = eventsPerSecond;
  }

  static Throttle of(OptionalLong eventsPerSecond) {
    return eventsPerSecond.isPresent() ? new Throttle(eventsPerSecond.getAsLong()) : NONE;
  }

  /** Counts one event, and waits until the allowance has caught up with the events counted. */
  void pass() {
    if (eventsPerSecond <= 0) {
      return;
    }
    long now = System.nanoTime();
    if (passed++ == 0) {
      started = now;
      return;
    }
    long due = started + passed * TimeUnit.SECONDS.toNanos(1) / eventsPerSecond;
    if (due - now > SLACK_NANOS) {
      try {
        TimeUnit.NANOSECONDS.sleep(due - now);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("the rebuild was interrupted", e);
      }
    }
  }
}
