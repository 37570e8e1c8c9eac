package dev.cairn.node;

import java.io.PrintStream;

/**
 * Standard output without the debugging line pekko-projection-jdbc 1.0.0 prints for every
 * projection instance it stops ({@code # stop ...JdbcRunningProjection@...}, a {@code println} left
 * in its code): on a node with nine projection instances, nine lines of noise at each shutdown or
 * rebalance, in the middle of JSON logs. Installed before anything writes, so that Scala's {@code
 * Console}, which takes {@code System.out} once, writes through it too.
 */
final class QuietStdout extends PrintStream {

  private static final String NOISE =
      "# stop org.apache.pekko.projection.jdbc.internal.JdbcProjectionImpl$JdbcRunningProjection@";

  private QuietStdout(PrintStream out) {
    super(out, true);
  }

  static void install() {
    if (!(System.out instanceof QuietStdout)) {
      System.setOut(new QuietStdout(System.out));
    }
  }

  static boolean noise(Object line) {
    return line instanceof String text && text.startsWith(NOISE);
  }

  @Override
  public void println(String line) {
    if (!noise(line)) {
      super.println(line);
    }
  }

  @Override
  public void println(Object line) {
    if (!noise(line)) {
      super.println(line);
    }
  }
}
