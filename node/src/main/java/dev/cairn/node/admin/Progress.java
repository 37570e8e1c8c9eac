package dev.cairn.node.admin;

import java.io.PrintStream;
import java.time.Duration;

/**
 * Progress of long work on standard error: a bar redrawn in place on a terminal, a plain line every
 * few seconds otherwise (a log, a CI job), each with the rate and, when the total is known, the
 * fraction and the time left.
 */
final class Progress {

  private static final long LINE_EVERY_NANOS = Duration.ofSeconds(5).toNanos();
  private static final long BAR_EVERY_NANOS = Duration.ofMillis(200).toNanos();

  private final String what;
  private final String unit;
  private final boolean terminal;
  private final PrintStream out;
  private final long start = System.nanoTime();
  private long shown = start;
  private long total;

  Progress(String what, String unit, long total) {
    this.what = what;
    this.unit = unit;
    this.total = total;
    this.terminal = System.console() != null;
    this.out = System.err;
  }

  void total(long total) {
    this.total = total;
  }

  void update(long done) {
    long now = System.nanoTime();
    if (now - shown < (terminal ? BAR_EVERY_NANOS : LINE_EVERY_NANOS)) {
      return;
    }
    shown = now;
    show(done, false);
  }

  void finish(long done) {
    show(done, true);
  }

  private void show(long done, boolean last) {
    double seconds = Math.max(1e-3, (System.nanoTime() - start) / 1e9);
    double rate = done / seconds;
    StringBuilder line = new StringBuilder(what).append(' ');
    if (total > 0) {
      double fraction = Math.min(1.0, (double) done / total);
      if (terminal) {
        int filled = (int) Math.round(fraction * 30);
        line.append('[').append("#".repeat(filled)).append(" ".repeat(30 - filled)).append("] ");
      }
      line.append(String.format("%3.0f%% ", fraction * 100));
    }
    line.append(String.format("%,d %s, %,.0f %s/s", done, unit, rate, unit));
    if (total > 0 && !last && rate > 0) {
      long left = (long) (Math.max(0, total - done) / rate);
      line.append(String.format(", %d:%02d left", left / 60, left % 60));
    }
    if (last) {
      line.append(String.format(", %.1f s", seconds));
    }
    if (terminal) {
      out.print("\r" + line + "   " + (last ? "\n" : ""));
    } else {
      out.println(line);
    }
    out.flush();
  }
}
