package dev.cairn.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The image's entrypoint, {@code deploy/docker/cairn-entrypoint.sh}, run as the container runs it
 * but as a process here (no container runtime can run an image on this machine): it starts a node
 * from the runnable jar with the container's JVM flags, the image's health check (the very command
 * of the Dockerfile's HEALTHCHECK) passes against it and fails where nothing listens, and SIGTERM
 * reaches the JVM itself, which shuts the node down.
 */
class EntrypointIT {

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private static DeploymentManifestsTest.Dockerfile image;

  @TempDir Path dataDir;

  private final int httpPort = FreePorts.next();
  private Path log;
  private Process node;

  @BeforeAll
  static void readTheDockerfile() throws IOException {
    image = DeploymentManifestsTest.Dockerfile.read(DeploymentManifestsTest.DOCKERFILE);
  }

  @BeforeEach
  void startTheEntrypoint() throws IOException {
    String jar = System.getProperty("cairn.jar", "target/cairn-node.jar");
    if (!Files.exists(Path.of(jar))) {
      throw new IllegalStateException("the runnable jar " + jar + " is built by `mvn package`");
    }
    Path logs = Path.of("target", "it-logs");
    Files.createDirectories(logs);
    log = logs.resolve("entrypoint-" + httpPort + ".log");
    ProcessBuilder builder =
        new ProcessBuilder(command(entrypointInRepository(), "serve"))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    Map<String, String> env = nodeEnvironment(builder.environment());
    env.put("CAIRN_JAR", Path.of(jar).toAbsolutePath().toString());
    env.put("CAIRN_HTTP_PORT", Integer.toString(httpPort));
    env.put("CAIRN_CLUSTER_PORT", Integer.toString(FreePorts.next()));
    env.put("CAIRN_MANAGEMENT_PORT", Integer.toString(FreePorts.next()));
    env.put("CAIRN_DATA_DIR", dataDir.toString());
    // Bounded like the other node processes of the tests; the container's flags come first.
    env.put("CAIRN_JAVA_OPTS", "-Xmx384m -XX:+UseSerialGC");
    env.put("JAVA_HOME", System.getProperty("java.home"));
    node = builder.start();
  }

  @AfterEach
  void stop() throws InterruptedException {
    if (node.isAlive()) {
      node.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void theEntrypointRunsANodeTheHealthCheckPassesAndSigtermStopsIt() throws Exception {
    Await.until("/health/ready answers 200 on port " + httpPort, this::ready);

    assertThat(node.info().command())
        .as("the entrypoint execs java, so signals reach the JVM")
        .hasValueSatisfying(command -> assertThat(command).endsWith("/java"));
    assertThat(node.info().arguments().map(List::of))
        .as("the container's JVM flags, then CAIRN_JAVA_OPTS")
        .hasValueSatisfying(
            arguments ->
                assertThat(arguments)
                    .containsSubsequence("-XX:MaxRAMPercentage=75", "-Xmx384m", "-jar", "serve"));
    assertThat(node.info().arguments().map(List::of))
        .as("a collector named in CAIRN_JAVA_OPTS replaces the entrypoint's (two would not start)")
        .hasValueSatisfying(
            arguments ->
                assertThat(arguments)
                    .contains("-XX:+UseSerialGC")
                    .doesNotContain("-XX:+UseParallelGC"));

    HealthCheck passing = healthCheck(httpPort);
    assertThat(passing.exitCode()).as("the health check against the node: " + passing).isZero();
    HealthCheck failing = healthCheck(FreePorts.next());
    assertThat(failing.exitCode())
        .as("the health check where nothing listens: " + failing)
        .isNotZero();

    node.destroy(); // SIGTERM, as the container runtime stops a container
    assertThat(node.waitFor(60, TimeUnit.SECONDS))
        .as("the node stops within 60 s of SIGTERM:\n" + output())
        .isTrue();
    // 128 + 15: the JVM ended by SIGTERM once its shutdown hook (coordinated shutdown) ran.
    assertThat(node.exitValue()).isEqualTo(143);
    assertThat(output()).contains("Running CoordinatedShutdown with reason [JvmExitReason]");
  }

  private boolean ready() {
    if (!node.isAlive()) {
      throw new AssertionError("the node exited with " + node.exitValue() + ":\n" + output());
    }
    try {
      HttpRequest request =
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/health/ready"))
              .timeout(Duration.ofSeconds(5))
              .build();
      return HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
    } catch (IOException e) {
      return false; // not listening yet
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** How a health check ended: its exit code and what it printed. */
  record HealthCheck(int exitCode, String output) {}

  /** The Dockerfile's HEALTHCHECK command against a port, its script taken from the repository. */
  private static HealthCheck healthCheck(int port) throws Exception {
    List<String> healthcheck = image.healthcheckCommand();
    assertThat(healthcheck.get(0)).as("HEALTHCHECK runs the entrypoint").isEqualTo(entrypoint());
    List<String> arguments = healthcheck.subList(1, healthcheck.size());
    ProcessBuilder builder =
        new ProcessBuilder(command(entrypointInRepository(), arguments.toArray(String[]::new)))
            .redirectErrorStream(true);
    nodeEnvironment(builder.environment()).put("CAIRN_HTTP_PORT", Integer.toString(port));
    Process check = builder.start();
    String output = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(check.waitFor(30, TimeUnit.SECONDS)).as("the health check ends").isTrue();
    return new HealthCheck(check.exitValue(), output.strip());
  }

  private static String entrypoint() {
    return image.execForm("ENTRYPOINT").get(0);
  }

  /** Where the image's entrypoint comes from: the file the Dockerfile copies. */
  private static Path entrypointInRepository() {
    String source = image.copiedFrom(entrypoint()).orElseThrow();
    return DeploymentManifestsTest.ROOT.resolve(source);
  }

  private static List<String> command(Path script, String... arguments) {
    List<String> command = new ArrayList<>(List.of("bash", script.toString()));
    command.addAll(List.of(arguments));
    return command;
  }

  /** The test's environment without its own CAIRN_* settings, so the node sees only the test's. */
  private static Map<String, String> nodeEnvironment(Map<String, String> env) {
    env.keySet().removeIf(name -> name.startsWith("CAIRN_"));
    return env;
  }

  private String output() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(no output: " + e + ")";
    }
  }
}
