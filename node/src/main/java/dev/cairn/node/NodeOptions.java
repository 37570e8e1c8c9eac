package dev.cairn.node;

import com.typesafe.config.Config;
import dev.cairn.config.CairnSettings;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The options shared by the commands that need a configured node. Each is also settable by its
 * environment variable; an option given on the command line wins. Defaults live in cairn.conf.
 */
final class NodeOptions {

  @Option(names = "--http-port", description = "HTTP port (env CAIRN_HTTP_PORT, default 8080)")
  Integer httpPort;

  @Option(
      names = "--http-host",
      description = "HTTP interface (env CAIRN_HTTP_HOST, default 127.0.0.1)")
  String httpHost;

  @Option(
      names = "--data-dir",
      description = "directory of the embedded H2 database (env CAIRN_DATA_DIR, default ./data)")
  Path dataDir;

  @Option(
      names = "--cluster-port",
      description = "cluster (Artery) port (env CAIRN_CLUSTER_PORT, default 2551)")
  Integer clusterPort;

  @Option(
      names = "--cluster-host",
      description = "cluster (Artery) host name (env CAIRN_CLUSTER_HOST, default 127.0.0.1)")
  String clusterHost;

  @Option(
      names = "--db-url",
      description = "JDBC URL of the journal database (env CAIRN_DB_URL, default embedded H2)")
  String dbUrl;

  @Option(names = "--db-user", description = "database user (env CAIRN_DB_USER, default cairn)")
  String dbUser;

  @Option(
      names = "--db-password",
      description = "database password (env CAIRN_DB_PASSWORD; prefer the variable)")
  String dbPassword;

  @Option(
      names = "--seed-nodes",
      description =
          "host:port,... of the cluster's seed nodes (env CAIRN_SEED_NODES; none: a cluster of"
              + " one)")
  String seedNodes;

  Config config() {
    Map<String, Object> overrides = new HashMap<>();
    put(overrides, "cairn.http.port", httpPort);
    put(overrides, "cairn.http.host", httpHost);
    put(overrides, "cairn.data-dir", dataDir == null ? null : dataDir.toString());
    put(overrides, "cairn.cluster.port", clusterPort);
    put(overrides, "cairn.cluster.host", clusterHost);
    put(overrides, "cairn.db.url", dbUrl);
    put(overrides, "cairn.db.user", dbUser);
    put(overrides, "cairn.db.password", dbPassword);
    put(overrides, "cairn.cluster.seed-nodes", seedNodes);
    return CairnSettings.load(overrides);
  }

  private static void put(Map<String, Object> overrides, String path, Object value) {
    if (value != null) {
      overrides.put(path, value);
    }
  }
}
