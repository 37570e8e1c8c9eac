package dev.cairn.persistence;

import java.time.Duration;

/**
 * The time one write may spend patching and validating its document ({@code
 * cairn.limits.validation-timeout}). Work that can grow with hostile input checks it as it goes: a
 * JSON Patch between operations, a schema validation at every keyword and every character a regular
 * expression reads. Past it the write is refused, so no request can hold a document's actor (and
 * every other request to that document) for longer.
 */
final class Deadline {

  /** The write took longer than its deadline allows; nothing was written. */
  static final class Expired extends RuntimeException {
    Expired(Duration allowed) {
      super(
          "the write needed more than "
              + allowed.toMillis()
              + " ms to patch and validate (cairn.limits.validation-timeout)",
          null,
          false,
          false);
    }
  }

  /** Checks of the clock skipped between two readings: a reading costs about 20 ns. */
  private static final int CHECK_EVERY = 64;

  private static final ThreadLocal<Deadline> CURRENT = new ThreadLocal<>();

  private final Duration allowed;
  private final long endNanos;
  private int ticks;

  private Deadline(Duration allowed) {
    this.allowed = allowed;
    this.endNanos = System.nanoTime() + allowed.toNanos();
  }

  static Deadline after(Duration allowed) {
    return new Deadline(allowed);
  }

  /** Throws {@link Expired} once the deadline has passed; cheap enough to call in inner loops. */
  void check() {
    if (++ticks % CHECK_EVERY == 0 && System.nanoTime() > endNanos) {
      throw new Expired(allowed);
    }
  }

  /** Throws {@link Expired} if the deadline has passed: for steps that each may take a while. */
  void checkNow() {
    if (System.nanoTime() > endNanos) {
      throw new Expired(allowed);
    }
  }

  /** Runs {@code work} with this deadline as the thread's {@link #current()} one. */
  <T> T during(java.util.function.Supplier<T> work) {
    Deadline outer = CURRENT.get();
    CURRENT.set(this);
    try {
      return work.get();
    } finally {
      CURRENT.set(outer);
    }
  }

  /** The deadline of the work running on this thread, or null outside {@link #during}. */
  static Deadline current() {
    return CURRENT.get();
  }
}
