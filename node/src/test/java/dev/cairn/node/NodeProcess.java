package dev.cairn.node;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Cairn node as a real operating-system process, started from the runnable jar the way {@code
 * bin/cairn serve} starts it, so that tests can kill it with {@code kill -9} or stop it with
 * SIGTERM. Its output goes to a log file under {@code target/it-logs}.
 */
final class NodeProcess implements AutoCloseable {

  private static final Pattern READY = Pattern.compile("Cairn node ready: https?://[^:]+:(\\d+)");

  private final Process process;
  private final CompletableFuture<Integer> httpPort = new CompletableFuture<>();
  private final StringBuffer output = new StringBuffer();

  private NodeProcess(Process process, Path log) {
    this.process = process;
    Thread reader = new Thread(() -> pump(log), "node-output-" + process.pid());
    reader.setDaemon(true);
    reader.start();
  }

  /**
   * A node of its own: a cluster of one on an H2 journal in {@code dataDir}, ports chosen by the
   * OS.
   */
  static NodeProcess start(String name, Path dataDir) throws IOException {
    return start(name, List.of("--http-port=0", "--cluster-port=0", "--data-dir=" + dataDir));
  }

  /** A node with the given {@code cairn serve} options. */
  static NodeProcess start(String name, List<String> options) throws IOException {
    return start(name, options, Map.of());
  }

  /** A node with the given {@code cairn serve} options and environment variables. */
  static NodeProcess start(String name, List<String> options, Map<String, String> environment)
      throws IOException {
    String jar = System.getProperty("cairn.jar", "target/cairn-node.jar");
    if (!Files.exists(Path.of(jar))) {
      throw new IllegalStateException("the runnable jar " + jar + " is built by `mvn package`");
    }
    Path logs = Path.of("target", "it-logs");
    Files.createDirectories(logs);
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(List.of("-Xmx384m", "-XX:+UseSerialGC", "-jar", jar, "serve"));
    command.addAll(options);
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    // These tests are about processes and the journal, not callers: open nodes on loopback.
    builder.environment().put("CAIRN_AUTH", "none");
    builder.environment().putAll(environment);
    Process process = builder.start();
    return new NodeProcess(process, logs.resolve(name + "-" + process.pid() + ".log"));
  }

  /** Waits for the node's ready line and returns the HTTP port it printed. */
  int awaitReady() throws Exception {
    return httpPort.get(90, TimeUnit.SECONDS);
  }

  TestClient client() throws Exception {
    return new TestClient(awaitReady());
  }

  /** {@code kill -9}: no shutdown hook, no flush, nothing. */
  void kill9() throws Exception {
    Process kill = new ProcessBuilder("kill", "-9", Long.toString(process.pid())).start();
    if (kill.waitFor() != 0) {
      throw new IllegalStateException("kill -9 " + process.pid() + " failed");
    }
    process.waitFor(30, TimeUnit.SECONDS);
  }

  /** SIGTERM, as an orchestrator stops a node; returns the exit code. */
  int terminate() throws Exception {
    Process term = new ProcessBuilder("kill", "-TERM", Long.toString(process.pid())).start();
    term.waitFor();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      throw new AssertionError("the node did not stop within 60 s of SIGTERM:\n" + output);
    }
    return process.exitValue();
  }

  long pid() {
    return process.pid();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  String output() {
    return output.toString();
  }

  @Override
  public void close() throws Exception {
    if (process.isAlive()) {
      process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }
  }

  private void pump(Path log) {
    try (BufferedReader in =
            new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        PrintWriter out = new PrintWriter(Files.newBufferedWriter(log), true)) {
      String line;
      while ((line = in.readLine()) != null) {
        out.println(line);
        output.append(line).append('\n');
        Matcher ready = READY.matcher(line);
        if (ready.find()) {
          httpPort.complete(Integer.parseInt(ready.group(1)));
        }
      }
    } catch (IOException e) {
      // the process is gone
    } finally {
      httpPort.completeExceptionally(
          new IllegalStateException("the node exited before it was ready:\n" + output));
    }
  }
}
