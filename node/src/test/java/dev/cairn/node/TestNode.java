package dev.cairn.node;

import dev.cairn.config.CairnSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A real Cairn node in the test JVM: real ports (chosen by the OS), a real H2 database in a
 * temporary directory, and a real HTTP client.
 */
final class TestNode extends TestClient implements AutoCloseable {

  private final CairnNode node;

  private TestNode(CairnNode node) {
    super(node.httpPort());
    this.node = node;
  }

  static TestNode start(Path dataDir) throws Exception {
    return start(dataDir, Map.of());
  }

  static TestNode start(Path dataDir, Map<String, Object> settings) throws Exception {
    Map<String, Object> overrides = new HashMap<>();
    overrides.put("cairn.http.port", 0);
    overrides.put("cairn.cluster.port", 0);
    overrides.put("cairn.data-dir", dataDir.toString());
    overrides.put("pekko.cluster.jmx.multi-mbeans-in-same-jvm", "on");
    overrides.put("pekko.coordinated-shutdown.run-by-jvm-shutdown-hook", "off");
    // Most tests are about documents, not callers: an open node on loopback. The security tests
    // set cairn.auth.mode back to jwt.
    overrides.put("cairn.auth.mode", "none");
    overrides.putAll(settings);
    return new TestNode(CairnNode.start(CairnSettings.load(overrides)));
  }

  /**
   * {@code size} nodes forming one cluster on a fresh PostgreSQL database, seeded by the first,
   * each with {@code settings} too.
   */
  static List<TestNode> cluster(Path dataDir, int size, Map<String, Object> settings)
      throws Exception {
    String db = dev.cairn.persistence.TestPostgres.emptyDatabase();
    int seedPort = FreePorts.next();
    List<TestNode> nodes = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      Map<String, Object> node = new HashMap<>(settings);
      node.put("cairn.cluster.port", i == 0 ? seedPort : 0);
      node.put("cairn.cluster.seed-nodes", "127.0.0.1:" + seedPort);
      node.put("cairn.db.url", db);
      node.put("cairn.db.user", "postgres");
      nodes.add(start(dataDir.resolve("node" + i), node));
    }
    return nodes;
  }

  CairnNode node() {
    return node;
  }

  @Override
  public void close() throws Exception {
    node.close();
  }
}
