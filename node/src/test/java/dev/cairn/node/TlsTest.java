package dev.cairn.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigException;
import dev.cairn.config.CairnSettings;
import dev.cairn.protocol.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTPS at the front door, from PEM files or a PKCS#12 keystore, and mutual TLS between the nodes
 * of a cluster, with certificates made for the test by its own CA.
 */
class TlsTest {

  @TempDir static Path dir;
  static TestCertificates certificates;
  static HttpClient client;

  @BeforeAll
  static void certificates() throws Exception {
    certificates = TestCertificates.create(dir.resolve("certificates"));
    client =
        HttpClient.newBuilder()
            .sslContext(certificates.trustingTheCa())
            .connectTimeout(Duration.ofSeconds(10))
            .build();
  }

  private static HttpResponse<String> get(int port, String path) throws Exception {
    return client.send(
        HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(30))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> put(int port, String path, String json) throws Exception {
    return client.send(
        HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/json")
            .PUT(HttpRequest.BodyPublishers.ofString(json))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static Map<String, Object> pem() {
    return Map.of(
        "cairn.tls.cert", certificates.nodeCert.toString(),
        "cairn.tls.key", certificates.nodeKey.toString());
  }

  @Test
  void theFrontDoorServesHttpsWithTheNodesPemCertificateAndNoPlainHttp() throws Exception {
    try (TestNode node = TestNode.start(dir.resolve("pem"), pem())) {
      HttpResponse<String> alive = get(node.port(), "/health/alive");

      assertThat(alive.statusCode()).isEqualTo(200);
      assertThat(alive.sslSession().orElseThrow().getProtocol()).isIn("TLSv1.3", "TLSv1.2");
      assertThat(put(node.port(), "/v1/notes/tls", "{\"a\":1}").statusCode()).isEqualTo(201);
      assertThatThrownBy(() -> node.get("/health/alive"))
          .as("plain HTTP on the HTTPS port gets no answer a client could mistake for one");
    }
  }

  @Test
  void aPkcs12KeystoreServesTheSame() throws Exception {
    try (TestNode node =
        TestNode.start(
            dir.resolve("p12"),
            Map.of(
                "cairn.tls.keystore",
                certificates.keystore.toString(),
                "cairn.tls.keystore-password",
                TestCertificates.KEYSTORE_PASSWORD))) {
      assertThat(get(node.port(), "/health/alive").statusCode()).isEqualTo(200);
    }
  }

  @Test
  void aKeyThatCannotBeReadStopsTheStartWithTheSettingNamed() throws Exception {
    Path notAKey = Files.writeString(dir.resolve("not-a.key"), "not a key\n");

    assertThatThrownBy(
            () ->
                TestNode.start(
                    dir.resolve("bad"),
                    Map.of(
                        "cairn.tls.cert",
                        certificates.nodeCert.toString(),
                        "cairn.tls.key",
                        notAKey.toString())))
        .isInstanceOf(ConfigException.BadValue.class)
        .hasMessageContaining("cairn.tls");
    assertThatThrownBy(
            () ->
                CairnSettings.load(Map.of("cairn.tls.cert", dir.resolve("missing.crt").toString())))
        .isInstanceOf(ConfigException.BadValue.class)
        .hasMessageContaining("CAIRN_TLS_KEY");
  }

  @Test
  void nodesTalkOverMutualTlsAndServeEachOthersDocuments() throws Exception {
    Map<String, Object> settings = new HashMap<>(pem());
    settings.put("cairn.tls.cluster-ca", certificates.caCert.toString());
    List<TestNode> nodes = TestNode.cluster(dir.resolve("cluster"), 2, settings);
    try {
      TestNode a = nodes.get(0);
      TestNode b = nodes.get(1);
      assertThat(a.node().system().settings().config().getString("pekko.remote.artery.transport"))
          .isEqualTo("tls-tcp");
      Await.until(
          "both nodes are Up members",
          () -> {
            try {
              JsonNode cluster = Json.mapper().readTree(get(a.port(), "/admin/cluster").body());
              int up = 0;
              for (JsonNode member : cluster.get("members")) {
                up += member.get("status").asText().equals("up") ? 1 : 0;
              }
              return up == 2;
            } catch (Exception e) {
              return false;
            }
          });
      // A client that trusts the CA but has no certificate of its own is not let in.
      assertThatThrownBy(
              () -> {
                try (javax.net.ssl.SSLSocket socket =
                    (javax.net.ssl.SSLSocket)
                        certificates
                            .trustingTheCa()
                            .getSocketFactory()
                            .createSocket("127.0.0.1", a.node().clusterPort())) {
                  socket.setSoTimeout(10_000);
                  socket.startHandshake();
                  // TLS 1.3: the server refuses the missing certificate after the client's side of
                  // the handshake, with an alert the next read receives.
                  if (socket.getInputStream().read() < 0) {
                    throw new java.io.EOFException("closed without a certificate");
                  }
                }
              })
          .isInstanceOf(javax.net.ssl.SSLException.class);
      for (int i = 0; i < 8; i++) {
        assertThat(put(b.port(), "/v1/notes/mtls" + i, "{\"i\":" + i + "}").statusCode())
            .isEqualTo(201);
        assertThat(get(a.port(), "/v1/notes/mtls" + i).statusCode()).isEqualTo(200);
      }
    } finally {
      for (int i = nodes.size() - 1; i >= 0; i--) {
        nodes.get(i).close();
      }
    }
  }
}
