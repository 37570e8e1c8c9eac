package dev.cairn.node;

import java.time.Duration;
import java.time.Instant;
import java.util.function.BooleanSupplier;

/** Waits for a condition that the system reaches by itself, such as gossip converging. */
final class Await {

  private static final Duration BOUND = Duration.ofSeconds(60);

  private Await() {}

  static void until(String what, BooleanSupplier condition) throws InterruptedException {
    Instant deadline = Instant.now().plus(BOUND);
    while (!condition.getAsBoolean()) {
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError("not within " + BOUND.toSeconds() + " s: " + what);
      }
      Thread.sleep(50); // polling interval of the probe, not a synchronisation by delay
    }
  }
}
