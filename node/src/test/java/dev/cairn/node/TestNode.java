package dev.cairn.node;

import dev.cairn.config.CairnSettings;
import java.nio.file.Path;
import java.util.HashMap;
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

  CairnNode node() {
    return node;
  }

  @Override
  public void close() throws Exception {
    node.close();
  }
}
